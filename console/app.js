// Console entry point: login, role-based tabs, the live channel indicator and language switch.
import { get, post, setToken, getToken, whenUnauthorized, setMe } from './api.js';
import { startRinger, stopRinger } from './calls.js';
import { connectLive, disconnectLive, onStatus } from './live.js';
import { t, setLang } from './i18n.js';
import { h, toast, field, input, formData, showError, clear } from './ui.js';
import * as operator from './operator.js';
import * as supervisor from './supervisor.js';
import * as inspector from './inspector.js';
import * as finance from './finance.js';
import * as admin from './admin.js';
import { ticketPage, ticketSearch } from './ticket.js';
import { callbacks } from './callbacks.js';
import { register } from './elders.js';
import { counter } from './counter.js';
import { deliveries, welfare } from './meals.js';
import { care, eligibility } from './care.js';
import { liveMap } from './map.js';
import { dashboard, wall } from './stats.js';

const TABS = {
  operator: [['desk', operator.desk], ['tickets', ticketSearch], ['register', register], ['callbacks', callbacks],
    ['complaints', operator.complaints], ['welfare', welfare]],
  supervisor: [['queues', supervisor.queues], ['map', liveMap], ['stats', dashboard], ['desk', operator.desk], ['tickets', ticketSearch], ['exceptions', supervisor.exceptions],
    ['disputes', supervisor.disputes], ['firms', supervisor.firms], ['callbacks', callbacks], ['welfare', welfare], ['care', care], ['eligibility', eligibility]],
  inspector: [['inspections', inspector.inspections], ['firms', (r) => supervisor.firms(r, false)]],
  finance: [['settlements', finance.settlements], ['recoveries', finance.recoveries]],
  canteen: [['counter', counter], ['deliveries', deliveries]],
  care: [['care', care]],
  display: [['wall', wall]],
  admin: [['users', admin.users], ['stats', dashboard], ['firms', (r) => supervisor.firms(r, true, admin.issueToken)], ['imports', admin.imports], ['policy', admin.policy],
    ['audit', admin.audit], ['canteens', admin.canteens], ['register', register], ['tickets', ticketSearch]],
};

let me = null;
let dispose = null;
const main = document.getElementById('main');

function render() {
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.getElementById('lang').textContent = t.lang() === 'en' ? '中文' : 'English';
  if (!me) return loginView();
  const tabs = TABS[me.role] || [];
  const want = location.hash.slice(1);
  // #ticket/T…: the ticket page, from any ticket number anywhere in the console.
  const ticket = /^ticket\/(.+)$/.exec(want);
  const current = ticket ? ['ticket', (r) => ticketPage(r, decodeURIComponent(ticket[1]))] : tabs.find(([k]) => k === want) || tabs[0];
  const nav = clear(document.getElementById('tabs'));
  tabs.forEach(([key], i) => nav.append(h('button', { type: 'button', class: key === current[0] ? 'active' : '', id: `tab-${key}`,
    title: `Alt+Shift+${i + 1}`, onclick: () => { location.hash = key; } }, t(`tab.${key}`))));
  document.getElementById('who').textContent = `${me.username} · ${t(`role.${me.role}`)}`;
  document.getElementById('logout').hidden = false;
  if (typeof dispose === 'function') dispose();
  clear(main);
  dispose = current[1](main);
}

function loginView() {
  clear(document.getElementById('tabs'));
  document.getElementById('who').textContent = '';
  document.getElementById('logout').hidden = true;
  const err = h('div', { class: 'error', id: 'login-error' });
  const form = h('form', { id: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const r = await post('/api/v1/login', formData(form));
      setToken(r.token);
      await start();
    } catch (ex) { showError(err, ex); }
  } }, field(t('username'), input('username', { autocomplete: 'username', required: true })),
  field(t('password'), input('password', { type: 'password', autocomplete: 'current-password', required: true })),
  h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, t('login')), err);
  clear(main).append(h('div', { class: 'panel login' }, h('h2', {}, t('login.title')), form));
  document.getElementById('f-username').focus();
}

async function start() {
  try {
    me = await get('/api/v1/me');
  } catch {
    me = null;
    setToken('');
    return render();
  }
  setMe(me);
  // A canteen's counter has no live channel: its own link status shows on the page.
  const noLive = ['canteen', 'care'].includes(me.role);
  document.getElementById('live-status').hidden = noLive;
  if (!noLive) connectLive();
  if (['operator', 'supervisor'].includes(me.role)) startRinger();
  render();
}

onStatus((s) => {
  const el = document.getElementById('live-status');
  el.className = `pill ${s}`;
  el.textContent = t(`live.${s}`);
  el.id = 'live-status';
});
whenUnauthorized(() => { me = null; setMe(null); stopRinger(); setToken(''); disconnectLive(); render(); toast(t('login.title'), true); });
window.addEventListener('hashchange', () => { if (me) render(); });
document.getElementById('lang').addEventListener('click', () => { setLang(t.lang() === 'en' ? 'zh' : 'en'); render(); });
document.getElementById('logout').addEventListener('click', async () => {
  try { await post('/api/v1/logout'); } catch {}
  setToken('');
  me = null;
  setMe(null);
  stopRinger();
  disconnectLive();
  render();
});
// Alt+Shift+1…9 switch tabs (Alt+digit is the browser's own tab switch on Linux); `?` outside a
// text field shows the shortcuts.
document.addEventListener('keydown', (e) => {
  if (!me) return;
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName) || e.target.isContentEditable;
  if (e.key === '?' && !typing && !e.ctrlKey && !e.altKey) { toggleHelp(); e.preventDefault(); return; }
  const m = /^Digit([1-9])$/.exec(e.code);
  if (!m || !e.altKey || !e.shiftKey) return;
  const tabs = TABS[me.role] || [];
  const n = Number(m[1]);
  if (n <= tabs.length) { location.hash = tabs[n - 1][0]; e.preventDefault(); }
});

// The shortcuts, in a dialog (Esc closes it).
function toggleHelp() {
  const old = document.getElementById('help');
  if (old) { old.close(); old.remove(); return; }
  const rows = [['Alt+Shift+1…9', t('help.tabs')], ['?', t('help.help')], ['Esc', t('help.close')],
    ['Alt+J', t('help.answer')], ['Alt+C', t('help.find')], ['Alt+N', t('help.new')], ['Tab', t('help.tab')], ['Ctrl+Enter', t('help.create')],
    ['↑ ↓ Enter', t('help.items')], ['↑ ↓ / j k', t('help.cb.move')], ['Enter', t('help.cb.open')], ['1–5', t('help.cb.rate')],
    ['0', t('help.cb.missed')], ['D', t('help.cb.dial')]];
  const dlg = h('dialog', { id: 'help', 'aria-labelledby': 'help-title' },
    h('h2', { id: 'help-title' }, t('help.title')),
    h('table', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, v))))),
    h('button', { type: 'button', class: 'primary', onclick: () => { dlg.close(); dlg.remove(); } }, t('help.close.button')));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
}
setLang(t.lang());
if (getToken()) start(); else render();
