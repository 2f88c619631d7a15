// The administrator's screens: users and roles, firm tokens, imports, the policy, the audit log
// with its chain check, and canteens.
import { get, post, upload } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, select, formData, showError, shortTime, clear, errorText, modal } from './ui.js';

const ROLES = ['operator', 'supervisor', 'inspector', 'finance', 'admin', 'canteen', 'care', 'display'];

// Users: add one; reset a password (every session of the user ends); disable after a
// confirmation that says what it does; re-enable.
export function users(root) {
  const tbody = h('tbody', { id: 'user-rows' });
  const err = h('div', { class: 'error' });
  const act = async (path, body, done) => {
    try { await post(path, body); toast(done); load(); } catch (e) { toast(errorText(e), true); }
  };
  const resetPassword = (u) => {
    const pw = h('input', { type: 'password', name: 'password', id: 'reset-password', minlength: 8, autocomplete: 'new-password' });
    const again = h('input', { type: 'password', name: 'password_again', id: 'reset-password-again', autocomplete: 'new-password' });
    const bad = h('div', { class: 'error', role: 'alert' });
    const dlg = modal('reset-dialog', t('user.reset.title', { user: u.username }),
      [h('p', { class: 'small muted' }, t('user.reset.note')), field(t('user.reset.new'), pw), field(t('user.reset.again'), again), bad],
      h('button', { type: 'button', class: 'primary', id: 'reset-confirm', onclick: async () => {
        if (pw.value.length < 8) { bad.textContent = t('user.reset.short'); pw.focus(); return; }
        if (pw.value !== again.value) { bad.textContent = t('user.reset.mismatch'); again.focus(); return; }
        try {
          await post(`/api/v1/users/${encodeURIComponent(u.username)}/password`, { password: pw.value });
          dlg.close();
          toast(t('user.reset.done', { user: u.username }));
          load();
        } catch (e) { bad.textContent = errorText(e); }
      } }, t('user.reset')));
    pw.focus();
  };
  const confirmDisable = (u) => {
    const dlg = modal('disable-dialog', t('user.disable.title', { user: u.username }), h('p', {}, t('user.disable.note')),
      h('button', { type: 'button', class: 'danger', id: 'disable-confirm', onclick: () => {
        dlg.close();
        act(`/api/v1/users/${encodeURIComponent(u.username)}/disable`, {}, t('user.disabled', { user: u.username }));
      } }, t('disable')));
  };
  const load = async () => {
    const r = await get('/api/v1/users');
    clear(tbody);
    r.users.forEach((u) => tbody.append(h('tr', { dataset: { user: u.username } }, h('td', {}, u.username), h('td', {}, u.display_name),
      h('td', {}, t(`role.${u.role}`)), h('td', { class: u.active ? '' : 'muted' }, u.active ? t('active') : t('disabled')),
      h('td', { class: u.failed_logins >= 5 ? 'warn' : '' }, u.failed_logins || ''),
      h('td', {}, h('span', { class: 'row' },
        h('button', { class: 'secondary', type: 'button', 'aria-label': `${t('user.reset')} ${u.username}`, onclick: () => resetPassword(u) }, t('user.reset')),
        u.active ? h('button', { class: 'danger', type: 'button', 'aria-label': `${t('disable')} ${u.username}`, onclick: () => confirmDisable(u) }, t('disable'))
          : h('button', { class: 'secondary', type: 'button', 'aria-label': `${t('enable')} ${u.username}`,
            onclick: () => act(`/api/v1/users/${encodeURIComponent(u.username)}/enable`, {}, t('user.enabled', { user: u.username })) }, t('enable')))))));
  };
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try { await post('/api/v1/users', formData(form)); toast(t('saved')); form.reset(); load(); } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('username'), input('username', { required: true })), field(t('display'), input('display_name'))),
  h('div', { class: 'row' }, field(t('role'), select('role', ROLES.map((r) => [r, t(`role.${r}`)]))),
    field(t('password'), input('password', { type: 'password', required: true, minlength: 8 }))),
  field(t('canteen.code.hint'), input('canteen_code', { placeholder: 'K001' })),
  h('button', { class: 'primary', type: 'submit' }, t('add.user')), err);
  root.append(h('div', { class: 'grid cols-2' }, h('div', { class: 'panel' }, h('h2', {}, t('users')), h('table', { id: 'users' },
    h('thead', {}, h('tr', {}, h('th', {}, t('username')), h('th', {}, t('display')), h('th', {}, t('role')), h('th', {}, t('status')),
      h('th', {}, t('user.failed')), h('th', {}, ''))), tbody)),
  h('div', { class: 'panel' }, h('h2', {}, t('add.user')), form)));
  load().catch((e) => toast(errorText(e), true));
}

// A firm's partner token, issued anew after a confirmation (the old one stops at once and the
// firm's connection ends), then shown once with a copy button: it is stored only as a hash.
export function issueToken(f) {
  const dlg = modal('token-dialog', t('token.title', { firm: f.name }), h('p', {}, t('token.note')),
    h('button', { type: 'button', class: 'danger', id: 'token-confirm', onclick: async () => {
      dlg.close();
      let r;
      try { r = await post(`/api/v1/firms/${encodeURIComponent(f.code)}/token`); } catch (e) { toast(errorText(e), true); return; }
      const box = h('input', { id: 'token-value', readonly: true, value: r.token, class: 'token', 'aria-label': t('token.value') });
      modal('token-shown', t('token.shown', { firm: f.name }), [field(t('token.value'), box), h('p', { class: 'small warn' }, t('token.once'))],
        h('button', { type: 'button', class: 'primary', onclick: async () => {
          box.select();
          try { await navigator.clipboard.writeText(r.token); toast(t('token.copied')); } catch { document.execCommand('copy'); toast(t('token.copied')); }
        } }, t('token.copy')), t('token.done'));
      box.select();
    } }, t('token.issue')));
}

// Imports (SPEC §7) from the console: a kind and a CSV file (the map's outlines: a GeoJSON file);
// all or nothing. A refused file lists its errors by line — the column (for GeoJSON the
// feature's path), the kind of problem in words, and the line as written.
const KINDS = ['areas', 'catalog', 'elders', 'firms', 'firm-areas', 'staff', 'tickets', 'callbacks', 'complaints', 'inspections',
  'canteens', 'meal-cards', 'meals', 'deaths', 'care-targets', 'area-shapes'];
export function imports(root) {
  const kind = select('kind', KINDS.map((k) => [k, t(`kind.${k}`)]), { id: 'import-kind' });
  const file = h('input', { type: 'file', name: 'file', id: 'import-file', accept: '.csv,text/csv,.geojson,.json', required: true });
  const result = h('div', { id: 'import-result', role: 'status' });
  const form = h('form', { id: 'import-form', onsubmit: async (e) => {
    e.preventDefault();
    clear(result);
    const f = file.files[0];
    if (!f) return;
    const lines = (await f.text()).split(/\r?\n/);
    try {
      const r = await upload(`/api/v1/import/${kind.value}?file=${encodeURIComponent(f.name)}`, f);
      const derived = Object.entries(r.derived || {}).map(([k, n]) => t('imp.derived', { what: t.hasAny(`imp.d.${k}`) ? t(`imp.d.${k}`) : k, n }));
      result.append(h('p', { class: 'ok' }, t('imp.done', { n: r.rows, kind: t(`kind.${kind.value}`), file: f.name })),
        derived.length ? h('p', { class: 'small' }, derived.join('；')) : '');
    } catch (ex) {
      if (!ex.errors) { result.append(h('p', { class: 'error' }, errorText(ex))); return; }
      result.append(h('p', { class: 'error' }, t('imp.refused', { file: f.name, n: ex.errors.length })),
        h('table', { id: 'import-errors' }, h('thead', {}, h('tr', {}, h('th', {}, t('imp.line')), h('th', {}, t('imp.column')),
          h('th', {}, t('imp.problem')), h('th', {}, t('imp.text')))),
        h('tbody', {}, ex.errors.slice(0, 500).map((x) => h('tr', { dataset: { line: x.line } }, h('td', {}, x.line), h('td', {}, x.column),
          h('td', {}, t.hasAny(`imp.p.${x.problem}`) ? t(`imp.p.${x.problem}`) : t('imp.p.rule')),
          h('td', { class: 'small muted mono' }, (lines[x.line - 1] || '').slice(0, 120)))))),
        ex.errors.length > 500 ? h('p', { class: 'small muted' }, t('imp.more', { n: ex.errors.length - 500 })) : '');
    }
  } }, h('div', { class: 'row' }, field(t('imp.kind'), kind), field(t('imp.file'), file)),
  h('p', { class: 'small muted' }, t('imp.hint')),
  h('button', { class: 'primary', type: 'submit', id: 'import-submit' }, t('imp.submit')));
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('imp.title')), form, result));
}

// The policy in force (its TOML, as loaded) and every one stored, with the months settled under each.
export function policy(root) {
  const body = h('pre', { class: 'policy', id: 'policy-body' });
  // The file's text (English comments, as written) only when asked for.
  let shown = null;
  const text = h('details', { ontoggle: (e) => { body.textContent = e.target.open && shown ? shown.body : ''; } }, h('summary', {}, t('policy.text')), body);
  const facts = h('div', { class: 'small', id: 'policy-facts' });
  const tbody = h('tbody', { id: 'policy-history' });
  root.append(h('div', { class: 'grid cols-2' },
    h('div', { class: 'panel' }, h('h2', {}, t('policy.in.force')), facts, text),
    h('div', { class: 'panel' }, h('h2', {}, t('policy.history')), h('p', { class: 'small muted' }, t('policy.hint')),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('policy.effective')), h('th', {}, t('policy.digest')),
        h('th', {}, t('policy.source')), h('th', {}, t('policy.loaded')), h('th', {}, t('policy.months')))), tbody))));
  // The built-in policy by name; a file by its path.
  const source = (s) => (/^built-in /.test(s) ? t('policy.builtin', { file: s.slice(9) }) : s);
  const show = (p) => {
    shown = p;
    facts.textContent = t('policy.facts', { month: p.effective_month, digest: p.digest.slice(0, 16), source: source(p.source) });
    body.textContent = text.open ? p.body : '';
  };
  get('/api/v1/policies').then((r) => {
    show(r.in_force);
    for (const x of r.history) {
      tbody.append(h('tr', { class: x.in_force ? 'current' : '', onclick: () => show(x) },
        h('td', {}, x.effective_month, x.in_force ? ` ${t('policy.current')}` : ''), h('td', { class: 'mono' }, x.digest.slice(0, 12)),
        h('td', {}, source(x.source)), h('td', {}, shortTime(x.loaded_at)), h('td', {}, x.settled_months.join('、') || '—')));
    }
  }).catch((e) => toast(errorText(e), true));
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
