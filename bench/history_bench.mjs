// Ticket search and the call log at a district's real size: on the database of
// `vnh demo --history-days 2555` (seven years, ~7.6 M tickets), the operator's queries through
// the real server over loopback, each kind R times with random arguments drawn from the data,
// one at a time (an operator waits for each answer). Prints JSON lines for bench/report.py.
// Reads the database only through the API, except to draw the arguments (sqlite3, read-only);
// the phones searched for are revealed through the API with a reason, so the demo's audit log
// says a benchmark looked.
// Usage: node bench/history_bench.mjs VNH_BINARY DEMO_DIR [R]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [VNH, DIR] = process.argv.slice(2);
const R = Number(process.argv[4] || 200);
const db = join(DIR, 'vnh.db');
const sql = (q) => execFileSync('sqlite3', ['-readonly', db, q], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const print = (figure, value, unit) => console.log(JSON.stringify({ bench: 'history', figure, value, unit }));
const pick = (xs, i) => xs[(i * 7919) % xs.length];

const tickets = Number(sql('SELECT max(id) FROM tickets')[0]);
const numbers = sql(`SELECT ticket_no FROM tickets WHERE id IN (${Array.from({ length: R }, () => 1 + Math.floor(Math.random() * tickets)).join(',')})`);
const elders = sql('SELECT id FROM elders ORDER BY random() LIMIT 200').map((id) => `E${id}`);
const firms = sql('SELECT code FROM firms ORDER BY random() LIMIT 50');
const items = sql("SELECT c.code FROM catalog_items c ORDER BY random() LIMIT 40");
const password = readFileSync(join(DIR, 'logins.txt'), 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((l) => l[1] === 'op1')[2];

const server = spawn(VNH, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--log-level', 'warn']);
try {
  const base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out); if (m) resolve(m[1]); });
    server.on('exit', (c) => reject(new Error(`vnh serve exited ${c}: ${out}`)));
  });
  const login = await (await fetch(`${base}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'op1', password }) })).json();
  const auth = { Authorization: `Bearer ${login.token}` };
  const get = async (path) => {
    const t0 = performance.now();
    const r = await fetch(base + path, { headers: auth });
    const body = await r.json();
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
    return [performance.now() - t0, body];
  };
  const phones = [];
  for (const e of elders.slice(0, 40)) {
    const r = await fetch(`${base}/api/v1/elders/${e}/reveal`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'benchmark: ticket search by phone' }) });
    const w = await r.json();
    if (w.phones?.length) phones.push(w.phones[0]);
  }
  const day = (i) => new Date(Date.now() - ((i * 37) % 2500) * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
  const kinds = {
    ticket_by_number: (i) => `/api/v1/tickets?q=${pick(numbers, i)}`,
    ticket_page: (i) => `/api/v1/tickets/${pick(numbers, i)}`,
    tickets_by_phone: (i) => `/api/v1/tickets?phone=${encodeURIComponent(pick(phones, i))}&limit=20`,
    tickets_by_elder: (i) => `/api/v1/tickets?elder_id=${pick(elders, i)}&limit=20`,
    tickets_by_state_firm: (i) => `/api/v1/tickets?state=completed&firm_code=${pick(firms, i)}&limit=50`,
    tickets_by_item_day: (i) => `/api/v1/tickets?item_code=${pick(items, i)}&from=${day(i)}&to=${day(i)}&limit=50`,
    tickets_unassigned: () => '/api/v1/tickets?state=unassigned&limit=50',
    call_log: () => '/api/v1/calls?limit=50',
    missed_calls: () => '/api/v1/calls?state=missed&limit=50',
  };
  for (const [name, path] of Object.entries(kinds)) {
    const times = [];
    for (let i = 0; i < R; i++) times.push((await get(path(i)))[0]);
    print(`${name}_p50_ms`, Number(pct(times, 50).toFixed(2)), 'ms');
    print(`${name}_p99_ms`, Number(pct(times, 99).toFixed(2)), 'ms');
  }
  // Paging deep into a firm's history: ten pages of 50 by the cursor.
  const deep = [];
  for (let i = 0; i < Math.min(R, 50); i++) {
    let next = null;
    for (let p = 0; p < 10; p++) {
      const [ms, body] = await get(`/api/v1/tickets?firm_code=${pick(firms, i)}&limit=50${next ? `&cursor=${next}` : ''}`);
      deep.push(ms);
      next = body.next;
      if (!next) break;
    }
  }
  print('tickets_firm_pages_p50_ms', Number(pct(deep, 50).toFixed(2)), 'ms');
  print('tickets_firm_pages_p99_ms', Number(pct(deep, 99).toFixed(2)), 'ms');
  print('history_tickets', tickets, 'tickets');
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
}
