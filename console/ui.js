// Small DOM helpers: element builder, toasts, form reading, time and money formatting.
import { t } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function toast(msg, bad = false) {
  const box = document.getElementById('toast');
  const el = h('div', { class: bad ? 'bad' : '' }, msg);
  box.append(el);
  setTimeout(() => el.remove(), bad ? 7000 : 4000);
}

// A labelled field: the label names the control (for a screen reader and a click), also when
// `input` is a group with the control inside it.
let fieldSeq = 0;
export function field(label, input, hint) {
  const control = input.matches?.('input, select, textarea') ? input : input.querySelector?.('input, select, textarea');
  if (control && !control.id) control.id = `fld-${++fieldSeq}`;
  return h('div', {}, h('label', control ? { for: control.id } : {}, label, hint ? h('span', { class: 'muted' }, ' ', hint) : null), input);
}

export function input(name, attrs = {}) { return h('input', { name, id: attrs.id || `f-${name}`, ...attrs }); }

export function select(name, options, attrs = {}) {
  return h('select', { name, id: attrs.id || `f-${name}`, ...attrs },
    options.map(([v, label]) => h('option', { value: v }, label)));
}

export function formData(form) {
  const out = {};
  for (const el of form.querySelectorAll('input[name], select[name], textarea[name]')) {
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.value !== '') out[el.name] = el.value;
  }
  return out;
}

// An API error in the console's words: the text for its code (console/i18n.js; the server's
// own message is English, for logs, and never shown), after the field's name when the server
// named one. A code without words falls back to a generic sentence, never to the raw code.
export function errorText(err) {
  const code = (err && err.code) || 'internal';
  const specific = err && err.field && t.hasAny(`err.${code}.${err.field}`) ? `err.${code}.${err.field}` : `err.${code}`;
  const msg = t.hasAny(specific) ? t(specific) : t('err.generic');
  const field = err && err.field ? err.field.replace(/\[\d+\]/g, '') : '';
  return field && t.hasAny(`field.${field}`) && !specific.endsWith(`.${field}`) ? `${t(`field.${field}`)}：${msg}` : msg;
}

// Shows an API error under a form, naming the field when the server did, and focuses it.
export function showError(box, err) {
  box.textContent = errorText(err);
  if (err.field) {
    const el = document.querySelector(`[name="${CSS.escape(err.field)}"]`);
    if (el) el.focus();
  }
}

export function fen(v) { return (Number(v) / 100).toFixed(2); }

// "2026-11-23T09:30:00+08:00" → "11-23 09:30"; a UTC time ("…Z", as event details keep them)
// is shown in Asia/Shanghai.
export function shortTime(iso) {
  if (!iso) return '';
  if (/Z$/.test(iso)) {
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) iso = new Date(ms + 8 * 3600e3).toISOString().replace('Z', '+08:00');
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[2]}-${m[3]} ${m[4]}:${m[5]}` : iso;
}

// Today in Asia/Shanghai (UTC+8, no daylight saving) as YYYY-MM-DD, whatever the browser's zone.
export function shanghaiToday() { return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); }

// Last month in Asia/Shanghai as YYYY-MM (the month inspectors score and the league ranks).
export function shanghaiLastMonth() {
  return new Date(Date.parse(`${shanghaiToday().slice(0, 7)}-01T00:00:00Z`) - 86400e3).toISOString().slice(0, 7);
}
// A figure that may be missing (null: no data), as a dash; a percentage with its sign.
export const num = (v) => (v === null || v === undefined ? '—' : String(v));
export const pct = (v) => (v === null || v === undefined ? '—' : `${v}%`);

// A whole number as people read it aloud: 139 7024 1505, 0931-8123456 (area codes 010 and 02x
// have three digits, the others four).
export function phoneText(p) {
  const d = String(p || '');
  if (/^1\d{10}$/.test(d)) return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`;
  if (/^0\d{9,11}$/.test(d)) { const n = /^0(10|2\d)/.test(d) ? 3 : 4; return `${d.slice(0, n)}-${d.slice(n)}`; }
  return d;
}

// A ticket number that opens the ticket page.
export function ticketLink(no) { return h('a', { href: `#ticket/${encodeURIComponent(no)}`, class: 'ticket-link' }, no); }

// A visit exception in words, with its measured values when it has them ("签到位置距老人住址
// 1204 米（限 300 米）"); `facts` is the exception's object (or its JSON text, in an event).
export function exceptionText(type, facts) {
  let f = facts;
  if (typeof f === 'string') { try { f = JSON.parse(f); } catch { f = null; } }
  if (!f || !Object.keys(f).length || !t.hasAny(`excd.${type}`)) return t(`exc.${type}`);
  if (type === 'device_clock') {
    return t('excd.device_clock', { at: t(f.at_checkout ? 'excd.at_checkout' : 'excd.at_checkin'), s: Math.abs(f.skew_s),
      dir: t(f.skew_s > 0 ? 'excd.ahead' : 'excd.behind'), limit: f.limit_s });
  }
  return t(`excd.${type}`, f);
}

// Why a ticket is unassigned, in words (a code from the dispatcher; tickets from before the
// codes carry a sentence, shown as the general words).
export function unassignedText(code) {
  return code && t.hasAny(`unassigned.${code}`) ? t(`unassigned.${code}`) : t('event.unassigned');
}

export function stateBadge(s) { return h('span', { class: `state ${s}` }, t(`state.${s}`)); }

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// A modal dialog: its title, its content, then the action buttons and a closing one (Cancel
// unless named); focus stays in it, Esc closes it, and it leaves the page when closed. Returns
// the <dialog>.
export function modal(id, title, content, actions, closeLabel = t('dialog.cancel')) {
  const dlg = h('dialog', { id, class: 'modal', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), content,
    h('div', { class: 'row' }, actions, h('button', { type: 'button', class: 'secondary', id: `${id}-close`, onclick: () => dlg.close() }, closeLabel)));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }
