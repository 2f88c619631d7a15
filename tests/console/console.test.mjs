// Browser tests of the console: the real vnh binary on 127.0.0.1:0, real simulated partner
// firms (vnh partner), and Debian's chromium driven by playwright-core. Each step saves a
// screenshot under VNH_TEST_OUTPUT (default build/test-output/console).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const VNH = process.env.VNH_BINARY;
const OUT = process.env.VNH_TEST_OUTPUT || join(process.cwd(), 'test-output', 'console');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(VNH, 'VNH_BINARY must point at the vnh binary');
mkdirSync(OUT, { recursive: true });

const dir = mkdtempSync(join(tmpdir(), 'vnh-console-'));
const db = join(dir, 'vnh.db');
const procs = [];
let base = '';
let browser;

function vnh(args, input) {
  const r = spawnSync(VNH, args, { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `vnh ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}
function importCsv(kind, csv) {
  const f = join(dir, `${kind}.csv`);
  writeFileSync(f, csv);
  vnh(['import', kind, f, '--db', db]);
}
// Local time in Asia/Shanghai as ISO with offset, `days` from now.
function shanghai(days, hh, mm) {
  const d = new Date(Date.now() + 8 * 3600e3 + days * 86400e3);
  const day = d.toISOString().slice(0, 10);
  return `${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`;
}
// The month before this one in Asia/Shanghai, YYYY-MM.
const PREV = (() => { const d = new Date(Date.now() + 8 * 3600e3); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() - 1); return d.toISOString().slice(0, 7); })();
async function api(method, path, body, headers = {}) {
  const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => ({})) };
}
// The API as the page's signed-in user.
async function tokenOf(page) { return page.evaluate(() => sessionStorage.getItem('vnh.token')); }
async function apiAs(page, method, path, body) { return api(method, path, body, { Authorization: `Bearer ${await tokenOf(page)}` }); }
const ring = (caller, line = '965885-1') => api('POST', '/api/v1/calls/incoming', { caller, line }, { 'X-PBX-Secret': 'pbx-test' });
async function shot(page, name) { await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true }); }
async function login(page, user) {
  await page.goto(base + '/');
  await page.fill('#f-username', user);
  await page.fill('#f-password', 'password-123');
  await page.click('#login-submit');
  // A canteen's counter has no live channel: its card field is the sign it is ready.
  await page.waitForSelector('#live-status.on, #counter-card, #care-due', { timeout: 10000 });
}

before(async () => {
  importCsv('areas', 'code,name,parent_code,level\r\n620102,城关区,,district\r\n620102001,酒泉路街道,620102,street\r\n' +
    '620102001001,畅家巷社区,620102001,community\r\n620102001002,张家园社区,620102001,community\r\n');
  importCsv('catalog', 'code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\n' +
    'LC001,老年助餐午餐,life_care,份,1500,1900,20,1\r\nLC010,助浴,life_care,次,4800,6000,60,0\r\n' +
    'MC001,测量血压,medical_care,次,800,1000,15,0\r\nEC001,精神慰藉陪聊,emotional_comfort,次,3000,4000,60,0\r\n');
  importCsv('elders', 'id_number,name,phone,community_code,lat,lon,category,registered_on\r\n' +
    '620102195810100019,张三明,13970241505,620102001001,36.0600,103.8300,A,2026-01-05\r\n' +
    '62010219511015004X,李四芳,13955650450|0931-8123456,620102001002,36.0600,103.8300,B,2026-01-05\r\n' +
    '620102193806200050,王五,0931-8123456,620102001002,36.0600,103.8300,C,2026-01-05\r\n' +
    '620102194001010019,张林,13900001111,620102001001,36.0610,103.8310,C,2026-01-05\r\n' +
    '620102194805050024,张林,13900002222,620102001002,36.0620,103.8320,B,2026-01-05\r\n');
  importCsv('firms', 'code,name,base_lat,base_lon,daily_capacity,status\r\n' +
    'F_NEAR,近邻家政,36.0700,103.8300,50,active\r\nF_MID,中和护理,36.0900,103.8300,50,active\r\n');
  importCsv('firm-areas', 'firm_code,area_code,category\r\nF_NEAR,620102,life_care\r\nF_MID,620102,life_care\r\nF_MID,620102,medical_care\r\n');
  importCsv('staff', 'firm_code,code,name,phone,skills\r\nF_NEAR,N1,赵工,13800000001,life_care\r\nF_MID,M1,钱工,13800000002,life_care|medical_care\r\n');
  // Visits completed yesterday: each the firm's first to that elder, so today's callback sample has all three.
  importCsv('tickets', 'ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n' +
    `TH0001,620102195810100019,LC010,F_NEAR,normal,${shanghai(-1, 9, 0)},${shanghai(-1, 11, 0)},${shanghai(-1, 8, 0)},${shanghai(-1, 9, 10)},36.0600,103.8300,${shanghai(-1, 10, 15)},36.0600,103.8300,N1,completed\r\n` +
    `TH0002,62010219511015004X,LC010,F_MID,normal,${shanghai(-1, 9, 0)},${shanghai(-1, 11, 0)},${shanghai(-1, 8, 0)},${shanghai(-1, 9, 20)},36.0600,103.8300,${shanghai(-1, 10, 25)},36.0600,103.8300,M1,completed\r\n` +
    `TH0003,620102193806200050,MC001,F_MID,normal,${shanghai(-1, 14, 0)},${shanghai(-1, 16, 0)},${shanghai(-1, 8, 0)},${shanghai(-1, 14, 10)},36.0600,103.8300,${shanghai(-1, 14, 40)},36.0600,103.8300,M1,completed\r\n`);
  for (const [u, r] of [['op1', 'operator'], ['op2', 'operator'], ['sup1', 'supervisor'], ['fin1', 'finance'], ['insp1', 'inspector'], ['adm1', 'admin']]) {
    vnh(['user', 'add', u, '--role', r, '--password-stdin', '--db', db], 'password-123\n');
  }
  importCsv('canteens', 'code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n' +
    'K1,畅家巷助餐点,F_NEAR,620102001001,36.0600,103.8300,active,1,200\r\nK2,张家园助餐点,,620102001002,36.0610,103.8310,active,0,100\r\n');
  importCsv('meal-cards', 'card_no,id_number,issued_on,status\r\n62011000001,620102195810100019,2026-01-10,active\r\n' +
    '62011000002,62010219511015004X,2026-01-10,active\r\n62011000003,620102193806200050,2026-01-10,active\r\n' +
    '62011000004,620102194001010019,2026-01-10,active\r\n62011000005,620102194805050024,2026-01-10,active\r\n');
  // Last month, for the statement: F_MID's bath for 张林 (B, 78: 4800 fen from the credit), scored,
  // and his lunch at K1 (1000 fen): 5800 fen to transfer.
  importCsv('tickets', 'ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n' +
    `TP0001,620102194805050024,LC010,F_MID,normal,${PREV}-10T09:00:00+08:00,${PREV}-10T11:00:00+08:00,${PREV}-09T08:00:00+08:00,${PREV}-10T09:10:00+08:00,36.0620,103.8320,${PREV}-10T10:20:00+08:00,36.0620,103.8320,M1,completed\r\n`);
  importCsv('inspections', `firm_code,month,enterprise_building,service_norms,staff_management\r\nF_MID,${PREV},90,90,90\r\n`);
  importCsv('meals', `canteen_code,id_number,slot,served_at,mode,price_fen,identified_by\r\nK1,620102194805050024,lunch,${PREV}-10T11:30:00+08:00,dine_in,1500,card\r\n`);
  vnh(['user', 'add', 'fin2', '--role', 'finance', '--password-stdin', '--db', db], 'password-123\n');
  for (const [u, k] of [['k1', 'K1'], ['k2', 'K2']]) {
    vnh(['user', 'add', u, '--role', 'canteen', '--canteen', k, '--password-stdin', '--db', db], 'password-123\n');
  }
  // A care worker and her elders (SPEC §14): 王五 lives alone on a low income (high: weekly).
  vnh(['user', 'add', 'care1', '--role', 'care', '--password-stdin', '--db', db], 'password-123\n');
  vnh(['user', 'add', 'wall1', '--role', 'display', '--password-stdin', '--db', db], 'password-123\n');
  importCsv('care-targets', 'id_number,flags,tier,care_worker\r\n620102193806200050,lives_alone|low_income,high,care1\r\n' +
    '620102194001010019,empty_nest,general,\r\n');
  const tokens = {};
  for (const f of ['F_NEAR', 'F_MID']) tokens[f] = vnh(['firm', 'token', f, '--db', db]).trim();
  const server = spawn(VNH, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--pbx-secret', 'pbx-test', '--log-level', 'warn']);
  procs.push(server);
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    server.stderr.on('data', () => {});
    server.on('exit', (c) => reject(new Error(`vnh serve exited ${c}: ${out}`)));
  });
  // Partner firms that accept everything and report visits (an hour of service = one second).
  for (const [f, staff] of [['F_NEAR', 'N1'], ['F_MID', 'M1']]) {
    const p = spawn(VNH, ['partner', '--url', base, '--token', tokens[f], '--staff', staff, '--time-scale', '3600', '--accept', 'always']);
    p.stdout.on('data', () => {});
    procs.push(p);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

// Stops a child and waits for it to exit (SIGKILL if it has not within 10 s).
function stop(p) {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => p.kill('SIGKILL'), 10000);
    p.once('exit', () => { clearTimeout(hard); resolve(); });
    p.kill('SIGTERM');
  });
}

after(async () => {
  if (browser) await browser.close();
  for (const p of procs.reverse()) await stop(p);
  rmSync(dir, { recursive: true, force: true });
});

test('an operator logs in, answers a call, creates a ticket and watches it to completion', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await login(page, 'op1');
  await shot(page, '01-operator-desk');

  // The PBX reports a call from the landline two elders share: it rings on the desk.
  const call = await api('POST', '/api/v1/calls/incoming', { caller: '0931 812 3456', line: '965885-2' }, { 'X-PBX-Secret': 'pbx-test' });
  assert.equal(call.status, 200);
  assert.equal(call.json.matched, 2);
  const ring = page.locator(`#calls .call[data-call="${call.json.call_id}"]`);
  await ring.waitFor({ timeout: 5000 });
  assert.match(await ring.innerText(), /2 位登记老人/);
  await ring.getByRole('button', { name: /接听/ }).click();
  const pop = page.locator('#my-call .card');
  await pop.getByRole('button', { name: '王五' }).waitFor({ timeout: 5000 });
  assert.match(await pop.innerText(), /李四芳/);
  assert.match(await pop.innerText(), /请选择来电的一位/);  // a shared landline: the operator picks
  await shot(page, '02-screen-pop');

  // Pick 王五 from the call, find the service by pinyin initials, create with the keyboard.
  await pop.getByRole('button', { name: '王五' }).click();
  await page.locator('#elder-card .card').waitFor();
  assert.match(await page.locator('#elder-card').innerText(), /王五/);
  await page.fill('#item-search', 'zy');
  await page.locator('.suggest div').first().waitFor();
  assert.match(await page.locator('.suggest').innerText(), /助浴/);
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#item-search'), 'LC010 助浴');
  assert.match(await page.locator('#item-chosen').innerText(), /60/);
  await page.fill('#f-notes', '一楼，请带防滑垫');
  await page.locator('#f-notes').press('Control+Enter');
  const toast = page.locator('#toast div', { hasText: '已创建' });
  await toast.waitFor();
  const no = /T\d{14}/.exec(await toast.innerText())[0];
  await shot(page, '03-ticket-created');
  // The ticket is the call's; the operator records the outcome and hangs up.
  assert.equal((await apiAs(page, 'GET', `/api/v1/tickets/${no}`)).json.call_id, call.json.call_id);
  assert.equal(await page.locator('#f-outcome').inputValue(), 'ticket');
  await page.click('#record-outcome');
  await page.locator('#toast div', { hasText: '通话结果已记录' }).waitFor();
  await page.click('#hangup');
  await page.waitForFunction(() => /已结束/.test(document.querySelector('#my-call')?.innerText || ''));
  const log = (await apiAs(page, 'GET', '/api/v1/calls?state=ended')).json.calls;
  assert.equal(log.find((c) => c.call_id === call.json.call_id)?.outcome, 'ticket');

  // The live board follows the ticket: offered → accepted → … → completed.
  const row = page.locator(`#board tr[data-ticket="${no}"]`);
  await row.waitFor({ timeout: 5000 });
  await page.waitForFunction((n) => /已完成/.test(document.querySelector(`#board tr[data-ticket="${n}"]`)?.innerText || ''), no, { timeout: 20000 });
  assert.match(await row.innerText(), /近邻家政|中和护理/);  // the firm by name
  await shot(page, '04-board-completed');

  // The ticket number opens the ticket: its whole timeline, the visit, the call it came from.
  await row.getByRole('link', { name: no }).click();
  await page.locator('#timeline li[data-type="checked_out"]').waitFor({ timeout: 5000 });
  const timeline = await page.locator('#timeline').innerText();
  for (const words of ['创建工单', '派给', '接单', '签到', '签退']) assert.match(timeline, new RegExp(words));
  assert.doesNotMatch(timeline, /offered|accepted|checked_in/);  // words, not event codes
  assert.match(await page.locator('#ticket-visit').innerText(), /距老人家 \d+ 米.*服务 \d+ 分钟/);
  assert.equal(await page.locator('#ticket-call').innerText(), `来电 ${call.json.call_id}`);
  await shot(page, '16-ticket-page');
  // Ticket search: by the caller's phone, and by the number.
  await page.click('#tab-tickets');
  await page.fill('#ts-phone', '0931 8123456');
  await page.click('#ts-go');
  await page.locator(`#ticket-results tr[data-ticket="${no}"]`).waitFor({ timeout: 5000 });
  await page.fill('#ts-phone', '');
  await page.fill('#ts-q', no);
  await page.click('#ts-go');
  await page.waitForFunction(() => document.querySelectorAll('#ticket-results tbody tr').length === 1);
  await shot(page, '17-ticket-search');
  await page.close();
});

test('a call for someone else never changes the ticket being filled in, nor its focus', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await login(page, 'op2');
  // Halfway through a ticket for 张三明 (found by phone) …
  await page.fill('#find', '13970241505');
  await page.press('#find', 'Enter');
  await page.waitForFunction(() => /张三明/.test(document.querySelector('#elder-card')?.innerText || ''));
  await page.fill('#item-search', 'zy');
  await page.locator('.suggest div').first().waitFor();
  await page.keyboard.press('Enter');
  await page.fill('#f-notes', '张三明本人来电，下午三点后');
  // … calls ring for 李四芳 and for the landline 李四芳 and 王五 share.
  const b = await ring('13955650450');
  const shared = await ring('0931-8123456');
  await page.locator(`#calls .call[data-call="${b.json.call_id}"]`).waitFor({ timeout: 5000 });
  await page.locator(`#calls .call[data-call="${shared.json.call_id}"]`).waitFor({ timeout: 5000 });
  assert.match(await page.locator('#elder-card').innerText(), /张三明/);
  assert.doesNotMatch(await page.locator('#elder-card').innerText(), /李四芳|王五/);
  assert.equal(await page.inputValue('#f-notes'), '张三明本人来电，下午三点后');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-notes');
  assert.match(await page.locator('#item-chosen').innerText(), /60/);
  await shot(page, '13-desk-form-kept');
  // Answering one of them while the form is in progress does not switch the elder either.
  await page.locator(`#calls .call[data-call="${b.json.call_id}"]`).getByRole('button', { name: /接听/ }).click();
  await page.locator('#call-notice').waitFor({ timeout: 5000 });
  assert.match(await page.locator('#my-call').innerText(), /李四芳/);
  assert.match(await page.locator('#elder-card').innerText(), /张三明/);
  await page.locator('#f-notes').press('Control+Enter');
  const toast = page.locator('#toast div', { hasText: '已创建' });
  await toast.waitFor();
  const no = /T\d{14}/.exec(await toast.innerText())[0];
  const tk = (await apiAs(page, 'GET', `/api/v1/tickets/${no}`)).json;
  assert.equal(tk.elder_name, '张三明');
  assert.equal(tk.notes, '张三明本人来电，下午三点后');
  await api('POST', `/api/v1/calls/${encodeURIComponent(b.json.call_id)}/hangup`, {}, { 'X-PBX-Secret': 'pbx-test' });
  await api('POST', `/api/v1/calls/${encodeURIComponent(shared.json.call_id)}/hangup`, {}, { 'X-PBX-Secret': 'pbx-test' });
  await page.close();
});

test('two operators answer one call: one has it, the other sees who', async () => {
  const p1 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const p2 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await login(p1, 'op1');
  await login(p2, 'op2');
  const c = await ring('13970241505');
  const sel = `#calls .call[data-call="${c.json.call_id}"]`;
  await p1.locator(sel).waitFor({ timeout: 5000 });
  await p2.locator(sel).waitFor({ timeout: 5000 });
  await p1.locator(sel).getByRole('button', { name: /接听/ }).click();
  await p1.waitForFunction(() => /张三明/.test(document.querySelector('#elder-card')?.innerText || ''), null, { timeout: 5000 });
  await p2.waitForFunction((s) => /已由 op1 接听/.test(document.querySelector(s)?.innerText || ''), sel, { timeout: 5000 });
  assert.doesNotMatch(await p2.locator('#elder-card').innerText(), /张三明/);  // the card opens only where it was answered
  await shot(p2, '14-call-taken');
  // A claim that loses the race is told who won, in words.
  const late = await apiAs(p2, 'POST', `/api/v1/calls/${encodeURIComponent(c.json.call_id)}/claim`, {});
  assert.equal(late.status, 409);
  await p1.click('#hangup');
  await p1.close();
  await p2.close();
});

test('a call nobody answers lands in missed calls; one that rang on another tab or before a reload is still there', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await login(page, 'op1');
  const gone = await ring('13955650450');
  await api('POST', `/api/v1/calls/${encodeURIComponent(gone.json.call_id)}/hangup`, {}, { 'X-PBX-Secret': 'pbx-test' });
  await page.locator(`#missed [data-call="${gone.json.call_id}"]`).waitFor({ timeout: 5000 });
  assert.match(await page.locator('#missed').innerText(), /139\*+0450/);
  // On another tab a new call shows in the title; back on the desk it is listed.
  await page.click('#tab-callbacks');
  const c = await ring('13970241505');
  await page.waitForFunction(() => /☎ 1 个来电/.test(document.title), null, { timeout: 5000 });
  await page.click('#tab-desk');
  await page.locator(`#calls .call[data-call="${c.json.call_id}"]`).waitFor({ timeout: 5000 });
  await page.reload();
  await page.locator(`#calls .call[data-call="${c.json.call_id}"]`).waitFor({ timeout: 5000 });
  assert.equal(await page.locator('#calls-count').innerText(), '1');
  await shot(page, '15-calls-after-reload');
  await api('POST', `/api/v1/calls/${encodeURIComponent(c.json.call_id)}/hangup`, {}, { 'X-PBX-Secret': 'pbx-test' });
  await page.waitForFunction(() => !/☎/.test(document.title), null, { timeout: 5000 });
  await page.close();
});

// Fills the registration form, choosing the community through the three area pickers.
async function fillRegistration(page, { id_number, name, phone, category }) {
  await page.fill('#f-id_number', id_number);
  await page.fill('#f-name', name);
  await page.fill('#f-phone', phone);
  if (category) await page.selectOption('#f-category', category);
  await page.selectOption('#f-district', '620102');
  await page.waitForFunction(() => document.querySelectorAll('#f-street option').length > 1);
  await page.selectOption('#f-street', '620102001');
  await page.waitForFunction(() => document.querySelectorAll('#f-community_code option').length > 1);
  await page.selectOption('#f-community_code', '620102001002');
  await page.waitForFunction(() => /张家园社区的位置/.test(document.querySelector('#home-point').textContent));
}

test('an operator registers an elder with the keyboard and the area pickers', async () => {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  await login(page, 'op1');
  await page.click('#tab-register');
  await fillRegistration(page, { id_number: '620102195001010013', name: '孙七', phone: '139-0000-7777', category: 'B' });
  await page.fill('#f-address', '畅家巷12号3单元');
  await shot(page, '05-register-form');
  await page.click('#register-submit');
  await page.locator('#toast div', { hasText: '孙七' }).waitFor();
  const found = await (await fetch(`${base}/api/v1/elders?phone=13900007777`, {
    headers: { Authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('vnh.token'))}` } })).json();
  assert.equal(found.elders.length, 1);
  assert.equal(found.elders[0].category, 'B');
  // No point picked: the home is the community's point (where 张家园's registered elders live),
  // registered today in Asia/Shanghai.
  assert.ok(Math.abs(found.elders[0].lat - (36.06 + 36.06 + 36.062) / 3) < 1e-6);
  assert.equal(found.elders[0].registered_on, new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10));
  assert.equal(found.elders[0].community_name, '张家园社区');
  {
    // A point picked on the map is the home's.
    await fillRegistration(page, { id_number: '620102195002020010', name: '周八', phone: '139-0000-6666' });
    const box = await page.locator('#home-map').boundingBox();
    await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.3);
    await page.waitForFunction(() => /地图选点/.test(document.querySelector('#home-point').textContent));
    await shot(page, '18-register-map');
    await page.click('#register-submit');
    await page.locator('#toast div', { hasText: '周八' }).waitFor();
    const zhou = await (await fetch(`${base}/api/v1/elders?phone=13900006666`, {
      headers: { Authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('vnh.token'))}` } })).json();
    assert.ok(zhou.elders[0].lat > 36.0607, `picked north-east of the point: ${zhou.elders[0].lat}`);
    assert.ok(zhou.elders[0].lon > 103.8307);
  }
  {
    // A bad ID number is refused with the field named.
    await fillRegistration(page, { id_number: '620102195001010018', name: '错号', phone: '13900008888' });
    await page.click('#register-submit');
    await page.waitForFunction(() => /身份证号/.test(document.querySelector('#register-error').textContent));
    await shot(page, '06-register-error');
  }
  await page.close();
});

test('the elder card: two 张林 told apart, names of community and street, reveal with a reason, edit, deactivate and reactivate', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await login(page, 'sup1');
  await page.click('#tab-desk');
  await page.fill('#find', '张林');
  await page.press('#find', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#results .card').length === 2);
  const lines = await page.locator('#results .card').allInnerTexts();
  assert.notEqual(lines[0].replace(/^张林/, ''), lines[1].replace(/^张林/, ''));
  assert.ok(lines.some((l) => /86岁/.test(l) && /畅家巷社区（酒泉路街道）/.test(l) && /尾号 0019/.test(l)), lines.join(' | '));
  assert.ok(lines.some((l) => /78岁/.test(l) && /张家园社区/.test(l) && /尾号 0024/.test(l)), lines.join(' | '));
  // A name and an ID tail find one.
  await page.fill('#find', '张林 0024');
  await page.press('#find', 'Enter');
  await page.waitForFunction(() => /张家园社区（酒泉路街道）/.test(document.querySelector('#elder-card')?.innerText || ''));
  await shot(page, '19-elder-card');
  // Reveal needs a reason; the whole ID number is shown and the view is audited.
  await page.click('#elder-reveal-open');
  await page.selectOption('#elder-reveal-choice', '');
  await page.click('#elder-reveal button[type=submit]');
  await page.waitForFunction(() => /请填写原因/.test(document.querySelector('#elder-reveal .error').textContent));
  await page.fill('#elder-reveal-reason', '老人来电要求核对');
  await page.click('#elder-reveal button[type=submit]');
  await page.waitForFunction(() => /620102194805050024/.test(document.querySelector('#elder-whole').innerText));
  // Edit: category B → D.
  await page.click('#elder-edit-open');
  await page.selectOption('#elder-edit [name=category]', 'D');
  await page.click('#elder-edit-submit');
  await page.waitForFunction(() => /类别D/.test(document.querySelector('#elder-card').innerText));
  // A supervisor deactivates with a reason; the card says so; reactivates.
  await page.click('#elder-deactivate-open');
  await page.click('#elder-deactivate button[type=submit]');  // the first reason: 迁出本区
  await page.locator('#elder-inactive').waitFor();
  assert.match(await page.locator('#elder-inactive').innerText(), /迁出本区/);
  await shot(page, '20-elder-inactive');
  await page.click('#elder-reactivate-open');
  await page.click('#elder-reactivate button[type=submit]');
  await page.locator('#elder-deactivate-open').waitFor();
  assert.equal(await page.locator('#elder-inactive').count(), 0);
  await page.close();
});

test('the callback queue is worked from the keyboard: rate with a digit, 0 for not reached, D to dial, Enter to open', async () => {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  await login(page, 'op1');
  await page.click('#tab-callbacks');
  const row = (no) => page.locator(`#callback-queue tr[data-ticket="${no}"]`);
  await row('TH0003').waitFor({ timeout: 5000 });
  // The summary in words, the reasons in words, never a code.
  assert.match(await page.locator('#callback-summary').innerText(), /抽取 3 单，待回访 3 单；每日回访容量 200 单/);
  assert.match(await row('TH0001').innerText(), /首次上门/);
  assert.doesNotMatch(await page.locator('#callback-queue').innerText(), /first_visit|new_worker|random/);
  // The first row has the focus: 4 records "reached, rating 4" and moves to the next.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.ticket), 'TH0001');
  await page.keyboard.press('4');
  await page.waitForFunction(() => /已回访/.test(document.querySelector('#callback-queue tr[data-ticket="TH0001"]')?.innerText || ''));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.ticket), 'TH0002');
  // 0: not reached — still to call, with the attempt counted.
  await page.keyboard.press('0');
  await page.waitForFunction(() => /未接通 1\/3 次/.test(document.querySelector('#callback-queue tr[data-ticket="TH0002"]')?.innerText || ''));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.ticket), 'TH0003');
  // D: no PBX hook here, so the number is shown to dial by hand.
  await page.keyboard.press('d');
  await page.locator('#dial-box .dial-number').waitFor();
  assert.match(await page.locator('#dial-box').innerText(), /请手动拨打：\s*0931-8123456/);
  await shot(page, '07-callback-form');
  // Enter opens the callback in the form; the rest with Tab and typing, Enter saves.
  await page.keyboard.press('Enter');
  assert.match(await page.locator('#callback-ticket').innerText(), /TH0003/);
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'reached');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('老人说服务很好');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /已回访/.test(document.querySelector('#callback-queue tr[data-ticket="TH0003"]')?.innerText || ''));
  await page.waitForFunction(() => /待回访 1 单/.test(document.querySelector('#callback-summary').innerText));
  await shot(page, '08-callback-done');
  // A second callback that reaches the elder is refused, in words.
  await row('TH0001').focus();
  await page.keyboard.press('5');
  await page.waitForFunction(() => /已回访过/.test(document.querySelector('#callback-error').textContent));
  // What the server kept.
  const token = await page.evaluate(() => sessionStorage.getItem('vnh.token'));
  const tk = (no) => fetch(`${base}/api/v1/tickets/${no}`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json());
  const [t1, t2, t3] = await Promise.all(['TH0001', 'TH0002', 'TH0003'].map(tk));
  assert.deepEqual(t1.callbacks.map((c) => [c.reached, c.rating]), [[true, 4]]);
  assert.deepEqual(t2.callbacks.map((c) => c.reached), [false]);
  assert.equal(t3.callbacks[0].comment, '老人说服务很好');
  assert.equal(t3.callbacks[0].rating, 5);
  // Filters: what is still to call, and by firm.
  await page.selectOption('#cb-status', 'pending');
  await page.waitForFunction(() => document.querySelectorAll('#callback-queue tr[data-ticket]').length === 1);
  await page.selectOption('#cb-status', '');
  await page.selectOption('#cb-firm', 'F_NEAR');
  await page.waitForFunction(() => [...document.querySelectorAll('#callback-queue tr[data-ticket]')].map((r) => r.dataset.ticket).join() === 'TH0001');
  await page.close();
});

test('a supervisor sees the queues and the firms online; finance sees the settlement page', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await login(page, 'sup1');
  await page.locator('#unassigned').waitFor();
  await shot(page, '09-supervisor-queues');
  await page.click('#tab-firms');
  await page.waitForFunction(() => /在线/.test(document.querySelector('#firms tr[data-firm="F_NEAR"]')?.innerText || ''), null, { timeout: 10000 });
  await shot(page, '10-supervisor-firms');
  await page.click('#lang');
  await page.waitForFunction(() => /online/.test(document.querySelector('#firms tr[data-firm="F_NEAR"]')?.innerText || ''));
  await shot(page, '11-supervisor-firms-en');
  await page.click('#lang');
  await page.close();
  const fin = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  await login(fin, 'fin1');
  await fin.locator('#settle-run').waitFor();
  await shot(fin, '12-finance');
  await fin.close();
});

test('every code the server can send has words in Chinese and English; the console shows words, not codes', async () => {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  await login(page, 'op1');
  const codes = (await apiAs(page, 'GET', '/api/v1/error-codes')).json.codes;
  assert.ok(codes.length > 50, `${codes.length} codes`);
  const missing = await page.evaluate(async (list) => {
    const { t } = await import('/console/i18n.js');
    return list.filter((c) => !t.has(`err.${c}`));
  }, codes);
  assert.deepEqual(missing, []);
  // … and every reason a ticket can be unassigned for.
  const why = (await apiAs(page, 'GET', '/api/v1/error-codes')).json.unassigned_reasons;
  assert.ok(why.includes('no_firm_serves'));
  assert.deepEqual(await page.evaluate(async (list) => {
    const { t } = await import('/console/i18n.js');
    return list.filter((c) => !t.has(`unassigned.${c}`));
  }, why), []);
  // A bad ID number at registration: the field's name and the reason, in Chinese.
  await page.click('#tab-register');
  await fillRegistration(page, { id_number: '620102195001010018', name: '错号', phone: '13900008888' });
  await page.click('#register-submit');
  await page.waitForFunction(() => document.querySelector('#register-error').textContent.length > 0);
  const shown = await page.locator('#register-error').innerText();
  assert.equal(shown, '身份证号：身份证号校验位不正确，请核对。');
  // A wrong password at the login.
  const p2 = await browser.newPage();
  await p2.goto(base + '/');
  await p2.fill('#f-username', 'op1');
  await p2.fill('#f-password', 'not-the-password');
  await p2.click('#login-submit');
  await p2.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  assert.equal(await p2.locator('#login-error').innerText(), '密码：用户名或密码不正确。');
  await p2.close();
  await page.close();
});

test('keyboard and screen reader: every control is named, the note is two Tab stops from the item, ? lists the shortcuts, focus is visible', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  // Every visible control on every tab of an operator and a supervisor has a name a screen
  // reader announces (a label, aria-label or its text).
  const unnamed = () => page.evaluate(() => [...document.querySelectorAll('#main input, #main select, #main textarea, #main button')]
    .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
    .filter((el) => !((el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => `${el.tagName}#${el.id || ''}[name=${el.name || ''}]`));
  for (const user of ['op1', 'sup1']) {
    await login(page, user);
    const tabs = await page.locator('#tabs button').evaluateAll((bs) => bs.map((b) => b.id));
    for (const tab of tabs) {
      await page.click(`#${tab}`);
      await page.waitForFunction(() => document.querySelector('#main .panel, #main table'));
      assert.deepEqual(await unnamed(), [], `${user} ${tab}`);
    }
    await page.click('#logout');
  }
  await login(page, 'op1');
  await page.click('#tab-desk');
  // Item search → urgency → note: two Tab stops.
  await page.focus('#item-search');
  let stops = 0;
  while (stops < 3 && (await page.evaluate(() => document.activeElement.id)) !== 'f-notes') { await page.keyboard.press('Tab'); stops += 1; }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-notes');
  assert.ok(stops <= 3, `${stops} Tab stops`);
  // A focus ring you can see: the focused control's outline is drawn.
  const ring = await page.evaluate(() => { const cs = getComputedStyle(document.activeElement); return [cs.outlineStyle, parseFloat(cs.outlineWidth)]; });
  assert.notEqual(ring[0], 'none');
  assert.ok(ring[1] >= 2, `outline ${ring[1]}px`);
  // Alt+C goes to the elder search, Alt+N to the item search; ? (outside a text field) lists
  // the shortcuts, Esc closes the list.
  await page.keyboard.press('Alt+C');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'find');
  await page.keyboard.press('Alt+N');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'item-search');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('Shift+Slash');
  await page.locator('#help[open]').waitFor();
  const help = await page.locator('#help').innerText();
  for (const k of ['Alt+J', 'Alt+C', 'Alt+N', 'Ctrl+Enter', 'Alt+Shift+1…9']) assert.ok(help.includes(k), k);
  assert.match(help, /接听最早的来电/);
  await shot(page, '21-shortcuts');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.getElementById('help'));
  // Alt+Shift+2: the second tab.
  await page.keyboard.press('Alt+Shift+Digit2');
  await page.waitForFunction(() => location.hash === '#tickets');
  await page.close();
});

test('in zh-CN no screen of any role shows an English sentence or a raw code', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  const ENUMS = new Set(['created', 'offered', 'accepted', 'in_service', 'completed', 'cancelled', 'unassigned', 'disputed', 'random',
    'active', 'suspended', 'exited', 'pending', 'ringing', 'answered', 'ended', 'missed', 'normal', 'emergency', 'operator',
    'supervisor', 'inspector', 'finance', 'admin', 'online', 'offline', 'unknown', 'open', 'investigating', 'substantiated',
    'rejected', 'draft', 'approved', 'manual', 'pbx', 'hotline', 'import', 'system']);
  // What is on screen, line by line, that reads as English or as a code: three English words in
  // a row, a snake_case or dotted.code token, or a bare enum value.
  const offending = () => page.evaluate((enums) => {
    const lines = [];
    for (const root of document.querySelectorAll('#main, #topbar, #toast')) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest('#lang, kbd, script, style, .leaflet-control-attribution') || el.offsetParent === null) continue;
        const text = n.textContent.trim();
        if (text) lines.push(text);
      }
    }
    return lines.filter((l) => /[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}/.test(l) || /\b[a-z]+(?:_[a-z]+)+\b/.test(l) ||
      /\b[a-z]+\.(?!(?:csv|toml|json|html|png)\b)[a-z_]+\b/.test(l) || l.split(/[\s·，,:：()（）]+/).some((w) => enums.includes(w)));
  }, [...ENUMS]);
  const seen = {};
  for (const user of ['op1', 'sup1', 'insp1', 'fin1', 'adm1', 'k2', 'care1']) {
    await login(page, user);
    const tabs = await page.locator('#tabs button').evaluateAll((bs) => bs.map((b) => b.id));
    for (const tab of tabs) {
      await page.click(`#${tab}`);
      await page.waitForFunction(() => document.querySelector('#main .panel, #main table'));
      await page.waitForLoadState('networkidle');
      const bad = await offending();
      if (bad.length) seen[`${user} ${tab}`] = bad;
    }
    if (user === 'k2' || user === 'care1') { await page.click('#logout'); continue; }  // they see no ticket lists
    // A ticket's page, with its whole timeline.
    await page.goto(`${base}/#ticket/TH0001`);
    await page.locator('#ticket-page, .timeline').first().waitFor();
    await page.waitForLoadState('networkidle');
    const bad = await offending();
    if (bad.length) seen[`${user} ticket`] = bad;
    await page.click('#logout');
  }
  assert.deepEqual(seen, {});
  await page.close();
});

// The counter's field as a keyboard-wedge reader uses it: the number, then Enter.
async function swipe(page, no) {
  await page.fill('#counter-card', no);
  await page.press('#counter-card', 'Enter');
}
async function mealsToday(page) {
  const r = await apiAs(page, 'GET', '/api/v1/meals');
  return r.json.meals;
}

test('a canteen counter records a lunch by card in under a second and does not charge a second one without a second Enter', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  await login(page, 'k1');
  await page.selectOption('#counter-slot', 'lunch');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'counter-card');  // the reader types straight in
  await swipe(page, '62011000001');
  await page.locator('#counter-result.ok').waitFor({ timeout: 1000 });  // under a second, check and record
  const text = await page.textContent('#counter-result');
  assert.match(text, /已登记：补贴餐/);
  assert.match(text, /张\*明/);
  assert.match(text, /政府补贴 ¥15\.00 · 老人自付 ¥0\.00/);  // A: free
  await shot(page, 'counter-recorded');
  await swipe(page, '62011000001');
  await page.locator('#counter-result.warn').waitFor();
  assert.match(await page.textContent('#counter-result'), /今天已用过补贴餐/);
  assert.equal((await mealsToday(page)).length, 1);  // shown, not recorded
  await shot(page, 'counter-second-meal');
  await page.press('#counter-card', 'Enter');  // the staff confirms the full price
  await page.locator('#counter-result.full').waitFor();
  const meals = await mealsToday(page);
  assert.equal(meals.length, 2);
  assert.equal(meals[1].government_fen, 0);
  assert.equal(meals[1].elder_fen, 1500);
  // A card reported lost is refused in words; a typed ID number is flagged.
  await page.fill('#counter-lost input', '62011000003');
  await page.click('#counter-lost button');
  await swipe(page, '62011000003');
  await page.locator('#counter-result.bad').waitFor();
  assert.match(await page.textContent('#counter-result'), /挂失或注销/);
  await swipe(page, '620102193806200050');
  await page.locator('#counter-result .flag.override').waitFor();
  assert.equal((await mealsToday(page)).length, 3);
  assert.match(await page.textContent('#counter-totals'), /代刷 1 份/);
  await page.close();
});

test('a counter that goes offline keeps two meals and sends them once when the link is back', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await login(page, 'k2');
  await page.selectOption('#counter-slot', 'lunch');
  const before = (await mealsToday(page)).length;
  await context.setOffline(true);
  await swipe(page, '62011000002');
  await page.locator('#counter-result.queued').waitFor();
  await swipe(page, '62011000004');
  await page.locator('#counter-queued', { hasText: '2 份待上传' }).waitFor();
  await page.locator('#counter-link.off').waitFor();
  await shot(page, 'counter-offline');
  await context.setOffline(false);
  await page.locator('#counter-link.on').waitFor({ timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('#counter-queued').textContent === '', null, { timeout: 15000 });
  // The page may have sent a meal more than once while the link came back; the server kept each once.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  const meals = await mealsToday(page);
  assert.equal(meals.length, before + 2);
  assert.deepEqual(meals.slice(-2).map((m) => m.government_fen), [1000, 1000]);  // 李四芳 75, 张林 86: both subsidised
  await shot(page, 'counter-back-online');
  await context.close();
});

test('finance runs last month: a draft statement with the total in 大写; another finance user approves it from a dialog and it says approved', async () => {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, locale: 'zh-CN' });
  await login(page, 'fin1');
  await page.fill('#settle-month', PREV);
  await page.dispatchEvent('#settle-month', 'change');
  await page.click('#settle-run');
  await page.locator('#settle-status', { hasText: '待审批' }).waitFor();
  await page.locator('#settlement-canteen-lines td', { hasText: 'K1' }).waitFor();
  const statement = async () => (await fetch(`${base}/api/v1/settlements/${PREV}/html`, { headers: { Authorization: `Bearer ${await tokenOf(page)}` } })).text();
  let html = await statement();
  assert.match(html, /草稿 DRAFT/);
  assert.match(html, /伍拾捌元整/);
  assert.match(html, /¥58\.00/);
  assert.match(html, /兰州市城关区民政局/);
  await shot(page, 'finance-draft');
  await page.click('#logout');
  await login(page, 'fin2');
  await page.fill('#settle-month', PREV);
  await page.dispatchEvent('#settle-month', 'change');
  await page.locator('#settle-status', { hasText: '待审批' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('#settle-approve').disabled);
  await page.click('#settle-approve');
  await page.locator('#approve-dialog').waitFor();
  assert.equal(await page.textContent('#approve-total'), '¥58.00');
  await shot(page, 'finance-approve-dialog');
  await page.click('#approve-confirm');
  await page.locator('#settle-status', { hasText: '已审批' }).waitFor();
  html = await statement();
  assert.match(html, /已审批 APPROVED · 审批人 fin2/);
  assert.doesNotMatch(html, /草稿 DRAFT/);
  assert.match(html, /伍拾捌元整/);
  // The printed statement: A4 with page numbers.
  const print = await browser.newPage();
  await print.setContent(html);
  const pdf = await print.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await print.close();
  await page.close();
});

test('a canteen sees tomorrow\'s delivery orders on a phone-sized screen and its route sheet prints', async () => {
  const tomorrow = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  const op = await browser.newPage();
  await login(op, 'op1');
  const placed = await apiAs(op, 'POST', '/api/v1/meals/orders', { id_number: '620102194001010019', canteen_code: 'K1', date: tomorrow, slot: 'lunch', mode: 'delivery' });
  // Before 15:00 the order is taken; after it, tomorrow is closed — both are the rule.
  assert.ok(placed.status === 201 || placed.json.error.code === 'order_closed', JSON.stringify(placed.json));
  await op.close();
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await login(page, 'k1');
  await page.click('#tab-deliveries');
  await page.fill('#delivery-date', tomorrow);
  await page.dispatchEvent('#delivery-date', 'change');
  if (placed.status === 201) {
    await page.locator('#delivery-list .card.delivery', { hasText: '张*' }).waitFor();
    assert.match(await page.textContent('#delivery-kitchen'), /午餐送餐 1/);
  } else {
    await page.locator('#delivery-list p').waitFor();
  }
  await shot(page, 'canteen-deliveries-phone');
  const sheet = await fetch(`${base}/api/v1/meals/route-sheet?date=${tomorrow}`, { headers: { Authorization: `Bearer ${await tokenOf(page)}` } });
  assert.equal(sheet.status, 200);
  const html = await sheet.text();
  assert.match(html, /送餐路线单 · 畅家巷助餐点/);
  if (placed.status === 201) assert.match(html, /张林/);
  const print = await browser.newPage();
  await print.setContent(html);
  const pdf = await print.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await print.close();
  await page.close();
});

test('the console works with no internet: every asset comes from the binary', async () => {
  const page = await browser.newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  await login(page, 'op1');
  assert.deepEqual(foreign, []);
  await page.close();
});

test('a care worker\'s day on a phone: my elders, a visit with its findings, a ticket opened from a finding', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await login(page, 'care1');
  // Only her elder: 王五 (张林 has no care worker).
  await page.locator('#care-due li[data-elder]').first().waitFor();
  const rows = await page.locator('#care-due li[data-elder]').allInnerTexts();
  assert.equal(rows.length, 1, rows.join(' | '));
  assert.match(rows[0], /王五/);
  assert.match(rows[0], /独居、低保/);
  assert.match(await page.textContent('#care-summary'), /30 天内待探访 1 人/);
  await shot(page, 'care-due-phone');
  await page.click('#care-due li[data-elder] button');
  await page.locator('#care-visit').waitFor();
  await page.selectOption('#care-safety', 'poor');
  await page.selectOption('#care-health', 'fair');
  await page.fill('#care-needs', '浴室地滑，需要助浴');
  await page.fill('#care-note', '冰箱食物不足');
  await page.selectOption('#care-item', 'LC010');
  await shot(page, 'care-visit-form-phone');
  await page.click('#care-save');
  await page.locator('#care-ticket a.ticket-link').waitFor();
  const ticketNo = (await page.textContent('#care-ticket a.ticket-link')).trim();
  assert.match(ticketNo, /^T\d+/);
  // Recorded as she saw it, the ticket offered like any other, the next visit a week away.
  const visits = await apiAs(page, 'GET', '/api/v1/care/visits?elder_id=E3');
  assert.equal(visits.status, 200);
  assert.equal(visits.json.visits[0].findings.safety, 'poor');
  assert.equal(visits.json.visits[0].ticket_no, ticketNo);
  const due = await apiAs(page, 'GET', '/api/v1/care/due?within_days=5');
  assert.equal(due.json.due.length, 0);
  // The card of 王五 at the desk shows the care target.
  const sup = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  await login(sup, 'sup1');
  const t = await apiAs(sup, 'GET', `/api/v1/tickets/${ticketNo}`);
  assert.equal(t.json.channel, 'app');
  await sup.click('#tab-care');
  await sup.locator('#care-report table').waitFor();
  assert.match(await sup.textContent('#care-report'), /1 \/ 2 人已探访/);
  await shot(sup, 'care-supervisor');
  await sup.close();
  await page.close();
});

test('a supervisor records a death reported by phone: the card says so, the open ticket is cancelled, nothing more is ordered', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  await login(page, 'sup1');
  // An item no firm covers: the ticket stays open (unassigned) until the death cancels it,
  // however quickly the partner firms complete what they accept.
  const open = await apiAs(page, 'POST', '/api/v1/tickets', { id_number: '620102193806200050', item_code: 'EC001' });
  assert.equal(open.status, 201, JSON.stringify(open.json));
  await page.click('#tab-desk');
  await page.fill('#find', '王五');
  await page.press('#find', 'Enter');
  // The care target is edited on the card: now also disabled, visited monthly.
  await page.locator('#elder-care-open').waitFor();
  await page.click('#elder-care-open');
  await page.check('#elder-care-form input[value=disabled]');
  await page.selectOption('#care-tier', 'key');
  await page.click('#care-target-save');
  await page.waitForFunction(() => /失能/.test(document.querySelector('#elder-care')?.innerText || '') && /重点/.test(document.querySelector('#elder-care').innerText));
  await page.locator('#elder-death-open').waitFor();
  await page.click('#elder-death-open');
  const yesterday = new Date(Date.now() + 8 * 3600e3 - 86400e3).toISOString().slice(0, 10);
  await page.fill('#death-day', yesterday);
  await page.fill('#death-informant', '女儿 王丽');
  // Not without the confirmation.
  await page.click('#death-save');
  await page.waitForFunction(() => /请先勾选确认/.test(document.querySelector('#elder-death .error').textContent));
  await page.check('#death-confirm');
  await page.click('#death-save');
  await page.locator('#elder-deceased').waitFor();
  assert.match(await page.textContent('#elder-deceased'), new RegExp(`已于 ${yesterday} 去世（电话告知）`));
  assert.equal(await page.locator('#elder-death-open').count(), 0);
  assert.equal(await page.locator('#elder-deactivate-open, #elder-reactivate-open').count(), 0);
  await shot(page, 'elder-deceased');
  const t = await apiAs(page, 'GET', `/api/v1/tickets/${open.json.ticket_no}`);
  assert.equal(t.json.state, 'cancelled');
  const again = await apiAs(page, 'POST', '/api/v1/tickets', { id_number: '620102193806200050', item_code: 'MC001' });
  assert.equal(again.json.error.code, 'elder_deceased');
  // Out of the care worker's list.
  const care = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await login(care, 'care1');
  await care.locator('#care-due li').first().waitFor();
  assert.equal(await care.locator('#care-due li[data-elder]').count(), 0);
  await care.close();
  await page.close();
});

test('a death found after its month was approved: finance recovers the bath and waives the lunch, with a reason', async () => {
  // Last month (approved by the finance test above) paid F_MID 4800 fen for 张林's bath on the
  // 10th and K1 1000 fen for his lunch; the civil registry says he died on the 5th.
  const fin = await browser.newPage();
  await login(fin, 'fin1');
  const run = await apiAs(fin, 'GET', `/api/v1/settlements/${PREV}`);
  assert.equal(run.json.status, 'approved', 'the finance test approves the previous month first');
  await fin.close();
  const sup = await browser.newPage();
  await login(sup, 'sup1');
  const found = await apiAs(sup, 'GET', '/api/v1/elders?phone=13900002222');
  const elder = found.json.elders.find((e) => e.name.startsWith('张'));
  const death = await apiAs(sup, 'POST', `/api/v1/elders/${elder.elder_id}/death`, { died_on: `${PREV}-05`, informant: '社区 民政专干' });
  assert.equal(death.status, 201, JSON.stringify(death.json));
  assert.deepEqual(death.json.recoveries.map((r) => r.amount_fen).sort((a, b) => a - b), [1000, 4800]);
  await sup.close();
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, locale: 'zh-CN' });
  await login(page, 'fin1');
  await page.click('#tab-recoveries');
  // Last month is approved: the recoveries go into this month.
  const THIS = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
  await page.waitForFunction((m) => document.querySelector('#recover-month')?.value === m, THIS);
  await page.locator('#recover-summary', { hasText: '2 项待追回，合计 ¥58.00' }).waitFor();
  await shot(page, 'finance-recoveries');
  const meal = page.locator('#recover-rows tr', { hasText: '助餐' });
  const bath = page.locator('#recover-rows tr', { hasText: '上门服务' });
  assert.match(await bath.innerText(), /TP0001[\s\S]*企业 F_MID[\s\S]*48\.00/);
  // Waiving needs a reason.
  await meal.getByRole('button', { name: '核销' }).click();
  await page.click('#recover-waive-confirm');
  await page.locator('#recover-waive .error', { hasText: '请填写核销原因' }).waitFor();
  await page.fill('#recover-note', '家属已直接退还助餐点');
  await page.click('#recover-waive-confirm');
  await page.locator('#recover-summary', { hasText: '1 项待追回，合计 ¥48.00' }).waitFor();
  assert.equal(await page.textContent('#recover-apply'), '追回所选 1 项');
  await page.click('#recover-apply');
  await page.locator('#recover-summary', { hasText: '没有待处理的追回项' }).waitFor();
  const adj = await apiAs(page, 'GET', `/api/v1/settlements/${THIS}/adjustments`);
  assert.equal(adj.status, 200, JSON.stringify(adj.json));
  const mine = adj.json.adjustments.filter((a) => a.corrects_month === PREV);
  assert.deepEqual(mine.map((a) => [a.firm_code, a.amount_fen]), [['F_MID', -4800]]);
  await page.close();
});

test('an operator sets up a daily lunch delivery from the elder card: the orders appear two days ahead', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  await login(page, 'op1');
  await page.click('#tab-desk');
  await page.fill('#find', '张三明');
  await page.press('#find', 'Enter');
  await page.locator('#elder-recurrence-open').waitFor();
  await page.click('#elder-recurrence-open');
  await page.selectOption('#rec-kind', 'meal');
  // The canteens of his own community come first: K1 is in 畅家巷社区.
  await page.waitForFunction(() => document.querySelector('#rec-canteen')?.options.length === 2);
  assert.equal(await page.inputValue('#rec-canteen'), 'K1');
  assert.equal(await page.isVisible('#rec-item'), false);
  assert.equal(await page.inputValue('#rec-from'), '11:00');
  await page.selectOption('#rec-rule', 'FREQ=DAILY');
  await shot(page, 'elder-meal-recurrence');
  await page.click('#rec-save');
  await page.locator('#elder-recurrences .recurrence.active', { hasText: '畅家巷助餐点' }).waitFor();
  assert.match(await page.textContent('#elder-recurrences'), /每天 11:00–12:30/);
  // The job made the order of the day after tomorrow (tomorrow's may be past the 15:00 cut-off).
  const card = (await apiAs(page, 'GET', '/api/v1/elders?phone=13970241505')).json.elders[0];
  const list = await apiAs(page, 'GET', `/api/v1/recurrences?elder_id=${card.elder_id}`);
  const r = list.json.recurrences.find((x) => x.canteen_code === 'K1');
  assert.ok(r, JSON.stringify(list.json));
  assert.equal(r.slot, 'lunch');
  assert.equal(r.mode, 'delivery');
  const day2 = new Date(Date.now() + 8 * 3600e3 + 2 * 86400e3).toISOString().slice(0, 10);
  const orders = await apiAs(page, 'GET', `/api/v1/meals/orders?canteen_code=K1&date=${day2}`);
  assert.equal(orders.status, 200, JSON.stringify(orders.json));
  assert.equal(orders.json.orders.filter((o) => o.elder_id === card.elder_id && o.state === 'ordered').length, 1);
  await page.close();
});

test('the supervisor\'s live map: the workers where they were last seen, a popup that says who and what, a worker who moves is moved within 2 s', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  // The street's and its two communities' outlines, as a district loads them (area-shapes).
  const admin = (await api('POST', '/api/v1/login', { username: 'adm1', password: 'password-123' })).json.token;
  const ring = (lat, lon, d) => `[[[${lon - d},${lat - d}],[${lon + d},${lat - d}],[${lon + d},${lat + d}],[${lon - d},${lat + d}],[${lon - d},${lat - d}]]]`;
  const shapes = { type: 'FeatureCollection', features: [['620102001', 36.062, 103.832, 0.01], ['620102001001', 36.060, 103.830, 0.003],
    ['620102001002', 36.062, 103.834, 0.003]].map(([code, lat, lon, d]) => ({ type: 'Feature', properties: { code },
    geometry: { type: 'Polygon', coordinates: JSON.parse(ring(lat, lon, d)) } })) };
  const loaded = await fetch(`${base}/api/v1/import/area-shapes?file=jiuquanlu.geojson`, { method: 'POST',
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/geo+json' }, body: JSON.stringify(shapes) });
  assert.equal(loaded.status, 200, await loaded.text());
  await login(page, 'sup1');
  await page.click('#tab-map');
  // The outlines under the points, and no tile layer: none is configured, nothing is fetched from outside.
  await page.waitForFunction(() => document.querySelector('#live-map').dataset.areas === '3');
  assert.equal(await page.getAttribute('#live-map', 'data-tiles'), '0');
  // The open exceptions of the week, as many as the API lists.
  const excs = (await apiAs(page, 'GET', '/api/v1/map/exceptions')).json.exceptions.length;
  await page.waitForFunction((n) => new RegExp(`核验异常\\s*${n}$`).test(document.querySelector('#map-count-exceptions')?.textContent || ''), excs);
  // N1 checked in and out in the tests above: he is on the map, idle, as the API says.
  await page.locator('[data-worker="F_NEAR/N1"]').waitFor();
  await page.waitForFunction(() => /更新|：/.test(document.querySelector('#map-note').textContent));
  assert.match(await page.textContent('#map-note'), /名服务人员有位置/);
  const listed = await apiAs(page, 'GET', '/api/v1/map/workers');
  const n1 = listed.json.workers.find((w) => w.staff_code === 'N1');
  assert.equal(n1.state, 'idle');
  assert.equal(n1.name, '赵工');
  assert.equal(await page.locator('[data-worker]').count(), listed.json.workers.length);
  assert.match(await page.textContent('#map-count-idle'), new RegExp(`空闲\\s*${listed.json.workers.filter((w) => w.state === 'idle').length}`));
  await page.click('[data-worker="F_NEAR/N1"]');
  await page.locator('.map-popup[data-popup="F_NEAR/N1"]').waitFor();
  const popup = await page.textContent('.map-popup[data-popup="F_NEAR/N1"]');
  assert.match(popup, /赵工/);
  assert.match(popup, /近邻家政/);
  assert.match(popup, /空闲/);
  await shot(page, 'map-supervisor');
  // A blood-pressure check for 张林 (C) at 36.0610, 103.8310: only F_MID does medical care, so M1
  // travels there, reporting where he is, and checks in at the door.
  const at = (lat, lon) => page.evaluate(([la, lo]) => {
    const p = document.querySelector('#live-map')._vnh.workers.get('F_MID/M1')?.marker.getLatLng();
    return !!p && Math.abs(p.lat - la) < 0.00045 && Math.abs(p.lng - lo) < 0.00045;
  }, [lat, lon]);
  assert.equal(await at(36.0610, 103.8310), false, 'M1 starts somewhere else');
  const made = await apiAs(page, 'POST', '/api/v1/tickets', { id_number: '620102194001010019', item_code: 'MC001' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const moved = await page.waitForFunction(() => {
    const p = document.querySelector('#live-map')._vnh.workers.get('F_MID/M1')?.marker.getLatLng();
    return p && Math.abs(p.lat - 36.0610) < 0.00045 && Math.abs(p.lng - 103.8310) < 0.00045 ? Date.now() : false;
  }, null, { timeout: 15000, polling: 50 });
  const movedAt = await moved.jsonValue();
  const ticket = (await apiAs(page, 'GET', `/api/v1/tickets/${made.json.ticket_no}`)).json;
  assert.ok(ticket.checkin_at, JSON.stringify(ticket));
  const late = movedAt - Date.parse(ticket.checkin_at);
  assert.ok(late < 2000, `the map moved ${late} ms after the check-in`);
  // His name and firm were read when he first appeared (a quarter-hour check at 3600× is over
  // in a quarter of a second: he is idle again at the door).
  await page.keyboard.press('Escape');
  await page.locator('[data-worker="F_MID/M1"]').click();
  // The open popup fills in when the re-read brings his name.
  await page.locator('.map-popup[data-popup="F_MID/M1"]', { hasText: '钱工 · 中和护理' }).waitFor({ timeout: 5000 });
  await shot(page, 'map-worker-moved');
  await page.close();
});

test('the supervisor\'s dashboard draws the API\'s numbers: tiles, service mix, days, league; each as CSV', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, locale: 'zh-CN', acceptDownloads: true });
  await login(page, 'sup1');
  await page.click('#tab-stats');
  await page.waitForFunction(() => /统计区间/.test(document.querySelector('#stats-note')?.textContent || ''));
  const from = await page.inputValue('#stats-from');
  const to = await page.inputValue('#stats-to');
  const o = (await apiAs(page, 'GET', `/api/v1/stats/overview?from=${from}&to=${to}`)).json;
  assert.ok(o.created >= 5, JSON.stringify(o));  // the history above and the tickets of the tests before
  assert.equal((await page.textContent('#tile-created .tile-value')).trim(), String(o.created));
  assert.equal((await page.textContent('#tile-completed .tile-value')).trim(), String(o.completed));
  assert.match(await page.textContent('#tile-window .tile-caption'), /预约时段内签到/);
  // The charts hold the API's numbers (ECharts draws on a canvas: its option is what it drew).
  const series = (id) => page.evaluate((el) => window.echarts.getInstanceByDom(document.getElementById(el)).getOption().series, id);
  const mix = (await apiAs(page, 'GET', `/api/v1/stats/services?from=${from}&to=${to}&by=category`)).json;
  const pie = (await series('chart-mix'))[0].data;
  assert.deepEqual(pie.map((d) => [d.key, d.value]), mix.rows.map((r) => [r.key, r.tickets]));
  assert.ok(pie.some((d) => d.name === '生活照料'), JSON.stringify(pie));
  const days = await series('chart-days');
  assert.deepEqual(days[0].data, o.days.map((d) => d.created));
  assert.deepEqual(days[1].data, o.days.map((d) => d.completed));
  const hours = (await apiAs(page, 'GET', `/api/v1/stats/services?from=${from}&to=${to}&by=hour`)).json;
  const hourBars = (await series('chart-hours'))[0].data;
  assert.equal(hourBars.length, 24);
  for (const r of hours.rows) assert.equal(hourBars[Number(r.key)], r.tickets);
  // The league of last month: F_MID was inspected (90/90/90) and has T; the table says so.
  const league = (await apiAs(page, 'GET', `/api/v1/stats/firms?month=${PREV}`)).json;
  const mid = league.firms.find((f) => f.firm_code === 'F_MID');
  assert.ok(mid && mid.score_total !== null && mid.rank === 1, JSON.stringify(league));
  await page.locator('#league tr[data-firm="F_MID"]').waitFor();
  const row = await page.textContent('#league tr[data-firm="F_MID"]');
  assert.match(row, /中和护理/);
  assert.ok(row.includes(String(mid.score_total)), row);
  assert.equal(await page.locator('#league tr[data-firm]').count(), league.firms.length);
  // Switching the mix to channels redraws it in words.
  await page.selectOption('#stats-by', 'channel');
  await page.waitForFunction(() => window.echarts.getInstanceByDom(document.getElementById('chart-mix')).getOption().series[0].data.some((d) => d.name === '历史导入'));
  // The CSV buttons download what the API says.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-overview')]);
  assert.match(download.suggestedFilename(), /^overview-.*\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, new RegExp(`^created,${o.created}\\r$`, 'm'));
  await shot(page, 'stats-dashboard');
  await page.close();
});

test('the display role gets the wall view: big figures, the map, no controls, and it refreshes itself', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  await page.clock.install();
  await page.goto(base + '/');
  await page.fill('#f-username', 'wall1');
  await page.fill('#f-password', 'password-123');
  await page.click('#login-submit');
  await page.locator('#wall-tiles #tile-created').waitFor();
  await page.locator('[data-worker]').first().waitFor();
  // No header, tabs, buttons or fields: nothing to press on a wall.
  assert.equal(await page.locator('#topbar').isVisible(), false);
  assert.equal(await page.locator('#main button:visible, #main input:visible, #main select:visible').count(), 0);
  const today = (await page.evaluate(() => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)));
  const before = (await apiAs(page, 'GET', `/api/v1/stats/overview?from=${today}&to=${today}`)).json;
  assert.equal((await page.textContent('#tile-created .tile-value')).trim(), String(before.created));
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('#tile-created .tile-value')).fontSize));
  assert.ok(size >= 48, `the figures are ${size}px`);
  assert.doesNotMatch(await page.textContent('#main'), /[A-Za-z]{3,}\s+[A-Za-z]{3,}\s+[A-Za-z]{3,}/);
  // A ticket filed by an operator shows on the wall at its next minute's refresh.
  const op = await browser.newPage();
  await login(op, 'op1');
  const made = await apiAs(op, 'POST', '/api/v1/tickets', { id_number: '620102195810100019', item_code: 'EC001' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  await op.close();
  await page.clock.fastForward(61000);
  await page.waitForFunction((n) => document.querySelector('#tile-created .tile-value').textContent.trim() === String(n), before.created + 1);
  await shot(page, 'wall-display');
  await page.close();
});

test('the exceptions queue counts and filters, and clears many with one reason and note; an alert survives a reload until acknowledged', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, locale: 'zh-CN' });
  const admin = (await api('POST', '/api/v1/login', { username: 'adm1', password: 'password-123' })).json.token;
  // Three visits by F_MID yesterday, checked in a kilometre from the elder's home.
  let csv = 'ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n';
  for (const [no, h] of [['TX0001', 9], ['TX0002', 11], ['TX0003', 13]]) {
    csv += `${no},620102195810100019,LC010,F_MID,normal,${shanghai(-1, h, 0)},${shanghai(-1, h + 2, 0)},${shanghai(-1, 8, 0)},${shanghai(-1, h, 5)},36.0700,103.8300,${shanghai(-1, h + 1, 10)},36.0600,103.8300,M1,completed\r\n`;
  }
  const imported = await fetch(`${base}/api/v1/import/tickets`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'text/csv' }, body: csv });
  assert.equal(imported.status, 200, await imported.text());
  await login(page, 'sup1');
  await page.click('#tab-exceptions');
  await page.waitForFunction(() => /共 \d+ 条/.test(document.querySelector('#exc-count').textContent));
  const all = (await apiAs(page, 'GET', '/api/v1/exceptions')).json.count;
  assert.equal(await page.textContent('#exc-count'), `共 ${all} 条`);
  await page.selectOption('#exc-filter-firm', 'F_MID');
  await page.selectOption('#exc-filter-type', 'distance');
  const mid = (await apiAs(page, 'GET', '/api/v1/exceptions?firm=F_MID&type=distance')).json.count;
  assert.ok(mid >= 3);
  await page.waitForFunction((n) => document.querySelector('#exc-count').textContent === `共 ${n} 条`, mid);
  for (const no of ['TX0001', 'TX0002', 'TX0003']) {
    await page.locator(`#exceptions tr:has(a:text-is("${no}")) input.exc-tick`).check();
  }
  assert.equal(await page.textContent('#exc-bulk-clear'), '批量清除所选（3 条）');
  await page.selectOption('#exc-bulk-reason', 'no_signal_indoors');
  await page.fill('#exc-bulk-note', '楼内无信号，已电话核实三次服务');
  await shot(page, 'exceptions-bulk');
  await page.click('#exc-bulk-clear');
  await page.waitForFunction((n) => document.querySelector('#exc-count').textContent === `共 ${n} 条`, mid - 3);
  assert.equal(await page.locator('#exceptions a:text-matches("TX000[123]")').count(), 0);
  const audit = (await api('GET', '/api/v1/audit?limit=50', undefined, { Authorization: `Bearer ${admin}` })).json.entries
    .filter((e) => e.action === 'visit_exception.clear' && /TX000[123]/.test(e.subject));
  assert.equal(audit.length, 3);
  assert.ok(audit.every((e) => e.actor === 'sup1' && e.detail.reason_code === 'no_signal_indoors'));

  // An emergency raises an alert; it is still there after a reload, until acknowledged.
  await page.click('#tab-queues');
  const made = await apiAs(page, 'POST', '/api/v1/tickets', { id_number: '62010219511015004X', item_code: 'LC010', urgency: 'emergency' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const card = () => page.locator('#alerts [data-alert]', { has: page.locator(`a:text-is("${made.json.ticket_no}")`) });
  await card().waitFor();
  await page.reload();
  await page.waitForSelector('#live-status.on');
  await card().waitFor();
  assert.match(await card().textContent(), /紧急/);
  await card().locator('button').click();
  await card().waitFor({ state: 'detached' });
  await page.reload();
  await page.waitForSelector('#live-status.on');
  await page.waitForFunction(() => /待确认|暂无告警/.test(document.querySelector('#alerts')?.parentElement?.textContent || ''));
  assert.equal(await card().count(), 0);
  const stored = (await apiAs(page, 'GET', '/api/v1/alerts?state=all')).json.alerts.find((a) => a.ticket_no === made.json.ticket_no && a.kind === 'emergency');
  assert.equal(stored.acknowledged_by, 'sup1');
  await page.close();
});

test('the inspector\'s month table: last month by default with its scores and the firm\'s month beside them; all firms saved at once; a settled month refused in words', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  const CUR = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
  await login(page, 'insp1');
  const row = (firm) => page.locator(`#inspection-rows tr[data-firm="${firm}"]`);
  await row('F_MID').waitFor();
  assert.equal(await page.inputValue('#inspection-month'), PREV);
  // Last month: F_MID's scores as entered, and its month as the platform saw it (TP0001).
  const league = (await apiAs(page, 'GET', `/api/v1/stats/firms?month=${PREV}`)).json.firms.find((f) => f.firm_code === 'F_MID');
  assert.equal(league.tickets, 1);
  const cells = await row('F_MID').locator('td').allTextContents();
  assert.equal(cells[2], '1');
  assert.equal(cells[6], `${league.complaints_substantiated}/${league.complaints}`);
  assert.deepEqual(await row('F_MID').locator('input.score').evaluateAll((xs) => xs.map((x) => x.value)), ['90.00', '90.00', '90.00']);
  assert.match(await row('F_MID').locator('td').last().textContent(), /已录入（/);
  assert.equal(await row('F_NEAR').locator('td').last().textContent(), '未录入');
  await shot(page, 'inspector-month');

  // This month: both firms in one go; a score over 100 is caught before anything is sent.
  await page.fill('#inspection-month', CUR);
  await page.dispatchEvent('#inspection-month', 'change');
  await page.waitForFunction(() => document.querySelector('#inspection-rows tr[data-firm="F_MID"] input').value === '');
  const scores = { F_NEAR: ['88', '86.5', '90'], F_MID: ['92', '101', '89.25'] };
  for (const [firm, v] of Object.entries(scores)) {
    const inputs = row(firm).locator('input.score');
    for (let i = 0; i < 3; ++i) await inputs.nth(i).fill(v[i]);
  }
  assert.equal(await page.textContent('#inspection-summary'), '共 2 家服务商，已录入 0 家，待保存 2 家');
  await page.click('#inspection-save');
  assert.match(await page.textContent('#inspection-error'), /中和护理的“服务规范 N”应为 0 到 100 的分数/);
  assert.equal((await apiAs(page, 'GET', `/api/v1/inspections?month=${CUR}`)).json.inspections.length, 0);
  await row('F_MID').locator('input.score').nth(1).fill('91');
  await page.click('#inspection-save');
  await page.locator('#toast', { hasText: '已保存 2 家服务商' }).waitFor();
  await page.waitForFunction(() => /已录入 2 家，待保存 0 家/.test(document.querySelector('#inspection-summary').textContent));
  const saved = Object.fromEntries((await apiAs(page, 'GET', `/api/v1/inspections?month=${CUR}`)).json.inspections
    .map((i) => [i.firm_code, [i.enterprise_building, i.service_norms, i.staff_management]]));
  assert.deepEqual(saved, { F_NEAR: ['88.00', '86.50', '90.00'], F_MID: ['92.00', '91.00', '89.25'] });

  // Last month was approved by finance (the settlement test above): a change is refused whole, in words.
  const fin = (await api('POST', '/api/v1/login', { username: 'fin1', password: 'password-123' })).json.token;
  const run = await api('GET', `/api/v1/settlements/${PREV}`, undefined, { Authorization: `Bearer ${fin}` });
  assert.equal(run.json.status, 'approved');
  await page.fill('#inspection-month', PREV);
  await page.dispatchEvent('#inspection-month', 'change');
  await page.waitForFunction(() => document.querySelector('#inspection-rows tr[data-firm="F_MID"] input').value === '90.00');
  await row('F_MID').locator('input.score').first().fill('80');
  await page.click('#inspection-save');
  await page.waitForFunction(() => document.querySelector('#inspection-error').textContent !== '');
  assert.equal(await page.textContent('#inspection-error'), '该月已审批锁定，更正请记入以后月份的调整。');
  const after = (await apiAs(page, 'GET', `/api/v1/inspections?month=${PREV}`)).json.inspections.find((i) => i.firm_code === 'F_MID');
  assert.equal(after.enterprise_building, '90.00');
  await page.close();
});

test('an administrator imports a bad CSV and sees its line errors; resets a password, disables after confirming, re-enables; a token shown once; the policy', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  await login(page, 'adm1');
  await page.click('#tab-imports');
  const bad = 'code,name,base_lat,base_lon,daily_capacity,status\r\nF_NEW,新企业,36.07,103.83,40,active\r\n' +
    'F_NEAR,重复的企业,36.07,103.83,40,active\r\nF_X,,36.07,103.83,40,active\r\nF_Y,坏容量,36.07,103.83,many,active\r\n';
  await page.selectOption('#import-kind', 'firms');
  await page.setInputFiles('#import-file', { name: 'firms-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.click('#import-submit');
  await page.locator('#import-errors').waitFor();
  assert.match(await page.textContent('#import-result'), /firms-bad\.csv 未导入：共 3 处错误，未写入任何数据/);
  const lines = await page.locator('#import-errors tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(lines, [
    ['3', 'code', '重复（已存在或文件内重复）', 'F_NEAR,重复的企业,36.07,103.83,40,active'],
    ['4', 'name', '必填项为空', 'F_X,,36.07,103.83,40,active'],
    ['5', 'daily_capacity', '格式不正确', 'F_Y,坏容量,36.07,103.83,many,active'],
  ]);
  await shot(page, 'admin-import-errors');
  const firms = async () => (await apiAs(page, 'GET', '/api/v1/firms')).json.firms.map((f) => f.code);
  assert.ok(!(await firms()).includes('F_NEW'));
  await page.setInputFiles('#import-file', { name: 'firms-good.csv', mimeType: 'text/csv',
    buffer: Buffer.from('code,name,base_lat,base_lon,daily_capacity,status\r\nF_NEW,新企业,36.07,103.83,40,active\r\n') });
  await page.click('#import-submit');
  await page.locator('#import-result', { hasText: '已从 firms-good.csv 导入 1 行企业数据' }).waitFor();
  assert.ok((await firms()).includes('F_NEW'));

  // A password reset: two entries that differ are caught; then op2's old session and password stop.
  const op2 = (await api('POST', '/api/v1/login', { username: 'op2', password: 'password-123' })).json.token;
  await page.click('#tab-users');
  const user = page.locator('#user-rows tr[data-user="op2"]');
  await user.locator('button', { hasText: '重置密码' }).click();
  await page.fill('#reset-password', 'new-password-456');
  await page.fill('#reset-password-again', 'new-password-457');
  await page.click('#reset-confirm');
  await page.locator('#reset-dialog .error', { hasText: '两次输入的密码不一致' }).waitFor();
  await page.fill('#reset-password-again', 'new-password-456');
  await page.click('#reset-confirm');
  await page.locator('#toast', { hasText: '已为 op2 重置密码' }).waitFor();
  assert.equal((await api('GET', '/api/v1/me', undefined, { Authorization: `Bearer ${op2}` })).status, 401);
  assert.equal((await api('POST', '/api/v1/login', { username: 'op2', password: 'password-123' })).status, 401);
  assert.equal((await api('POST', '/api/v1/login', { username: 'op2', password: 'new-password-456' })).status, 200);
  // Disabling asks first; Cancel changes nothing; then disabled, then re-enabled.
  await user.locator('button', { hasText: '停用' }).click();
  await page.locator('#disable-dialog', { hasText: '停用后该用户立即退出所有已登录的控制台' }).waitFor();
  await page.click('#disable-dialog-close');
  assert.equal(await user.locator('td').nth(3).textContent(), '启用');
  await user.locator('button', { hasText: '停用' }).click();
  await page.click('#disable-confirm');
  await page.waitForFunction(() => document.querySelector('#user-rows tr[data-user="op2"] td:nth-child(4)').textContent === '停用');
  assert.equal((await api('POST', '/api/v1/login', { username: 'op2', password: 'new-password-456' })).status, 401);
  await user.locator('button', { hasText: '启用' }).click();
  await page.waitForFunction(() => document.querySelector('#user-rows tr[data-user="op2"] td:nth-child(4)').textContent === '启用');
  assert.equal((await api('POST', '/api/v1/login', { username: 'op2', password: 'new-password-456' })).status, 200);

  // A new partner token for the imported firm: asked first, shown once.
  await page.click('#tab-firms');
  await page.locator('#firms tr[data-firm="F_NEW"] button', { hasText: '换发令牌' }).click();
  await page.locator('#token-dialog', { hasText: '旧令牌立即失效' }).waitFor();
  await page.click('#token-confirm');
  await page.locator('#token-shown', { hasText: '令牌只显示这一次' }).waitFor();
  const token = await page.inputValue('#token-value');
  assert.ok(token.length >= 32);
  await page.click('#token-shown-close');
  await page.locator('#token-value').waitFor({ state: 'detached' });

  // The policy in force, and the month settled under it.
  await page.click('#tab-policy');
  const policies = (await apiAs(page, 'GET', '/api/v1/policies')).json;
  await page.waitForFunction(() => /起生效/.test(document.querySelector('#policy-facts').textContent));
  assert.equal(await page.textContent('#policy-facts'), `自 ${policies.in_force.effective_month} 起生效 · 摘要 ${policies.in_force.digest.slice(0, 16)}… · 来源 内置默认政策（data/policy.toml）`);
  const current = page.locator('#policy-history tr.current');
  assert.match(await current.textContent(), /（现行）/);
  assert.match(await current.textContent(), new RegExp(PREV));
  await page.click('#policy-facts + details summary');  // the file's own text, only when asked for
  await page.waitForFunction(() => /effective_from = "2020-01"/.test(document.querySelector('#policy-body').textContent));
  await page.close();
});
