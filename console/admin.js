// The administrator's screens: users and roles, and the audit log with its chain check.
import { get, post } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, select, formData, showError, shortTime, clear, errorText } from './ui.js';

export function users(root) {
  const tbody = h('tbody');
  const err = h('div', { class: 'error' });
  const load = async () => {
    const r = await get('/api/v1/users');
    clear(tbody);
    r.users.forEach((u) => tbody.append(h('tr', {}, h('td', {}, u.username), h('td', {}, u.display_name), h('td', {}, t(`role.${u.role}`)),
      h('td', {}, u.active ? t('active') : t('disabled')),
      h('td', {}, u.active ? h('button', { class: 'danger', type: 'button', onclick: async () => {
        try { await post(`/api/v1/users/${encodeURIComponent(u.username)}/disable`); load(); } catch (e) { toast(errorText(e), true); }
      } }, t('disable')) : ''))));
  };
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try { await post('/api/v1/users', formData(form)); toast(t('saved')); form.reset(); load(); } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('username'), input('username', { required: true })), field(t('display'), input('display_name'))),
  h('div', { class: 'row' }, field(t('role'), select('role', ['operator', 'supervisor', 'inspector', 'finance', 'admin'].map((r) => [r, t(`role.${r}`)]))),
    field(t('password'), input('password', { type: 'password', required: true, minlength: 8 }))),
  h('button', { class: 'primary', type: 'submit' }, t('add.user')), err);
  root.append(h('div', { class: 'grid cols-2' }, h('div', { class: 'panel' }, h('h2', {}, t('users')), h('table', {}, tbody)),
    h('div', { class: 'panel' }, h('h2', {}, t('add.user')), form)));
  load().catch((e) => toast(errorText(e), true));
}

// An audit entry in words: the action, what it was about, and its details (known keys named,
// values as recorded).
const SUBJECTS = ['ticket', 'elder', 'firm', 'user', 'call', 'file', 'settlement'];
export function auditAction(a) {
  if (t.hasAny(`audit.${a}`)) return t(`audit.${a}`);
  const at = a.indexOf('.');
  const head = at < 0 ? a : a.slice(0, at);
  const tail = at < 0 ? '' : a.slice(at + 1);
  if (head === 'ticket') return `${t('audit.ticket')}：${t.hasAny(`evname.${tail}`) ? t(`evname.${tail}`) : t('audit.other')}`;
  if (head === 'import') return t('audit.import', { kind: t.hasAny(`kind.${tail}`) ? t(`kind.${tail}`) : t('audit.other') });
  return t('audit.other');
}
export function auditSubject(s) {
  const at = String(s || '').indexOf(':');
  if (at < 0) return t.hasAny(`subject.${s}`) ? t(`subject.${s}`) : s;
  const kind = s.slice(0, at);
  let id = s.slice(at + 1);
  if (kind === 'file') id = id.split('/').pop();
  return SUBJECTS.includes(kind) ? `${t(`subject.${kind}`)} ${id}` : id;
}
// Who did it: a user name, or the system, the phone system, an import, the command line.
function auditActor(a) {
  if (t.hasAny(`actor.${a}`)) return t(`actor.${a}`);
  if (String(a).startsWith('cli:')) return t('actor.cli', { user: a.slice(4) });
  return a;
}
function auditDetail(d) {
  if (!d || typeof d !== 'object') return '';
  const words = (k, v) => {
    if (k === 'mode' && t.hasAny(`dial.mode.${v}`)) return t(`dial.mode.${v}`);
    if (k === 'sha256') return String(v).slice(0, 12);
    return typeof v === 'object' ? '' : String(v);
  };
  return Object.entries(d).filter(([k]) => t.hasAny(`dkey.${k}`)).map(([k, v]) => `${t(`dkey.${k}`)}：${words(k, v)}`).join('；');
}

export function audit(root) {
  const tbody = h('tbody');
  const verdict = h('div', { class: 'small', id: 'audit-verdict' });
  const load = async () => {
    const v = await get('/api/v1/audit/verify');
    verdict.textContent = v.intact ? t('audit.intact', { n: v.entries, head: v.head.slice(0, 16) }) : t('audit.broken', { id: v.first_bad_id, why: t('audit.problem') });
    verdict.className = v.intact ? 'small presence-online' : 'small urgent';
    const r = await get('/api/v1/audit?limit=200');
    clear(tbody);
    r.entries.forEach((e) => tbody.append(h('tr', { dataset: { action: e.action } }, h('td', {}, e.id), h('td', {}, shortTime(e.at)),
      h('td', {}, auditActor(e.actor)), h('td', {}, auditAction(e.action)),
      h('td', {}, auditSubject(e.subject)), h('td', { class: 'small muted' }, auditDetail(e.detail)))));
  };
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('audit')), verdict, h('div', { class: 'list' }, h('table', {}, tbody))));
  load().catch((e) => toast(errorText(e), true));
}
