// The floor's latency as operators see it: 20 operator consoles in Debian's Chromium on one
// server; for each of N calls the PBX posts the incoming call (time until its ringing card is
// drawn on every console), then answers it for one operator (time until that desk has drawn the
// caller's elder card), then hangs up. Prints JSON lines for bench/report.py. Loopback only,
// bounded: N calls (default 60), one server, one browser.
// Usage: node bench/console_bench.mjs VNH_BINARY [N] [CONSOLES]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../tests/console/package.json'));
const { chromium } = require('playwright-core');
const VNH = process.argv[2];
const N = Number(process.argv[3] || 60);
const CONSOLES = Number(process.argv[4] || 20);
const dir = mkdtempSync(join(tmpdir(), 'vnh-console-bench-'));
const db = join(dir, 'bench.db');

const vnh = (args, input) => execFileSync(VNH, args, { input, encoding: 'utf8' });
function importCsv(kind, text) { const f = join(dir, `${kind}.csv`); writeFileSync(f, text); vnh(['import', kind, f, '--db', db]); }
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const print = (figure, value, unit) => console.log(JSON.stringify({ bench: 'console', figure: `${figure}_${CONSOLES}`, value, unit }));

importCsv('areas', 'code,name,parent_code,level\r\n620102,城关区,,district\r\n620102001,酒泉路街道,620102,street\r\n620102001001,畅家巷社区,620102001,community\r\n');
importCsv('catalog', 'code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nLC010,助浴,life_care,次,4800,6000,60,0\r\n');
importCsv('elders', 'id_number,name,phone,community_code,lat,lon,category,registered_on\r\n' +
  '620102195810100019,张三明,13970241505,620102001001,36.0600,103.8300,A,2026-01-05\r\n' +
  '62010219511015004X,李四芳,13955650450|0931-8123456,620102001001,36.0600,103.8300,B,2026-01-05\r\n' +
  '620102193806200050,王五,0931-8123456,620102001001,36.0600,103.8300,C,2026-01-05\r\n');
for (let i = 1; i <= CONSOLES; i++) vnh(['user', 'add', `op${i}`, '--role', 'operator', '--password-stdin', '--db', db], 'password-123\n');

const server = spawn(VNH, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--pbx-secret', 'bench', '--log-level', 'warn']);
let browser;
try {
  const base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out); if (m) resolve(m[1]); });
    server.on('exit', (c) => reject(new Error(`vnh serve exited ${c}`)));
  });
  const pbx = (path, body) => fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-PBX-Secret': 'bench' }, body: JSON.stringify(body) }).then((r) => r.json());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const pages = [];
  for (let i = 1; i <= CONSOLES; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(base + '/');
    await page.fill('#f-username', `op${i}`);
    await page.fill('#f-password', 'password-123');
    await page.click('#login-submit');
    await page.waitForSelector('#live-status.on', { timeout: 20000 });
    await page.evaluate(() => localStorage.setItem('vnh.mute', '1'));
    pages.push(page);
  }
  // Starts watching for `sel` in the page (installed before the request is sent) and returns a
  // promise of the page's clock when it appears.
  const seen = async (page, sel) => {
    await page.evaluate((s) => {
      window.__seen = window.__seen || {};
      window.__seen[s] = new Promise((res) => {
        const check = () => { if (document.querySelector(s)) { obs.disconnect(); res(Date.now()); } };
        const obs = new MutationObserver(check);
        obs.observe(document.body, { subtree: true, childList: true, attributes: true });
        check();
      });
    }, sel);
    return () => page.evaluate((s) => window.__seen[s], sel);
  };
  const ring = [], pop = [], answered = [];
  const callers = ['13970241505', '13955650450', '0931 812 3456'];
  for (let n = 0; n < N; n++) {
    const id = `B${Date.now()}-${n}`;
    const rings = await Promise.all(pages.map((p) => seen(p, `#calls .call[data-call="${id}"]`)));
    const t0 = Date.now();
    await pbx('/api/v1/calls/incoming', { caller: callers[n % callers.length], line: '965885-1', call_id: id });
    for (const t of await Promise.all(rings.map((w) => w()))) ring.push(t - t0);
    const desk = pages[n % CONSOLES];
    const card = await seen(desk, `#my-call .card[data-call="${id}"] button[data-elder]`);
    const t1 = Date.now();
    await pbx(`/api/v1/calls/${id}/answer`, { agent: `op${(n % CONSOLES) + 1}` });
    answered.push(Date.now() - t1);
    pop.push((await card()) - t1);
    await pbx(`/api/v1/calls/${id}/hangup`, {});
  }
  print('ring_all_consoles_p50_ms', pct(ring, 50), 'ms');
  print('ring_all_consoles_p99_ms', pct(ring, 99), 'ms');
  print('answer_to_card_p50_ms', pct(pop, 50), 'ms');
  print('answer_to_card_p99_ms', pct(pop, 99), 'ms');
  print('answer_http_p50_ms', pct(answered, 50), 'ms');
  print('answer_http_p99_ms', pct(answered, 99), 'ms');
  print('consoles', CONSOLES, 'consoles');
  print('calls', N, 'calls');
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
