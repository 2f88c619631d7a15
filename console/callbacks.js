// The day's callbacks (SPEC §4.8): the sample capped at the day's capacity, what the cap left
// out, filters by reason, firm and status, a page at a time; worked from the keyboard — ↑/↓ (or
// j/k) move, Enter opens the callback in the form, 1–5 record "reached, service received" with
// that rating, 0 records "not reached", D dials — and a dial action (the PBX rings the desk
// phone where it is hooked up, the number is shown otherwise).
import { get, post } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, select, formData, errorText, showError, ticketLink, clear, phoneText } from './ui.js';

const REASONS = ['visit_exception', 'recent_complaint', 'new_worker', 'first_visit', 'random'];

export const reasonWords = (reasons) => String(reasons || '').split(',').filter(Boolean).map((r) => t(`cbreason.${r}`)).join('、');

// Asks for a call to the elder of `ticket_no` (or the caller of `call_id`) and says how it goes.
export async function dial(what, box) {
  try {
    const r = await post('/api/v1/calls/dial', what);
    if (r.mode === 'pbx') {
      toast(t('dial.pbx', { phone: r.phone }));
      if (box) box.textContent = t('dial.pbx', { phone: r.phone });
    } else if (box) {
      clear(box).append(t('dial.manual'), ' ', h('b', { class: 'dial-number' }, phoneText(r.phone)));
    } else {
      toast(`${t('dial.manual')} ${phoneText(r.phone)}`);
    }
  } catch (e) {
    toast(errorText(e), true);
    if (box) box.textContent = errorText(e);
  }
}

function statusText(it, max) {
  if (it.done && it.attempts >= max) return t('callback.gave_up', { n: it.attempts });
  if (it.done) return t('callback.done');
  return it.attempts ? t('callback.tried', { n: it.attempts, max }) : t('callback.pending');
}

function summaryText(q) {
  const s = q.summary;
  const head = t('callback.summary', { date: q.date, sampled: s.sampled, pending: s.pending, capacity: s.capacity });
  if (!s.risky_left_out && !s.random_left_out) return head;
  return `${head} ${t('callback.left_out', { risky: s.risky_left_out, random: s.random_left_out })}`;
}

export function callbacks(root) {
  const rows = h('tbody');
  const summary = h('p', { class: 'small', id: 'callback-summary', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', id: 'callbacks-more', hidden: true }, t('more'));
  const err = h('div', { class: 'error', id: 'callback-error', role: 'alert' });
  const dialBox = h('div', { class: 'small', id: 'dial-box', 'aria-live': 'polite' });
  const label = h('div', { class: 'small', id: 'callback-ticket' }, t('callback.pick'));
  const firms = select('firm_code', [['', t('any')]], { id: 'cb-firm' });
  const reason = select('reason', [['', t('any')], ...REASONS.map((r) => [r, t(`cbreason.${r}`)])], { id: 'cb-reason' });
  const status = select('status', [['pending', t('callback.pending')], ['done', t('callback.done')], ['', t('any')]], { id: 'cb-status' });
  let max = 3;
  let next = null;
  let current = null;  // the queue entry open in the form
  const items = new Map();

  const rowOf = (no) => rows.querySelector(`tr[data-ticket="${CSS.escape(no)}"]`);
  const paint = (tr, it) => {
    tr.className = it.done ? 'muted' : '';
    if (current && current.ticket_no === it.ticket_no) tr.classList.add('sel');
    tr.querySelector('.cb-status').textContent = statusText(it, max);
  };
  const open = (it) => {
    current = it;
    rows.querySelectorAll('tr.sel').forEach((x) => x.classList.remove('sel'));
    rowOf(it.ticket_no)?.classList.add('sel');
    label.textContent = `${it.ticket_no} · ${it.ticket.elder_name} · ${it.ticket.item_name} · ${it.ticket.firm_name || ''}`;
    dialBox.textContent = '';
    err.textContent = '';
  };
  const focusNext = (tr) => {
    const pending = [...rows.querySelectorAll('tr[data-ticket]')].filter((x) => !items.get(x.dataset.ticket).done);
    const after = pending.find((x) => tr.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING) || pending[0];
    (after || tr).focus();
  };
  const refreshSummary = async () => {
    try { summary.textContent = summaryText(await get('/api/v1/callbacks/queue?limit=1')); } catch {}
  };
  // Records one callback; the row shows what it became and the summary follows.
  const record = async (it, body) => {
    err.textContent = '';
    try {
      const tk = await post('/api/v1/callbacks', { ticket_no: it.ticket_no, ...body });
      if (body.reached) it.done = true;
      else { it.attempts += 1; it.done = it.attempts >= max; }
      const tr = rowOf(it.ticket_no);
      if (tr) paint(tr, it);
      toast(body.reached ? t('callback.saved', { no: tk.ticket_no, rating: body.rating })
        : t('callback.saved_missed', { no: tk.ticket_no, n: it.attempts, max }));
      refreshSummary();
      return true;
    } catch (ex) {
      if (ex.code === 'already_called_back') { it.done = true; const tr = rowOf(it.ticket_no); if (tr) paint(tr, it); }
      showError(err, ex);
      toast(errorText(ex), true);
      return false;
    }
  };
  const rowKeys = (it) => async (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.target.tagName === 'A') return;
    const tr = e.currentTarget;
    if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); (tr.nextElementSibling || tr).focus(); return; }
    if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); (tr.previousElementSibling || tr).focus(); return; }
    if (e.key === 'Enter') { e.preventDefault(); open(it); form.querySelector('[name=reached]').focus(); return; }
    if (e.key === 'd' || e.key === 'D') { e.preventDefault(); open(it); dial({ ticket_no: it.ticket_no }, dialBox); return; }
    if (/^[0-5]$/.test(e.key)) {
      e.preventDefault();
      open(it);
      const body = e.key === '0' ? { reached: false } : { reached: true, rating: Number(e.key), service_received: true };
      if (await record(it, body)) focusNext(tr);
    }
  };
  const addRow = (it) => {
    items.set(it.ticket_no, it);
    const tr = h('tr', { dataset: { ticket: it.ticket_no }, tabindex: 0, 'aria-label': `${it.ticket_no} ${it.ticket.elder_name} ${it.ticket.item_name}`,
      onclick: (e) => { if (e.target.tagName !== 'A') open(it); }, onkeydown: rowKeys(it) },
    h('td', {}, ticketLink(it.ticket_no)), h('td', {}, it.ticket.elder_name), h('td', {}, it.ticket.item_name),
    h('td', {}, it.ticket.firm_name || it.ticket.firm_code || ''), h('td', { class: 'small' }, reasonWords(it.reasons)),
    h('td', { class: 'small cb-status' }));
    paint(tr, it);
    rows.append(tr);
  };
  const query = () => {
    const p = new URLSearchParams({ limit: '50' });
    for (const [k, el] of [['reason', reason], ['firm_code', firms], ['status', status]]) if (el.value) p.set(k, el.value);
    if (next) p.set('cursor', next);
    return `/api/v1/callbacks/queue?${p}`;
  };
  let seq = 0;  // the newest request wins: a filter changed twice quickly shows the second
  const load = async (append) => {
    const mine = ++seq;
    if (!append) next = null;
    try {
      const q = await get(query());
      if (mine !== seq) return;
      if (!append) { items.clear(); clear(rows); }
      max = q.summary.max_attempts || max;
      summary.textContent = summaryText(q);
      q.items.forEach(addRow);
      next = q.next;
      more.hidden = !next;
      if (!rows.children.length) rows.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('callback.none', { date: q.date }))));
    } catch (e) { toast(errorText(e), true); }
  };
  more.addEventListener('click', () => load(true));
  [reason, firms, status].forEach((el) => el.addEventListener('change', () => load(false)));
  get('/api/v1/firms').then((r) => (r.firms || []).forEach((f) => firms.append(h('option', { value: f.code }, f.name)))).catch(() => {});

  const form = h('form', { id: 'callback-form', onsubmit: async (e) => {
    e.preventDefault();
    if (!current) { err.textContent = t('callback.pick'); return; }
    const d = formData(form);
    const reached = d.reached === '1';
    const body = { reached };
    if (reached) { body.rating = Number(d.rating); body.service_received = d.service_received === '1'; }
    if (d.comment) body.comment = d.comment;
    const it = current;
    if (await record(it, body)) {
      form.reset();
      const tr = rowOf(it.ticket_no);
      if (tr) focusNext(tr);
    }
  } },
  label,
  h('div', { class: 'row' }, field(t('reached'), select('reached', [['1', t('yes')], ['0', t('no')]])),
    field(t('rating'), select('rating', [['5', '5'], ['4', '4'], ['3', '3'], ['2', '2'], ['1', '1']])),
    field(t('received'), select('service_received', [['1', t('yes')], ['0', t('no.received')]]))),
  field(t('comment'), input('comment')),
  h('div', { class: 'row', style: 'align-items:center' },
    h('button', { class: 'primary', type: 'submit', id: 'callback-submit' }, t('save')),
    h('button', { class: 'secondary', type: 'button', id: 'callback-dial', style: 'margin-top:8px',
      onclick: () => { if (current) dial({ ticket_no: current.ticket_no }, dialBox); else err.textContent = t('callback.pick'); } }, t('dial'))),
  dialBox, err);

  root.append(h('div', { class: 'grid cols-2' },
    h('div', { class: 'panel' }, h('h2', {}, t('callbacks.today'), h('span', { class: 'hint' }, t('callback.keys'))), summary,
      h('div', { class: 'row' }, field(t('why'), reason), field(t('firm'), firms), field(t('state'), status)),
      h('div', { class: 'list' }, h('table', { id: 'callback-queue' },
        h('thead', {}, h('tr', {}, h('th', {}, t('ticket')), h('th', {}, t('elder')), h('th', {}, t('item')), h('th', {}, t('firm')),
          h('th', {}, t('why')), h('th', {}, t('state')))), rows)), more),
    h('div', { class: 'panel' }, h('h2', {}, t('callback.record')), form)));
  load(false).then(() => rows.querySelector('tr[data-ticket]')?.focus());
}
