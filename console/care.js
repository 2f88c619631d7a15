// Care visits (SPEC §14) on a phone-sized screen: the care worker's elders due and overdue
// (soonest first, the late ones marked), a tap opens the visit form — how the visit was made,
// the three findings, the needs seen, a note, and optionally a ticket for a service the elder
// needs, opened on the spot. Supervisors get the same list for the whole district and the
// month's visit rate by community.
import { get, post, getMe, download } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, select, showError, shortTime, clear, errorText, ticketLink } from './ui.js';

const FINDINGS = ['living', 'safety', 'health'];
const LEVELS = ['good', 'fair', 'poor'];

function dueRow(e, onPick) {
  const late = e.overdue;
  return h('li', { class: `care-due${late ? ' overdue' : ''}`, 'data-elder': e.elder_id },
    h('button', { type: 'button', class: 'care-pick', onclick: () => onPick(e) },
      h('b', {}, e.name), ' ', h('span', { class: 'small muted' }, `${e.community_name} · ${t(`care.tier.${e.tier}`)}`),
      h('div', { class: 'small' }, late ? t('care.overdue', { days: e.overdue_days }) : t('care.due', { at: shortTime(e.due_at) }),
        e.event ? h('span', { class: 'flag' }, ' ', t(`care.event.${e.event.kind}`)) : null),
      h('div', { class: 'small muted' }, (e.flags || []).map((f) => t(`care.flag.${f}`)).join('、'))));
}

function visitForm(elder, items, done) {
  const err = h('div', { class: 'error', id: 'care-visit-error', role: 'alert' });
  const method = select('method', ['in_person', 'phone', 'video'].map((m) => [m, t(`care.method.${m}`)]), { id: 'care-method' });
  const findings = FINDINGS.map((f) => field(t(`care.finding.${f}`),
    select(f, LEVELS.map((l) => [l, t(`care.level.${l}`)]), { id: `care-${f}` })));
  const needs = h('textarea', { name: 'needs', id: 'care-needs', rows: 2, placeholder: t('care.needs.hint') });
  const note = h('textarea', { name: 'note', id: 'care-note', rows: 2 });
  const item = select('item', [['', t('care.no.ticket')], ...items.map((i) => [i.code, i.name])], { id: 'care-item' });
  const form = h('form', { id: 'care-visit', class: 'card care-form' },
    h('h3', {}, t('care.visit.title', { name: elder.name })),
    field(t('care.method'), method), ...findings, field(t('care.needs'), needs), field(t('care.note'), note),
    field(t('care.ticket'), item),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'care-save' }, t('care.save')),
      h('button', { type: 'button', class: 'secondary', onclick: () => done(null) }, t('care.close'))),
    err);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { elder_id: elder.elder_id, method: method.value, note: note.value,
      findings: { living: form.elements.living.value, safety: form.elements.safety.value, health: form.elements.health.value, needs: needs.value } };
    if (item.value) body.ticket = { item_code: item.value, notes: needs.value };
    try {
      const v = await post('/api/v1/care/visits', body);
      done(v);
    } catch (e) { showError(err, e); }
  });
  return form;
}

export function care(root) {
  const me = getMe() || {};
  const list = h('ul', { id: 'care-due', class: 'care-list' });
  const summary = h('div', { id: 'care-summary', class: 'small', role: 'status' });
  const detail = h('div', { id: 'care-detail' });
  const onlyLate = h('input', { type: 'checkbox', id: 'care-overdue' });
  let items = [];
  const load = async () => {
    try {
      const r = await get(`/api/v1/care/due?within_days=30${onlyLate.checked ? '&overdue=1' : ''}`);
      clear(list);
      r.due.forEach((e) => list.append(dueRow(e, pick)));
      summary.textContent = t('care.summary', { n: r.count, late: r.overdue });
      if (!r.due.length) list.append(h('li', { class: 'muted' }, t('care.none')));
    } catch (e) { summary.textContent = errorText(e); }
  };
  const pick = (e) => {
    clear(detail).append(visitForm(e, items, (v) => {
      clear(detail);
      if (!v) return;
      toast(v.ticket_no ? t('care.saved.ticket', { no: v.ticket_no }) : t('care.saved'));
      if (v.ticket_no) detail.append(h('div', { class: 'small', id: 'care-ticket' }, t('care.ticket.opened'), ' ', ticketLink(v.ticket_no)));
      load();
    }));
    detail.scrollIntoView?.({ block: 'start' });
  };
  onlyLate.addEventListener('change', load);
  root.append(h('section', { class: 'panel care' },
    h('h2', {}, me.role === 'care' ? t('care.mine') : t('care.district')),
    h('label', { class: 'small care-filter' }, onlyLate, ' ', t('care.only.overdue')), summary, detail, list,
    me.role === 'care' ? null : report()));
  get('/api/v1/catalog').then((c) => { items = (c.items || []).filter((i) => !i.meal); }).catch(() => {});
  load();
}

// The month's visit rate by community (supervisors).
function report() {
  const box = h('div', { id: 'care-report' });
  get('/api/v1/care/report').then((r) => {
    box.append(h('h3', {}, t('care.report', { month: r.month, visited: r.visited, targets: r.targets })),
      h('table', { class: 'small' }, h('thead', {}, h('tr', {}, ...['community', 'care.targets', 'care.visited', 'care.rate'].map((k) => h('th', {}, t(k))))),
        h('tbody', {}, ...r.communities.map((c) => h('tr', {}, h('td', {}, c.community_name || c.community_code),
          h('td', {}, String(c.targets)), h('td', {}, String(c.visited)), h('td', {}, `${(Number(c.visit_rate) * 100).toFixed(1)}%`))))));
  }).catch((e) => box.append(h('div', { class: 'error' }, errorText(e))));
  return box;
}

// The eligibility watch (SPEC §13, 政策找人): next month's elders who reach an age that brings a
// meal band, a programme or the 高龄津贴, by community, with the CSV for the community offices.
function nextMonth() {
  const d = new Date(Date.now() + 8 * 3600e3);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 7);
}
function gainText(g) {
  if (g.kind === 'longevity_allowance') return t('elig.allowance');
  if (g.kind === 'meal_rule') return t('elig.meal', { detail: g.detail.replace(/^(\w+) (\d+) fen$/, (_, slot, fen) => `${t(`slot.${slot}`)} ¥${(Number(fen) / 100).toFixed(2)}`) });
  return t('elig.programme', { code: g.name || g.code });
}
export function eligibility(root) {
  const month = h('input', { type: 'month', id: 'elig-month', value: nextMonth() });
  const out = h('div', { id: 'elig-list' });
  const csv = h('a', { id: 'elig-csv', class: 'small' }, t('elig.csv'));
  const load = async () => {
    clear(out);
    try {
      const r = await get(`/api/v1/eligibility/upcoming?month=${month.value}`);
      out.append(h('div', { class: 'small', id: 'elig-count' }, t('elig.count', { month: r.month, n: r.count })));
      for (const c of r.communities) {
        out.append(h('h3', {}, c.community_name || c.community_code),
          h('ul', { class: 'small' }, ...c.elders.map((e) => h('li', { 'data-elder': e.elder_id },
            h('b', {}, e.name), ` ${e.birthday} · ${t('elig.turns', { age: e.turns })} · `, e.gains.map(gainText).join('；')))));
      }
    } catch (e) { out.append(h('div', { class: 'error' }, errorText(e))); }
    csv.onclick = async (ev) => {
      ev.preventDefault();
      download(`/api/v1/eligibility/upcoming?month=${month.value}&format=csv`, `eligibility-${month.value}.csv`)
        .catch((e) => toast(errorText(e), true));
    };
  };
  month.addEventListener('change', load);
  root.append(h('section', { class: 'panel' }, h('h2', {}, t('elig.title')), field(t('elig.month'), month), csv, out));
  load();
}
