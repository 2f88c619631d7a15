// Meal deliveries and their welfare checks (SPEC §12). The canteen's deliverer works a
// phone-sized list of the day's delivery orders: 送达 records the meal, 无人应答 records none and
// opens a welfare check; the route sheet prints for the round. The operators' 关爱核查 tab lists
// the open checks with their deadlines (call within 15 minutes, the care worker after 60) and
// the steps: a call (reached or not), the care worker sent, the close with its outcome.
import { get, post, getToken } from './api.js';
import { onLive } from './live.js';
import { t } from './i18n.js';
import { h, toast, select, errorText, clear, shanghaiToday, shortTime } from './ui.js';

// The device's position when it gives one within two seconds (a deliverer's phone), else none.
function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    const done = setTimeout(() => resolve({}), 2000);
    navigator.geolocation.getCurrentPosition((p) => { clearTimeout(done); resolve({ lat: p.coords.latitude, lon: p.coords.longitude }); },
      () => { clearTimeout(done); resolve({}); }, { timeout: 2000, maximumAge: 60000 });
  });
}

export function deliveries(root) {
  const dateBox = h('input', { type: 'date', id: 'delivery-date', value: shanghaiToday() });
  const slotSel = select('slot', ['lunch', 'breakfast', 'dinner'].map((s) => [s, t(`slot.${s}`)]), { id: 'delivery-slot' });
  const list = h('div', { id: 'delivery-list', class: 'delivery-list' });
  const kitchen = h('div', { id: 'delivery-kitchen', class: 'small muted' });
  const load = async () => {
    const r = await get(`/api/v1/meals/orders?date=${dateBox.value}`);
    const counts = Object.entries(r.kitchen).map(([k, n]) => { const [s, m] = k.split('.'); return `${t(`slot.${s}`)}${t(`mode.${m}`)} ${n}`; });
    kitchen.textContent = counts.length ? t('delivery.kitchen', { list: counts.join('，') }) : t('delivery.none');
    clear(list);
    for (const o of r.orders.filter((x) => x.mode === 'delivery' && x.slot === slotSel.value)) {
      const done = o.state !== 'ordered';
      const report = async (what) => {
        try {
          const body = { ...(await position()) };
          await post(`/api/v1/meals/orders/${o.order_id}/${what}`, body);
          toast(t(what === 'delivered' ? 'delivery.done' : 'delivery.no_answer.done', { name: o.elder_name }), what !== 'delivered');
          load();
        } catch (e) { toast(errorText(e), true); }
      };
      list.append(h('div', { class: `card delivery ${o.state}`, dataset: { order: o.order_id } },
        h('div', {}, h('b', {}, o.elder_name), ' ', h('span', { class: 'small muted' }, o.community_name), ' ',
          h('span', { class: `state ${o.state}` }, t(`order.${o.state}`))),
        h('div', { class: 'small' }, o.delivery_fee_fen ? t('delivery.fee', { fee: (o.delivery_fee_fen / 100).toFixed(2) }) : t('delivery.free')),
        done ? null : h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', onclick: () => report('delivered') }, t('delivery.delivered')),
          h('button', { type: 'button', class: 'danger', onclick: () => report('no-answer') }, t('delivery.no_answer')))));
    }
    if (!list.childElementCount) list.append(h('p', { class: 'muted' }, t('delivery.none')));
  };
  const sheet = async () => {
    const res = await fetch(`/api/v1/meals/route-sheet?date=${dateBox.value}&slot=${slotSel.value}`, { headers: { Authorization: `Bearer ${getToken()}` } });
    if (!res.ok) { toast(errorText((await res.json()).error), true); return; }
    const w = window.open(URL.createObjectURL(await res.blob()), '_blank');
    if (w) w.addEventListener('load', () => w.print());
  };
  dateBox.addEventListener('change', () => load().catch(() => {}));
  slotSel.addEventListener('change', () => load().catch(() => {}));
  root.append(h('div', { class: 'panel deliveries' }, h('h2', {}, t('delivery.title')),
    h('div', { class: 'row' }, dateBox, slotSel, h('button', { type: 'button', class: 'secondary', id: 'route-sheet', onclick: sheet }, t('delivery.sheet'))),
    h('p', { class: 'small warn' }, t('delivery.rule')), kitchen, list));
  load().catch((e) => toast(errorText(e), true));
}

export function welfare(root) {
  const box = h('div', { id: 'welfare-list' });
  const due = (iso) => Date.parse(iso) <= Date.now();
  const load = async () => {
    const r = await get('/api/v1/welfare-checks');
    clear(box);
    if (!r.checks.length) box.append(h('p', { class: 'muted' }, t('welfare.none')));
    for (const c of r.checks) {
      const step = async (path, body) => {
        try { await post(`/api/v1/welfare-checks/${c.check_id}/${path}`, body); load(); } catch (e) { toast(errorText(e), true); }
      };
      const outcome = select('outcome', ['elder_safe', 'elder_away', 'hospital', 'emergency_sent', 'other'].map((o) => [o, t(`welfare.outcome.${o}`)]));
      const note = h('input', { name: 'note', placeholder: t('welfare.note'), 'aria-label': t('welfare.note') });
      const late = !c.first_call_at && due(c.call_due_at);
      box.append(h('div', { class: `card welfare ${c.state}${late ? ' pop' : ''}`, dataset: { check: c.check_id } },
        h('h3', {}, `${c.elder_name} · ${c.community_name}`, ' ', h('span', { class: `state ${c.state}` }, t(`welfare.${c.state}`))),
        h('div', { class: 'small' }, t('welfare.opened', { at: shortTime(c.opened_at) }), ' · ',
          h('span', { class: late ? 'urgent' : '' }, t('welfare.call_by', { at: shortTime(c.call_due_at) })), ' · ',
          t('welfare.escalate_by', { at: shortTime(c.escalate_due_at) })),
        h('div', { class: 'small' }, t('phone'), '：', c.phones.join('，') || t('none'), ' · ', t('welfare.contacts'), '：',
          c.contacts.map((x) => `${x.name}（${x.relation}）${x.phone}`).join('，') || t('none')),
        c.state === 'escalated' && !c.care_worker_sent_at ? h('div', { class: 'warn' }, t('welfare.send_care')) : null,
        h('ol', { class: 'timeline small' }, c.events.map((e) => h('li', {}, `${shortTime(e.at)} ${t(`welfare.event.${e.kind}`)} · ${e.by}`))),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', onclick: () => step('calls', { who: 'elder', reached: true }) }, t('welfare.reached.elder')),
          h('button', { type: 'button', class: 'secondary', onclick: () => step('calls', { who: 'contact', reached: true }) }, t('welfare.reached.contact')),
          h('button', { type: 'button', class: 'secondary', onclick: () => step('calls', { who: 'elder', reached: false }) }, t('welfare.not_reached')),
          h('button', { type: 'button', class: 'danger', onclick: () => step('care-worker', {}) }, t('welfare.care_worker'))),
        h('div', { class: 'row' }, outcome, note,
          h('button', { type: 'button', class: 'primary', onclick: () => step('close', { outcome: outcome.value, note: note.value }) }, t('welfare.close')))));
    }
  };
  const off = onLive((ev) => {
    if ((ev.type === 'alert' && ev.kind === 'welfare_check') || ev.type === 'welfare_check') load().catch(() => {});
  });
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('welfare.title')), h('p', { class: 'small muted' }, t('welfare.rule')), box));
  load().catch((e) => toast(errorText(e), true));
  return off;
}
