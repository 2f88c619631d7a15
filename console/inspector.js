// The inspector's month table (SPEC §5, issue 22): every firm in one table — the firm's month
// as the platform saw it (tickets, callbacks and their mean rating, punctuality, exceptions,
// complaints) beside the E (企业建设), N (服务规范) and H (员工管理) scores, those already entered
// loaded into the inputs. Last month by default; one save sends the rows that changed, all or
// none, and an error names its firm and field.
import { get, put } from './api.js';
import { t } from './i18n.js';
import { h, toast, errorText, clear, num, pct, shanghaiLastMonth } from './ui.js';

const SCORES = [['enterprise_building', 'score.e'], ['service_norms', 'score.n'], ['staff_management', 'score.h']];
const SCORE = /^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;

export function inspections(root) {
  const monthBox = h('input', { type: 'month', id: 'inspection-month', name: 'month', value: shanghaiLastMonth() });
  const tbody = h('tbody', { id: 'inspection-rows' });
  const err = h('div', { class: 'error', id: 'inspection-error', role: 'alert' });
  const summary = h('div', { class: 'small muted', id: 'inspection-summary' });
  const saveBtn = h('button', { class: 'primary', type: 'button', id: 'inspection-save' }, t('insp.save'));
  let rows = [];  // {code, name, stored: {e,n,h}|null, inputs: {field: input}, tr}

  // A row to send: its inputs differ from what is stored (an untouched empty row is not one).
  const dirty = (r) => SCORES.some(([k]) => r.inputs[k].value.trim() !== (r.stored ? r.stored[k] : ''));
  const refresh = () => {
    let entered = 0, toSave = 0;
    for (const r of rows) {
      if (r.stored) ++entered;
      const d = dirty(r);
      if (d) ++toSave;
      r.tr.classList.toggle('dirty', d);
      r.status.textContent = d ? t('insp.changed') : r.stored ? t('insp.entered', { by: r.stored.entered_by }) : t('insp.missing');
    }
    summary.textContent = t('insp.summary', { n: rows.length, entered, dirty: toSave });
    saveBtn.disabled = toSave === 0;
  };

  const load = async () => {
    err.textContent = '';
    const month = monthBox.value;
    const [firms, scored, league] = await Promise.all([get('/api/v1/firms'), get(`/api/v1/inspections?month=${month}`),
      get(`/api/v1/stats/firms?month=${month}`)]);
    const stored = new Map(scored.inspections.map((i) => [i.firm_code, i]));
    const seen = new Map(league.firms.map((f) => [f.firm_code, f]));
    // Every firm that could be scored: not exited, or scored or seen this month.
    const list = firms.firms.filter((f) => f.status !== 'exited' || stored.has(f.code) || seen.has(f.code));
    clear(tbody);
    rows = list.map((f) => {
      const s = stored.get(f.code) || null;
      const m = seen.get(f.code) || {};
      const inputs = {};
      for (const [k, label] of SCORES) {
        inputs[k] = h('input', { name: k, inputmode: 'decimal', class: 'score', value: s ? s[k] : '', 'aria-label': `${f.name} ${t(label)}`,
          oninput: refresh });
      }
      const status = h('td', { class: 'small muted' });
      const tr = h('tr', { dataset: { firm: f.code } }, h('td', {}, f.code), h('td', {}, f.name),
        h('td', {}, num(m.tickets ?? 0)), h('td', {}, `${m.callbacks_reached ?? 0} · ${num(m.mean_rating ?? null)}`),
        h('td', {}, pct(m.punctuality ?? null)), h('td', {}, num(m.exceptions ?? 0)),
        h('td', {}, `${m.complaints_substantiated ?? 0}/${m.complaints ?? 0}`),
        ...SCORES.map(([k]) => h('td', {}, inputs[k])), status);
      tbody.append(tr);
      return { code: f.code, name: f.name, stored: s, inputs, tr, status };
    });
    if (!rows.length) tbody.append(h('tr', {}, h('td', { colspan: 11, class: 'muted' }, t('insp.none'))));
    refresh();
  };

  // Checks the rows that changed here first (a score 0–100 with at most two decimals, all three
  // or none), then sends them in one request.
  const save = async () => {
    err.textContent = '';
    const send = [];
    for (const r of rows) {
      if (!dirty(r)) continue;
      const row = { firm_code: r.code };
      for (const [k, label] of SCORES) {
        const v = r.inputs[k].value.trim();
        if (!SCORE.test(v)) {
          err.textContent = t('insp.bad', { firm: r.name, score: t(label) });
          r.inputs[k].focus();
          return;
        }
        row[k] = v;
      }
      send.push(row);
    }
    if (!send.length) return;
    saveBtn.disabled = true;
    try {
      const res = await put(`/api/v1/inspections/${monthBox.value}`, { scores: send });
      toast(t('insp.saved', { n: res.entered, month: res.month }));
      await load();
    } catch (e) {
      // "scores[3].service_norms": the firm of that row, and its input.
      const m = /^scores\[(\d+)\]\.(\w+)$/.exec(e.field || '');
      const r = m ? rows.find((x) => x.code === send[Number(m[1])]?.firm_code) : null;
      err.textContent = r ? `${r.name}：${errorText({ ...e, field: m[2] })}` : errorText(e);
      if (r && r.inputs[m[2]]) r.inputs[m[2]].focus();
      refresh();
    }
  };
  saveBtn.addEventListener('click', save);
  monthBox.addEventListener('change', () => load().catch((e) => { err.textContent = errorText(e); }));

  root.append(h('div', { class: 'panel' }, h('h2', {}, t('inspections')),
    h('div', { class: 'row', style: 'align-items:end;max-width:760px' },
      h('div', {}, h('label', { for: 'inspection-month' }, t('month')), monthBox), summary),
    h('p', { class: 'small muted' }, t('insp.hint')),
    h('div', { class: 'list' }, h('table', { id: 'inspections' }, h('thead', {}, h('tr', {},
      h('th', {}, t('code')), h('th', {}, t('firm.name')), h('th', {}, t('insp.tickets')), h('th', {}, t('insp.callbacks')),
      h('th', {}, t('stats.col.punctuality')), h('th', {}, t('stats.col.exceptions')), h('th', {}, t('stats.col.complaints')),
      ...SCORES.map(([, label]) => h('th', {}, t(label))), h('th', {}, t('status')))), tbody)),
    h('div', { class: 'row' }, saveBtn), err));
  load().catch((e) => { err.textContent = errorText(e); });
}
