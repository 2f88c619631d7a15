// The inspector's screen: monthly scores E (企业建设), N (服务规范), H (员工管理) per firm.
import { get, post } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, select, formData, showError, clear } from './ui.js';

export function inspections(root) {
  const err = h('div', { class: 'error', id: 'inspection-error' });
  const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
  const tbody = h('tbody');
  const firmSel = select('firm_code', []);
  const monthBox = input('month', { type: 'month', value: month });
  const load = async () => {
    const r = await get(`/api/v1/inspections?month=${monthBox.value}`);
    clear(tbody);
    r.inspections.forEach((i) => tbody.append(h('tr', {}, h('td', {}, i.firm_code), h('td', {}, i.firm_name), h('td', {}, i.enterprise_building),
      h('td', {}, i.service_norms), h('td', {}, i.staff_management), h('td', { class: 'small muted' }, i.entered_by))));
  };
  get('/api/v1/firms').then((r) => r.firms.forEach((f) => firmSel.append(h('option', { value: f.code }, `${f.code} ${f.name}`)))).catch(() => {});
  monthBox.addEventListener('change', () => load().catch(() => {}));
  const form = h('form', { id: 'inspection-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      await post('/api/v1/inspections', formData(form));
      toast(t('saved'));
      load();
    } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('firm'), firmSel), field(t('month'), monthBox)),
  h('div', { class: 'row' }, field(t('score.e'), input('enterprise_building', { inputmode: 'decimal', required: true })),
    field(t('score.n'), input('service_norms', { inputmode: 'decimal', required: true })),
    field(t('score.h'), input('staff_management', { inputmode: 'decimal', required: true }))),
  h('button', { class: 'primary', type: 'submit' }, t('save')), err);
  root.append(h('div', { class: 'grid cols-2' }, h('div', { class: 'panel' }, h('h2', {}, t('inspections')), form),
    h('div', { class: 'panel' }, h('h2', {}, t('inspections.month')), h('table', { id: 'inspections' }, h('thead', {}, h('tr', {},
      h('th', {}, t('code')), h('th', {}, t('name')), h('th', {}, 'E'), h('th', {}, 'N'), h('th', {}, 'H'), h('th', {}, ''))), tbody))));
  load().catch(() => {});
}
