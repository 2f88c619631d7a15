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

const TABS = {
  operator: [['desk', operator.desk], ['tickets', ticketSearch], ['register', register], ['callbacks', callbacks],
    ['complaints', operator.complaints]],
  supervisor: [['queues', supervisor.queues], ['desk', operator.desk], ['tickets', ticketSearch], ['exceptions', supervisor.exceptions],
    ['disputes', supervisor.disputes], ['firms', supervisor.firms], ['callbacks', callbacks]],
  inspector: [['inspections', inspector.inspections], ['firms', (r) => supervisor.firms(r, false)]],
  finance: [['settlements', finance.settlements]],
  admin: [['users', admin.users], ['audit', admin.audit], ['firms', supervisor.firms], ['register', register], ['tickets', ticketSearch]],
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
    title: `Alt+${i + 1}`, onclick: () => { location.hash = key; } }, t(`tab.${key}`))));
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
  connectLive();
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
document.addEventListener('keydown', (e) => {
  if (!me || !e.altKey) return;
  const n = Number(e.key);
  const tabs = TABS[me.role] || [];
  if (n >= 1 && n <= tabs.length) { location.hash = tabs[n - 1][0]; e.preventDefault(); }
});
setLang(t.lang());
if (getToken()) start(); else render();
