// The canteen counter (SPEC §12): one field a card reader types into (keyboard-wedge readers
// send the number and Enter). Enter checks the card and records the meal when the day's
// subsidised meal is still there; a second meal the same day is shown at full price and
// recorded only on a second Enter. A typed ID number is an override, flagged. Through a network
// drop the meals are kept in this browser (localStorage) with their time and an
// Idempotency-Key, and sent once the link is back — never twice.
import { get, post, getMe } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, select, errorText, fen, clear, uuid, shanghaiToday } from './ui.js';

const ID_NUMBER = /^\d{17}[\dXx]$/;

// The meals waiting to be sent, oldest first: [{key, body, at, label}], kept per user (a
// counter's staff), so another canteen's login on this browser never sends them.
const queueKey = () => `vnh.counter.queue.${(getMe() || {}).username || ''}`;
export function loadQueue() {
  try { return JSON.parse(localStorage.getItem(queueKey()) || '[]'); } catch { return []; }
}
function saveQueue(q) { localStorage.setItem(queueKey(), JSON.stringify(q)); }

// The slot a meal at this Shanghai hour is for: breakfast before 10, lunch until 15, dinner after.
function slotNow() {
  const hour = new Date(Date.now() + 8 * 3600e3).getUTCHours();
  return hour < 10 ? 'breakfast' : hour < 15 ? 'lunch' : 'dinner';
}

// Shanghai local time as ISO 8601 with offset (what the server expects for served_at).
function nowIso() { return new Date(Date.now() + 8 * 3600e3).toISOString().replace(/\.\d+Z$/, '+08:00'); }

export function counter(root) {
  const me = getMe() || {};
  const canteen = me.canteen || {};
  const cardBox = h('input', { id: 'counter-card', name: 'card', autocomplete: 'off', inputmode: 'numeric', class: 'counter-input',
    'aria-describedby': 'counter-hint', placeholder: t('counter.placeholder') });
  const slotSel = select('slot', ['breakfast', 'lunch', 'dinner'].map((s) => [s, t(`slot.${s}`)]), { id: 'counter-slot' });
  slotSel.value = slotNow();
  const modeSel = select('mode', ['dine_in', 'pickup', 'delivery'].map((m) => [m, t(`mode.${m}`)]), { id: 'counter-mode' });
  const result = h('div', { id: 'counter-result', class: 'counter-result', role: 'status', 'aria-live': 'polite' }, t('counter.ready'));
  const link = h('span', { id: 'counter-link', class: 'pill on' }, t('counter.online'));
  const queued = h('span', { id: 'counter-queued', class: 'small muted' });
  const tbody = h('tbody', { id: 'counter-meals' });
  const totals = h('div', { id: 'counter-totals', class: 'small muted' });
  const rejected = h('ul', { id: 'counter-rejected', class: 'small' });
  let pending = null;  // a second meal shown at full price, waiting for a second Enter: {body}
  let online = true;
  let sending = false;

  const setOnline = (on) => {
    online = on;
    link.className = `pill ${on ? 'on' : 'off'}`;
    link.textContent = t(on ? 'counter.online' : 'counter.offline');
  };
  const showQueue = () => {
    const n = loadQueue().length;
    queued.textContent = n ? t('counter.queued', { n }) : '';
  };
  const show = (cls, ...lines) => {
    result.className = `counter-result ${cls}`;
    clear(result).append(...lines);
  };
  const elderLine = (e) => h('div', { class: 'counter-elder' }, h('b', {}, e.name), ' ', e.id_number, ' · ',
    t(`cat.${e.category}`), e.community_name ? ` · ${e.community_name}` : '');
  const split = (r) => h('div', { class: 'counter-split' },
    t('counter.split', { gov: fen(r.government_fen), elder: fen(r.elder_fen), price: fen(r.price_fen) }));

  const loadDay = async () => {
    const r = await get(`/api/v1/meals?date=${shanghaiToday()}`);
    clear(tbody);
    for (const m of r.meals.slice().reverse()) {
      tbody.append(h('tr', {}, h('td', {}, m.served_at.slice(11, 16)), h('td', {}, t(`slot.${m.slot}`)), h('td', {}, t(`mode.${m.mode}`)),
        h('td', { class: 'num' }, fen(m.government_fen)), h('td', { class: 'num' }, fen(m.elder_fen)),
        h('td', {}, m.flags.map((f) => h('span', { class: `flag ${f}` }, t(`meal.flag.${f}`))))));
    }
    totals.textContent = t('counter.totals', { n: r.totals.meals, sub: r.totals.subsidised, gov: fen(r.totals.government_fen),
      elder: fen(r.totals.elder_fen), over: r.totals.overrides });
  };

  // Sends the kept meals in order; a refused one leaves the queue and is listed with its reason.
  const flush = async () => {
    if (sending) return;
    sending = true;
    try {
      let q = loadQueue();
      while (q.length) {
        const item = q[0];
        try {
          await post('/api/v1/meals', item.body, { 'Idempotency-Key': item.key });
        } catch (ex) {
          if (ex.status === 0) { setOnline(false); break; }
          rejected.append(h('li', {}, `${item.at.slice(11, 16)} ${item.label}：${errorText(ex)}`));
        }
        q = loadQueue().filter((x) => x.key !== item.key);
        saveQueue(q);
        setOnline(true);
      }
    } finally {
      sending = false;
      showQueue();
      if (online) loadDay().catch(() => {});
    }
  };

  const keep = (body, label) => {
    const q = loadQueue();
    const at = nowIso();
    q.push({ key: uuid(), body: { ...body, served_at: at }, at, label });
    saveQueue(q);
    showQueue();
    show('queued', h('div', {}, t('counter.kept', { who: label })));
  };

  const record = async (body, label) => {
    if (!online || loadQueue().length) return keep(body, label);  // keep the order: after what is waiting
    try {
      const r = await post('/api/v1/meals', body, { 'Idempotency-Key': uuid() });
      show(r.government_fen > 0 ? 'ok' : 'full', h('div', { class: 'counter-head' }, t(r.government_fen > 0 ? 'counter.recorded' : 'counter.recorded.full')),
        elderLine(r.elder), split(r), r.flags.includes('override') ? h('div', { class: 'flag override' }, t('meal.flag.override')) : null);
      loadDay().catch(() => {});
    } catch (ex) {
      if (ex.status === 0) { setOnline(false); return keep(body, label); }
      show('bad', h('div', { class: 'counter-head' }, errorText(ex)));
    }
  };

  const submit = async (raw) => {
    const value = raw.trim();
    if (!value) {
      if (pending) { const p = pending; pending = null; await record(p.body, p.label); }
      return;
    }
    pending = null;
    const body = { slot: slotSel.value, mode: modeSel.value };
    if (ID_NUMBER.test(value)) body.id_number = value.toUpperCase(); else body.card_no = value;
    const label = body.card_no ? t('counter.card', { no: body.card_no }) : t('counter.typed');
    if (!online) return keep(body, label);
    let check;
    try {
      const q = new URLSearchParams(body.card_no ? { card_no: body.card_no } : { id_number: body.id_number });
      q.set('slot', body.slot);
      check = await get(`/api/v1/meals/check?${q}`);
    } catch (ex) {
      if (ex.status === 0) { setOnline(false); return keep(body, label); }
      return show('bad', h('div', { class: 'counter-head' }, errorText(ex)));
    }
    if (!check.available && check.flags.includes('second_meal')) {
      // Already had today's subsidised meal: never charged in full without the staff's second Enter.
      pending = { body, label };
      return show('warn', h('div', { class: 'counter-head' }, t('counter.second')), elderLine(check.elder), split(check),
        h('div', {}, h('button', { type: 'button', class: 'primary', id: 'counter-confirm', onclick: () => submit('') }, t('counter.confirm'))));
    }
    await record(body, label);
  };

  cardBox.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const v = cardBox.value;
    cardBox.value = '';
    submit(v).finally(() => cardBox.focus());
  });
  const lost = h('form', { id: 'counter-lost', class: 'inline-form', onsubmit: async (e) => {
    e.preventDefault();
    const no = lost.querySelector('input').value.trim();
    if (!no) return;
    try {
      await post(`/api/v1/meal-cards/${encodeURIComponent(no)}/lost`);
      toast(t('counter.lost.done', { no }));
      lost.reset();
    } catch (ex) { toast(errorText(ex), true); }
    cardBox.focus();
  } }, field(t('counter.lost'), h('input', { name: 'lost_card', autocomplete: 'off' })),
  h('button', { type: 'submit', class: 'danger' }, t('counter.lost.button')));

  root.append(h('div', { class: 'grid cols-2 counter' },
    h('div', { class: 'panel' },
      h('h2', {}, `${canteen.name || ''} · ${t('counter.title')}`, h('span', { class: 'hint' }, link, ' ', queued)),
      h('div', { class: 'row' }, field(t('slot'), slotSel), field(t('mode'), modeSel)),
      field(t('counter.card.label'), cardBox),
      h('div', { id: 'counter-hint', class: 'small muted' }, t('counter.hint')),
      result, rejected, lost),
    h('div', { class: 'panel' }, h('h2', {}, t('counter.today')), totals,
      h('table', { id: 'counter-table' }, h('thead', {}, h('tr', {}, h('th', {}, t('counter.time')), h('th', {}, t('slot')), h('th', {}, t('mode')),
        h('th', {}, t('counter.gov')), h('th', {}, t('counter.elder')), h('th', {}, ''))), tbody))));
  cardBox.focus();
  const onOnline = () => flush();
  window.addEventListener('online', onOnline);
  const timer = setInterval(() => { if (loadQueue().length) flush(); }, 2000);
  showQueue();
  if (loadQueue().length) flush(); else loadDay().catch(() => {});
  return () => { clearInterval(timer); window.removeEventListener('online', onOnline); };
}
