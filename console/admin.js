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
  h('div', { class: 'row' }, field(t('role'), select('role', ['operator', 'supervisor', 'inspector', 'finance', 'admin', 'canteen'].map((r) => [r, t(`role.${r}`)]))),
    field(t('password'), input('password', { type: 'password', required: true, minlength: 8 }))),
  field(t('canteen.code.hint'), input('canteen_code', { placeholder: 'K001' })),
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

// Canteens (SPEC §12): the list with their status, a new canteen, and meal cards (issue one,
// report one lost).
export function canteens(root) {
  const tbody = h('tbody', { id: 'canteen-rows' });
  const err = h('div', { class: 'error' });
  const cardErr = h('div', { class: 'error' });
  const load = async () => {
    const r = await get('/api/v1/canteens');
    clear(tbody);
    for (const k of r.canteens) {
      const status = select('status', ['active', 'suspended', 'closed'].map((x) => [x, t(`canteen.${x}`)]), { 'aria-label': t('status') });
      status.value = k.status;
      status.addEventListener('change', async () => {
        try { await post(`/api/v1/canteens/${encodeURIComponent(k.code)}`, { status: status.value }); toast(t('saved')); } catch (e) { toast(errorText(e), true); load(); }
      });
      tbody.append(h('tr', { dataset: { canteen: k.code } }, h('td', {}, k.code), h('td', {}, k.name), h('td', {}, k.community_code),
        h('td', {}, k.firm_code || '—'), h('td', {}, k.delivers ? t('yes') : t('no')), h('td', {}, k.daily_capacity), h('td', {}, status)));
    }
  };
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    const d = formData(form);
    for (const n of ['lat', 'lon', 'daily_capacity']) if (d[n] !== undefined) d[n] = Number(d[n]);
    d.delivers = Boolean(form.elements.delivers.checked);
    try { await post('/api/v1/canteens', d); toast(t('saved')); form.reset(); load(); } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('code'), input('code', { required: true })), field(t('name'), input('name', { required: true }))),
  h('div', { class: 'row' }, field(t('community'), input('community_code', { required: true, inputmode: 'numeric' })), field(t('firm'), input('firm_code'))),
  h('div', { class: 'row' }, field(t('lat'), input('lat', { required: true, inputmode: 'decimal' })), field(t('lon'), input('lon', { required: true, inputmode: 'decimal' })),
    field(t('canteen.capacity'), input('daily_capacity', { required: true, inputmode: 'numeric' }))),
  h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'delivers' }), t('canteen.delivers')),
  h('button', { class: 'primary', type: 'submit' }, t('canteen.add')), err);
  const cards = h('form', { id: 'card-form', onsubmit: async (e) => {
    e.preventDefault();
    cardErr.textContent = '';
    try { await post('/api/v1/meal-cards', formData(cards)); toast(t('saved')); cards.reset(); } catch (ex) { showError(cardErr, ex); }
  } }, h('div', { class: 'row' }, field(t('card.no'), input('card_no', { required: true })), field(t('id_number'), input('id_number', { required: true }))),
  h('button', { class: 'primary', type: 'submit' }, t('card.issue')), cardErr);
  const lost = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const no = lost.elements.lost_card.value.trim();
    try { await post(`/api/v1/meal-cards/${encodeURIComponent(no)}/lost`); toast(t('counter.lost.done', { no })); lost.reset(); } catch (ex) { toast(errorText(ex), true); }
  } }, field(t('counter.lost'), input('lost_card', { required: true })), h('button', { class: 'danger', type: 'submit' }, t('counter.lost.button')));
  root.append(h('div', { class: 'grid cols-2' },
    h('div', { class: 'panel' }, h('h2', {}, t('canteens')), h('table', { id: 'canteens' }, h('thead', {}, h('tr', {}, h('th', {}, t('code')), h('th', {}, t('name')),
      h('th', {}, t('community')), h('th', {}, t('firm')), h('th', {}, t('canteen.delivers')), h('th', {}, t('canteen.capacity')), h('th', {}, t('status')))), tbody)),
    h('div', { class: 'panel' }, h('h2', {}, t('canteen.add')), form, h('h2', {}, t('cards')), cards, lost)));
  load().catch((e) => toast(errorText(e), true));
}
