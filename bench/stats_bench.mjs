// The command screen at a district's real size (issue 22): on the database of
// `vnh demo --history-days 2555` (seven years, ~7.6 M tickets), each statistics endpoint and each
// queue page through the real server over loopback, one request at a time (a supervisor waits
// for each answer).
// - warm: R requests of each kind after one to warm up; p50 and p99.
// - cold: C rounds of (drop the OS page cache when root may, start the server, one request of
//   each kind); the worst of them is reported as the cold p99 (C samples).
// Prints JSON lines for bench/report.py; also the server's RSS after the warm runs.
// Usage: node bench/stats_bench.mjs VNH_BINARY DEMO_DIR [R] [C]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [VNH, DIR] = process.argv.slice(2);
const R = Number(process.argv[4] || 100);
const C = Number(process.argv[5] || 3);
const db = join(DIR, 'vnh.db');
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const print = (figure, value, unit) => console.log(JSON.stringify({ bench: 'stats', figure, value, unit }));
const logins = readFileSync(join(DIR, 'logins.txt'), 'utf8').split('\n').map((l) => l.trim().split(/\s+/));
const password = (user) => logins.find((l) => l[1] === user)[2];

// Today in the district (Asia/Shanghai) and the ranges a supervisor asks for.
const day = (offset) => new Date(Date.now() + 8 * 3600e3 - offset * 86400e3).toISOString().slice(0, 10);
const lastMonth = (() => { const d = new Date(Date.now() + 8 * 3600e3); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() - 1); return d.toISOString().slice(0, 7); })();
const month = `from=${day(29)}&to=${day(0)}`;
const year = `from=${day(364)}&to=${day(0)}`;
const seven = `from=${day(2554)}&to=${day(0)}`;
const ALL_KINDS = [
  ['stats/overview 30 days', `/api/v1/stats/overview?${month}`, 'sup1'],
  ['stats/overview 1 year', `/api/v1/stats/overview?${year}`, 'sup1'],
  ['stats/overview 7 years', `/api/v1/stats/overview?${seven}`, 'sup1'],
  ...['category', 'item', 'street', 'firm', 'hour', 'channel'].map((by) => [`stats/services by ${by}, 30 days`, `/api/v1/stats/services?${month}&by=${by}`, 'sup1']),
  ['stats/services by item, 1 year', `/api/v1/stats/services?${year}&by=item`, 'sup1'],
  ['stats/services by street, 7 years', `/api/v1/stats/services?${seven}&by=street`, 'sup1'],
  ['stats/firms (last month\'s league)', `/api/v1/stats/firms?month=${lastMonth}`, 'sup1'],
  ['stats/overview as CSV, 1 year', `/api/v1/stats/overview?${year}&format=csv`, 'sup1'],
  ['queue: exceptions, first page', '/api/v1/exceptions?limit=50', 'sup1'],
  ['queue: exceptions, newest, one firm', '/api/v1/exceptions?limit=50&sort=newest&firm=F001', 'sup1'],
  ['queue: alerts', '/api/v1/alerts?limit=100', 'sup1'],
  ['queue: unassigned tickets', '/api/v1/tickets?state=unassigned&limit=100', 'sup1'],
  ['queue: disputed tickets', '/api/v1/tickets?state=disputed&limit=100', 'sup1'],
  ['queue: complaints', '/api/v1/complaints?limit=100', 'sup1'],
  ['queue: missed calls', '/api/v1/calls?state=missed&limit=100', 'op1'],
  ['queue: today\'s callbacks', '/api/v1/callbacks/queue?limit=50', 'op1'],
  ['queue: welfare checks', '/api/v1/welfare-checks', 'op1'],
];
// VNH_BENCH_ONLY=text keeps the kinds whose name contains it (to re-measure one after a change).
const KINDS = ALL_KINDS.filter(([k]) => !process.env.VNH_BENCH_ONLY || k.includes(process.env.VNH_BENCH_ONLY));

async function start() {
  const server = spawn(VNH, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--log-level', 'warn']);
  const base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out); if (m) resolve(m[1]); });
    server.on('exit', (c) => reject(new Error(`vnh serve exited ${c}: ${out}`)));
  });
  const tokens = {};
  for (const user of ['sup1', 'op1']) {
    const r = await fetch(`${base}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user, password: password(user) }) });
    tokens[user] = (await r.json()).token;
  }
  const get = async (path, user) => {
    const t0 = performance.now();
    const r = await fetch(base + path, { headers: { Authorization: `Bearer ${tokens[user]}` } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    return performance.now() - t0;
  };
  const stop = () => new Promise((resolve) => { server.on('exit', resolve); server.kill('SIGTERM'); });
  return { server, get, stop };
}

function dropCaches() {
  try { execFileSync('sync'); writeFileSync('/proc/sys/vm/drop_caches', '3\n'); return true; } catch { return false; }
}

const cold = new Map(KINDS.map(([k]) => [k, []]));
let dropped = true;
for (let c = 0; c < C; c++) {
  dropped = dropCaches() && dropped;
  const s = await start();
  try {
    for (const [k, path, user] of KINDS) cold.get(k).push(await s.get(path, user));
  } finally { await s.stop(); }
}
const s = await start();
try {
  for (const [k, path, user] of KINDS) {
    await s.get(path, user);
    const xs = [];
    for (let i = 0; i < R; i++) xs.push(await s.get(path, user));
    print(`${k}: warm p50`, Number(pct(xs, 50).toFixed(1)), 'ms');
    print(`${k}: warm p99`, Number(pct(xs, 99).toFixed(1)), 'ms');
    print(`${k}: cold worst of ${C}${dropped ? ' (OS cache dropped)' : ' (server restarted)'}`, Number(Math.max(...cold.get(k)).toFixed(1)), 'ms');
  }
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${s.server.pid}/status`, 'utf8'))[1]);
  print('server RSS after the warm runs', Math.round(rss / 1024), 'MiB');
} finally { await s.stop(); }
