// The finance screen: run a month's settlement, review every firm's and canteen's line, see
// whether the run still matches its inputs, approve it (another finance user than the one who
// ran it, after a dialog that shows what is being approved), download the CSVs and the
// printable statement.
import { get, post, getToken, download as save } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, clear, fen, errorText, shortTime, ticketLink, shanghaiToday, modal } from './ui.js';

const download = (path, name) => save(path, name).catch((e) => toast(errorText(e), true));

// RFC 4180 rows (quoted fields may hold commas and quotes).
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; }
    else if (c === '\n') { row.push(f.replace(/\r$/, '')); rows.push(row); row = []; f = ''; }
    else f += c;
  }
  if (f || row.length) { row.push(f); rows.push(row); }
  return rows;
}

// Last month in Asia/Shanghai (UTC+8, no daylight saving) as YYYY-MM.
function lastMonth() {
  const d = new Date(Date.now() + 8 * 3600e3);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

export function settlements(root) {
  const monthBox = input('month', { type: 'month', value: lastMonth(), id: 'settle-month' });
  const status = h('div', { id: 'settle-status', class: 'small' });
  const tbody = h('tbody');
  const canteens = h('tbody', { id: 'settlement-canteens' });
  const history = h('tbody');
  const stale = h('div', { id: 'settle-stale', class: 'warn', hidden: true }, t('settle.stale'));
  const approveBtn = h('button', { class: 'secondary', type: 'button', id: 'settle-approve', onclick: () => confirmApprove() }, t('approve'));
  let current = null;
  const total = (s) => (s.totals.payout_fen ?? 0) + (s.totals.meals_payout_fen ?? 0) + (s.totals.adjustments_fen ?? 0);
  const show = (s) => {
    current = s;
    clear(status).append(h('b', {}, `${s.month} · ${t(`run.${s.status}`)}`), ' ',
      `${t('run.by')} ${s.run_by} · ${s.approved_by ? `${t('approved.by')} ${s.approved_by}` : ''} · ${t('settle.transfer')} ¥${fen(total(s))}`);
    approveBtn.disabled = s.status === 'approved';
    stale.hidden = true;
    if (s.status !== 'approved') {
      get(`/api/v1/settlements/${s.month}/freshness`).then((f) => { stale.hidden = !f.stale; approveBtn.disabled = f.stale; }).catch(() => {});
    }
    loadCanteens(s.month).catch(() => clear(canteens));
    clear(tbody);
    for (const l of s.lines || []) {
      tbody.append(h('tr', {}, h('td', {}, l.firm_code), h('td', {}, l.firm_name), h('td', {}, l.tickets_completed), h('td', {}, l.tickets_eligible),
        h('td', {}, fen(l.subsidy_fen)), h('td', {}, l.score_total ?? '—'), h('td', {}, l.coefficient ?? '—'), h('td', {}, fen(l.deductions_fen)),
        h('td', {}, h('b', {}, fen(l.payout_fen))), h('td', {}, l.exit_review ? t('exit.review') : '')));
    }
  };
  // The canteens' lines, from the run's meals CSV (SPEC §12).
  const loadCanteens = async (month) => {
    const res = await fetch(`/api/v1/settlements/${month}/meals-csv`, { headers: { Authorization: `Bearer ${getToken()}` } });
    clear(canteens);
    if (!res.ok) return;
    const rows = parseCsv(await res.text()).slice(1);
    for (const r of rows) {
      canteens.append(h('tr', {}, h('td', {}, r[0]), h('td', {}, r[1]), h('td', {}, r[2]), h('td', {}, r[3]), h('td', {}, fen(r[4])),
        h('td', {}, fen(r[5])), h('td', {}, r[6]), h('td', {}, r[7]), h('td', {}, h('b', {}, fen(r[9])))));
    }
  };
  // Approving shows what is approved and sends the total it showed: a run that changed meanwhile is refused.
  const confirmApprove = () => {
    if (!current) return;
    const s = current;
    const dlg = modal('approve-dialog', t('settle.confirm.title', { month: s.month }), [
      h('table', {}, h('tbody', {},
        h('tr', {}, h('td', {}, t('run.by')), h('td', {}, `${s.run_by} · ${shortTime(s.run_at)}`)),
        h('tr', {}, h('td', {}, t('settle.firms')), h('td', {}, `${(s.lines || []).length} · ¥${fen(s.totals.payout_fen ?? 0)}`)),
        h('tr', {}, h('td', {}, t('settle.canteens')), h('td', {}, `${s.totals.canteens ?? 0} · ¥${fen(s.totals.meals_payout_fen ?? 0)}`)),
        h('tr', {}, h('td', {}, t('settle.adjustments')), h('td', {}, `¥${fen(s.totals.adjustments_fen ?? 0)}`)),
        h('tr', {}, h('td', {}, h('b', {}, t('settle.transfer'))), h('td', {}, h('b', { id: 'approve-total' }, `¥${fen(total(s))}`))),
        h('tr', {}, h('td', {}, t('settle.policy')), h('td', { class: 'small' }, (s.policy_digest || '').slice(0, 16))))),
      h('p', { class: 'small muted' }, t('settle.confirm.note'))],
    h('button', { type: 'button', class: 'primary', id: 'approve-confirm', onclick: async () => {
      dlg.close();
      try {
        await post(`/api/v1/settlements/${s.month}/approve`, { confirm_payout_fen: total(s) });
        toast(t('approved'));
        view();
        loadHistory();
      } catch (e) { toast(errorText(e), true); view(); }
    } }, t('settle.confirm.button')));
  };
  const loadHistory = async () => {
    const r = await get('/api/v1/settlements');
    clear(history);
    r.settlements.forEach((s) => history.append(h('tr', { onclick: () => { monthBox.value = s.month; view(); } },
      h('td', {}, s.month), h('td', {}, t(`run.${s.status}`)), h('td', {}, s.run_by), h('td', {}, s.approved_by || ''),
      h('td', {}, fen(total(s))))));
  };
  const view = async () => {
    try { show(await get(`/api/v1/settlements/${monthBox.value}`)); } catch (e) { clear(tbody); status.textContent = errorText(e); }
  };
  const run = async () => {
    status.textContent = t('running');
    try { show(await post(`/api/v1/settlements/${monthBox.value}`)); loadHistory(); } catch (e) { status.textContent = errorText(e); toast(errorText(e), true); }
  };
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('settlement')),
    h('div', { class: 'row', style: 'max-width:760px;align-items:end' }, field(t('month'), monthBox),
      h('button', { class: 'primary', type: 'button', id: 'settle-run', onclick: run }, t('run')),
      approveBtn,
      h('button', { class: 'secondary', type: 'button', onclick: () => download(`/api/v1/settlements/${monthBox.value}/csv`, `settlement-${monthBox.value}.csv`) }, t('settle.csv')),
      h('button', { class: 'secondary', type: 'button', onclick: () => download(`/api/v1/settlements/${monthBox.value}/meals-csv`, `meals-${monthBox.value}.csv`) }, t('settle.meals.csv')),
      h('button', { class: 'secondary', type: 'button', id: 'settle-statement', onclick: () => download(`/api/v1/settlements/${monthBox.value}/html`, `settlement-${monthBox.value}.html`) }, t('settle.statement'))),
    status, stale,
    h('table', { id: 'settlement-lines' }, h('thead', {}, h('tr', {}, h('th', {}, t('code')), h('th', {}, t('name')), h('th', {}, t('completed')),
      h('th', {}, t('eligible')), h('th', {}, t('subsidy')), h('th', {}, 'T'), h('th', {}, t('coef')), h('th', {}, t('deductions')),
      h('th', {}, t('payout')), h('th', {}, ''))), tbody),
    h('h2', {}, t('settle.canteens')),
    h('table', { id: 'settlement-canteen-lines' }, h('thead', {}, h('tr', {}, h('th', {}, t('code')), h('th', {}, t('name')),
      h('th', {}, t('meals.served')), h('th', {}, t('meals.subsidised')), h('th', {}, t('counter.gov')), h('th', {}, t('counter.elder')),
      h('th', {}, t('meals.overrides')), h('th', {}, t('meals.excluded')), h('th', {}, t('payout')))), canteens)),
  h('div', { class: 'panel' }, h('h2', {}, t('settlement.history')), h('table', {}, history)));
  monthBox.addEventListener('change', view);
  view();
  loadHistory().catch(() => {});
}

// Recoveries (追回, SPEC §13): what approved months paid for services or meals after an elder's
// death, listed for the open month; finance turns the chosen ones into negative adjustments of
// that month, or waives one with a note (audited).
export function recoveries(root) {
  const monthBox = input('month', { type: 'month', value: lastMonth(), id: 'recover-month' });
  const summary = h('div', { id: 'recover-summary', class: 'small' });
  const tbody = h('tbody', { id: 'recover-rows' });
  const applyBtn = h('button', { class: 'primary', type: 'button', id: 'recover-apply', disabled: true, onclick: () => apply() }, t('recover.apply'));
  const picked = () => [...tbody.querySelectorAll('input[type=checkbox]:checked')].map((c) => Number(c.value));
  const refresh = () => { const n = picked().length; applyBtn.disabled = n === 0; applyBtn.textContent = n ? t('recover.apply.n', { n }) : t('recover.apply'); };
  const load = async () => {
    clear(tbody);
    try {
      const r = await get(`/api/v1/settlements/${monthBox.value}/recoveries`);
      const rows = r.recoveries;
      summary.textContent = rows.length ? t('recover.summary', { n: rows.length, total: fen(r.total_fen), month: r.month }) : t('recover.none');
      for (const x of rows) {
        tbody.append(h('tr', { dataset: { id: x.recovery_id } },
          h('td', {}, h('input', { type: 'checkbox', value: x.recovery_id, 'aria-label': t('recover.pick'), checked: true, onchange: refresh })),
          h('td', {}, x.elder_id), h('td', {}, x.paid_month), h('td', {}, x.service_day),
          h('td', {}, t(`recover.kind.${x.kind}`)), h('td', {}, x.kind === 'ticket' ? ticketLink(x.ref) : x.ref),
          h('td', {}, `${t(`recover.payee.${x.payee}`)} ${x.payee_code}`), h('td', { class: 'num' }, fen(x.amount_fen)),
          h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => waive(x) }, t('recover.waive')))));
      }
    } catch (e) { summary.textContent = errorText(e); }
    refresh();
  };
  const apply = async () => {
    const ids = picked();
    if (!ids.length) return;
    try {
      const r = await post(`/api/v1/settlements/${monthBox.value}/recoveries/apply`, { ids });
      toast(t('recover.applied', { n: r.adjustments.length, month: r.month }));
    } catch (e) { toast(errorText(e), true); }
    load();
  };
  // Waiving needs a reason the audit keeps (a family repaid directly, an amount too small to pursue …).
  const waive = (x) => {
    const note = h('textarea', { name: 'note', id: 'recover-note', rows: 3, maxlength: 500, required: true });
    const err = h('div', { class: 'error' });
    const dlg = modal('recover-waive', t('recover.waive.title', { ref: x.ref, amount: fen(x.amount_fen) }), [field(t('recover.waive.note'), note), err],
      h('button', { type: 'button', class: 'primary', id: 'recover-waive-confirm', onclick: async () => {
        if (!note.value.trim()) { err.textContent = t('recover.waive.need'); note.focus(); return; }
        try {
          await post(`/api/v1/recoveries/${x.recovery_id}/waive`, { note: note.value.trim() });
          dlg.close();
          toast(t('recover.waived'));
          load();
        } catch (e) { err.textContent = errorText(e); }
      } }, t('recover.waive')));
    note.focus();
  };
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('recover.title')),
    h('p', { class: 'small muted' }, t('recover.rule')),
    h('div', { class: 'row', style: 'max-width:560px;align-items:end' }, field(t('recover.month'), monthBox), applyBtn),
    summary,
    h('table', { id: 'recover-table' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('elder.id')), h('th', {}, t('recover.paid_month')),
      h('th', {}, t('recover.day')), h('th', {}, t('recover.kind')), h('th', {}, t('recover.ref')), h('th', {}, t('recover.payee')),
      h('th', {}, t('recover.amount')), h('th', {}, ''))), tbody)));
  monthBox.addEventListener('change', load);
  // Recoveries go into the first month not yet approved: last month, or this one once last month is.
  get(`/api/v1/settlements/${monthBox.value}`).then((s) => {
    if (s.status === 'approved') monthBox.value = shanghaiToday().slice(0, 7);
  }).catch(() => {}).finally(load);
}
