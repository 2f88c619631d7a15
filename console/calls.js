// Calls on the operator's console (SPEC §11): which calls are ringing (kept from the server
// and the live channel, so a call that rang while the operator was on another tab or before a
// reload is still there), a sound and a title flash while one rings (mutable), and the desk's
// panels — ringing calls to answer, the operator's own call in progress, missed calls.
import { get, post, getMe } from './api.js';
import { onLive } from './live.js';
import { t } from './i18n.js';
import { h, clear, shortTime, toast, errorText } from './ui.js';
import { dial } from './callbacks.js';

const ringing = new Map();  // call_id → call
const taken = new Map();    // call_id → call, answered by someone else a moment ago (shown a while)
const kTakenShownMs = 8000;
const watchers = new Set();
let offLive = null;
let flash = null;
const baseTitle = document.title;

export const muted = () => localStorage.getItem('vnh.mute') === '1';
export function setMuted(m) { localStorage.setItem('vnh.mute', m ? '1' : '0'); }
export function watchCalls(f) { watchers.add(f); return () => watchers.delete(f); }
export function ringingCalls() { return [...ringing.values()].sort((a, b) => (a.received_at < b.received_at ? -1 : 1)); }
// Calls that rang here and another operator answered in the last few seconds.
export function takenCalls() {
  const now = Date.now();
  for (const [id, c] of taken) if (now - c.seen > kTakenShownMs) taken.delete(id);
  return [...taken.values()];
}

function notify(ev) { for (const f of watchers) { try { f(ev); } catch (e) { console.error(e); } } }

function beep() {
  if (muted()) return;
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = () => ctx.close();
  } catch {}
}

// The page title says how many calls ring, and flashes while the console is not in view.
function retitle() {
  const n = ringing.size;
  if (flash) { clearInterval(flash); flash = null; }
  if (!n) { document.title = baseTitle; return; }
  const on = t('title.ringing', { n });
  document.title = on;
  if (document.hidden) {
    let shown = true;
    flash = setInterval(() => { shown = !shown; document.title = shown ? on : baseTitle; }, 1000);
  }
}

async function reload() {
  try {
    const r = await get('/api/v1/calls?state=ringing&limit=100');
    ringing.clear();
    r.calls.forEach((c) => ringing.set(c.call_id, c));
    retitle();
    notify({ type: 'reload' });
  } catch {}
}

export function startRinger() {
  if (offLive) return;
  offLive = onLive((ev) => {
    if (ev.type === 'hello') { reload(); return; }  // (re)connected: catch up with what rang meanwhile
    if (ev.type !== 'call') return;
    const fresh = ev.state === 'ringing' && !ringing.has(ev.call_id);
    const me = getMe();
    if (ev.state === 'answered' && ringing.has(ev.call_id) && me && ev.answered_by !== me.username) {
      taken.set(ev.call_id, { ...ev, seen: Date.now() });
      setTimeout(() => notify({ type: 'expire' }), kTakenShownMs + 100);
    }
    if (ev.state === 'ringing') ringing.set(ev.call_id, ev); else ringing.delete(ev.call_id);
    if (fresh) beep();
    retitle();
    notify(ev);
  });
  document.addEventListener('visibilitychange', retitle);
  reload();
}

export function stopRinger() {
  if (offLive) offLive();
  offLive = null;
  ringing.clear();
  taken.clear();
  retitle();
  document.removeEventListener('visibilitychange', retitle);
}

export function secondsSince(iso) { return Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000)); }
export function mmss(s) { return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`; }

// The ringing calls, each with its age and an answer button. `onAnswer(call)` claims it.
export function ringingPanel(onAnswer) {
  const list = h('div', { id: 'calls', role: 'list', 'aria-live': 'polite' });
  const count = h('span', { class: 'count', id: 'calls-count' }, '0');
  const mute = h('button', { type: 'button', class: 'secondary small', id: 'mute', 'aria-pressed': String(muted()),
    onclick: () => { setMuted(!muted()); mute.textContent = muted() ? t('unmute') : t('mute'); mute.setAttribute('aria-pressed', String(muted())); } },
  muted() ? t('unmute') : t('mute'));
  const lost = new Map();  // call_id → who, for a claim another desk won
  const draw = () => {
    clear(list);
    const calls = ringingCalls();
    count.textContent = String(calls.length);
    const others = takenCalls().filter((c) => !ringing.has(c.call_id));
    if (!calls.length && !others.length) list.append(h('p', { class: 'muted small' }, t('calls.empty')));
    for (const c of others) {
      list.append(h('div', { class: 'card call taken', role: 'listitem', dataset: { call: c.call_id } },
        h('div', {}, h('b', {}, `☎ ${c.caller}`), ' ', h('span', { class: 'small muted' }, `${t('line')} ${c.line} · ${shortTime(c.received_at)}`)),
        h('div', { class: 'small warn' }, t('call.taken', { who: c.answered_by }))));
    }
    for (const c of calls) {
      const who = lost.get(c.call_id);
      list.append(h('div', { class: 'card call ringing', role: 'listitem', dataset: { call: c.call_id } },
        h('div', {}, h('b', {}, `☎ ${c.caller}`), ' ', h('span', { class: 'small muted' }, `${t('line')} ${c.line} · ${shortTime(c.received_at)}`)),
        h('div', { class: 'small' }, c.elders_matched ? t('call.elders', { n: c.elders_matched }) : t('call.unknown'), ' · ',
          h('span', { class: 'age', dataset: { since: c.received_at } }, t('call.ringing.for', { s: mmss(secondsSince(c.received_at)) }))),
        who ? h('div', { class: 'small warn' }, t('call.taken', { who }))
          : h('button', { type: 'button', class: 'primary', 'aria-label': `${t('call.answer')} ${c.caller}`, onclick: () => onAnswer(c, (w) => { lost.set(c.call_id, w); draw(); }) }, t('call.answer'))));
    }
  };
  const off = watchCalls(draw);
  // The ages move on; the list is redrawn only when calls come and go (focus stays put).
  const timer = setInterval(() => {
    for (const el of list.querySelectorAll('.age')) el.textContent = t('call.ringing.for', { s: mmss(secondsSince(el.dataset.since)) });
  }, 1000);
  draw();
  const panel = h('div', { class: 'panel' }, h('h2', {}, t('calls'), count, h('span', { class: 'hint' }, h('kbd', { title: t('help.answer') }, 'Alt+J'), ' ', mute)), list);
  panel.dispose = () => { off(); clearInterval(timer); };
  return panel;
}

// The day's missed calls, newest first: the elders to call back.
export function missedPanel() {
  const list = h('div', { id: 'missed' });
  const load = async () => {
    try {
      const r = await get('/api/v1/calls?state=missed&limit=20');
      clear(list);
      if (!r.calls.length) list.append(h('p', { class: 'muted small' }, t('missed.empty')));
      r.calls.forEach((c) => list.append(h('div', { class: 'small', dataset: { call: c.call_id } },
        h('b', {}, c.caller), ' ', shortTime(c.received_at), ' · ', c.elders_matched ? t('call.elders', { n: c.elders_matched }) : t('call.unknown'), ' ',
        h('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('call.back')} ${c.caller}`,
          onclick: () => dial({ call_id: c.call_id }) }, t('call.back')))));
    } catch {}
  };
  const off = watchCalls((ev) => { if (ev.state === 'missed') load(); });
  load();
  const panel = h('div', { class: 'panel' }, h('h2', {}, t('missed'), h('span', { class: 'hint' }, t('missed.hint'))), list);
  panel.dispose = off;
  return panel;
}

// Claims a call for this desk; on 409 says who has it.
export async function claim(call, onTaken) {
  try {
    return await post(`/api/v1/calls/${encodeURIComponent(call.call_id)}/claim`);
  } catch (e) {
    if (e.code === 'already_answered') {
      try {
        const c = await get(`/api/v1/calls/${encodeURIComponent(call.call_id)}`);
        onTaken(c.answered_by || '?');
      } catch { onTaken('?'); }
    } else if (e.code === 'call_over') {
      toast(t('call.over'), true);
    } else {
      toast(errorText(e), true);
    }
    return null;
  }
}

// This operator's answered call, if any (after a reload).
export async function myCall() {
  const me = getMe();
  if (!me) return null;
  try {
    const r = await get('/api/v1/calls?state=answered&limit=100');
    const mine = r.calls.find((c) => c.answered_by === me.username);
    return mine ? await get(`/api/v1/calls/${encodeURIComponent(mine.call_id)}`) : null;
  } catch { return null; }
}
