// The finance screen: run a month's settlement, review every firm's line, approve (another
// finance user than the one who ran it), download the CSV and the printable HTML.
import { get, post, getToken } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, clear, fen, errorText } from './ui.js';

async function download(path, name) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getToken()}` } });
  if (!res.ok) { toast(errorText((await res.json()).error), true); return; }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function settlements(root) {
  const prev = new Date(Date.now() + 8 * 3600e3);
  prev.setUTCDate(1);
  prev.setUTCMonth(prev.getUTCMonth() - 1);
  const monthBox = input('month', { type: 'month', value: prev.toISOString().slice(0, 7), id: 'settle-month' });
  const status = h('div', { id: 'settle-status', class: 'small' });
  const tbody = h('tbody');
  const history = h('tbody');
  const show = (s) => {
    clear(status).append(h('b', {}, `${s.month} · ${t(`run.${s.status}`)}`), ' ',
      `${t('run.by')} ${s.run_by} · ${s.approved_by ? `${t('approved.by')} ${s.approved_by}` : ''} · ${t('payout')} ¥${fen(s.totals.payout_fen ?? 0)}`);
    clear(tbody);
    for (const l of s.lines || []) {
      tbody.append(h('tr', {}, h('td', {}, l.firm_code), h('td', {}, l.firm_name), h('td', {}, l.tickets_completed), h('td', {}, l.tickets_eligible),
        h('td', {}, fen(l.subsidy_fen)), h('td', {}, l.score_total ?? '—'), h('td', {}, l.coefficient ?? '—'), h('td', {}, fen(l.deductions_fen)),
        h('td', {}, h('b', {}, fen(l.payout_fen))), h('td', {}, l.exit_review ? t('exit.review') : '')));
    }
  };
  const loadHistory = async () => {
    const r = await get('/api/v1/settlements');
    clear(history);
    r.settlements.forEach((s) => history.append(h('tr', { onclick: () => { monthBox.value = s.month; view(); } },
      h('td', {}, s.month), h('td', {}, t(`run.${s.status}`)), h('td', {}, s.run_by), h('td', {}, s.approved_by || ''),
      h('td', {}, fen(s.totals.payout_fen ?? 0)))));
  };
  const view = async () => {
    try { show(await get(`/api/v1/settlements/${monthBox.value}`)); } catch (e) { clear(tbody); status.textContent = errorText(e); }
  };
  const run = async () => {
    status.textContent = t('running');
    try { show(await post(`/api/v1/settlements/${monthBox.value}`)); loadHistory(); } catch (e) { status.textContent = errorText(e); toast(errorText(e), true); }
  };
  const approve = async () => {
    try { await post(`/api/v1/settlements/${monthBox.value}/approve`); toast(t('approved')); view(); loadHistory(); } catch (e) { toast(errorText(e), true); }
  };
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('settlement')),
    h('div', { class: 'row', style: 'max-width:760px;align-items:end' }, field(t('month'), monthBox),
      h('button', { class: 'primary', type: 'button', id: 'settle-run', onclick: run }, t('run')),
      h('button', { class: 'secondary', type: 'button', id: 'settle-approve', onclick: approve }, t('approve')),
      h('button', { class: 'secondary', type: 'button', onclick: () => download(`/api/v1/settlements/${monthBox.value}/csv`, `settlement-${monthBox.value}.csv`) }, 'CSV'),
      h('button', { class: 'secondary', type: 'button', onclick: () => download(`/api/v1/settlements/${monthBox.value}/html`, `settlement-${monthBox.value}.html`) }, 'HTML')),
    status,
    h('table', { id: 'settlement-lines' }, h('thead', {}, h('tr', {}, h('th', {}, t('code')), h('th', {}, t('name')), h('th', {}, t('completed')),
      h('th', {}, t('eligible')), h('th', {}, t('subsidy')), h('th', {}, 'T'), h('th', {}, t('coef')), h('th', {}, t('deductions')),
      h('th', {}, t('payout')), h('th', {}, ''))), tbody)),
  h('div', { class: 'panel' }, h('h2', {}, t('settlement.history')), h('table', {}, history)));
  monthBox.addEventListener('change', view);
  view();
  loadHistory().catch(() => {});
}
