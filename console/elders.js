// The elder register on the console: the line that tells two elders of one name apart (sex,
// age, category, community and street, ID tail), the elder card with its actions — edit,
// reveal the whole data with a reason (audited), deactivate / reactivate (supervisors) — and
// registration, where the home is picked on the district map or takes the community's point.
import { get, post, patch, put, getMe } from './api.js';
import { t } from './i18n.js';
import { h, toast, field, input, select, formData, showError, shortTime, clear, errorText, ticketLink, phoneText, shanghaiToday, fen } from './ui.js';

const CATEGORIES = [['A', 'A 三无'], ['B', 'B 重点优抚'], ['C', 'C 普通'], ['D', 'D 重度残疾']];
const canSupervise = () => ['supervisor', 'admin'].includes(getMe()?.role);

// "男 86岁 · C类 · 畅家巷社区（酒泉路街道）· 身份证尾号 0019"
export function elderLine(e) {
  const sex = e.sex === 'M' ? t('male') : e.sex === 'F' ? t('female') : '';
  const place = e.community_name ? `${e.community_name}${e.street_name ? `（${e.street_name}）` : ''}` : e.community_code;
  const tail = (e.id_number || '').slice(-4);
  return [`${sex} ${e.age ?? ''}${t('years')}`, `${t('cat')}${e.category}`, place, tail ? t('id.tail', { tail }) : ''].filter(Boolean).join(' · ');
}

// Cascading district → street → community selects, optionally set to an elder's community.
export function areaPicker(initial = null, onCommunity = () => {}) {
  const mk = (name) => select(name, [['', '—']]);
  const d = mk('district'), s = mk('street'), c = mk('community_code');
  const fill = async (sel, parent, want) => {
    clear(sel).append(h('option', { value: '' }, '—'));
    const r = await get(parent ? `/api/v1/areas?parent=${encodeURIComponent(parent)}` : '/api/v1/areas');
    r.areas.forEach((a) => sel.append(h('option', { value: a.code }, a.name)));
    if (want) sel.value = want;
    return r.areas;
  };
  d.addEventListener('change', () => { fill(s, d.value); clear(c); onCommunity(null); });
  s.addEventListener('change', () => { fill(c, s.value); onCommunity(null); });
  c.addEventListener('change', () => onCommunity(c.value || null, c.options[c.selectedIndex]?.textContent || ''));
  fill(d, '', initial?.district_code).then(async (districts) => {
    if (initial) {
      await fill(s, initial.district_code, initial.street_code);
      await fill(c, initial.street_code, initial.community_code);
    } else if (districts.length === 1) {
      d.value = districts[0].code;  // one district: nothing to choose
      await fill(s, d.value);
    }
  }).catch(() => {});
  const el = h('div', { class: 'row' }, field(t('district'), d), field(t('street'), s), field(t('community'), c));
  el.community = () => c.value;
  el.communityName = () => c.options[c.selectedIndex]?.textContent || '';
  return el;
}

// The district map for the home's point (Leaflet, vendored). With no tile server configured
// it shows the points it knows — the street's communities — on a plain background; the
// operator clicks where the home is, or leaves the community's point.
function homeMap() {
  const box = h('div', { class: 'map', id: 'home-map', role: 'application', 'aria-label': t('map.label') });
  const note = h('div', { class: 'small', id: 'home-point', 'aria-live': 'polite' }, t('map.pick.community'));
  let map = null, home = null, picked = null, around = null;
  // Each area's point is asked for once per page (the street's communities are redrawn on every
  // change of community).
  const points = new Map();
  const pointOf = (code) => {
    if (!points.has(code)) points.set(code, get(`/api/v1/areas/${encodeURIComponent(code)}/point`).catch((e) => { points.delete(code); throw e; }));
    return points.get(code);
  };
  const ensure = () => {
    if (map || !window.L) return map;
    map = window.L.map(box, { zoomControl: true, attributionControl: false }).setView([36.06, 103.83], 13);
    around = window.L.layerGroup().addTo(map);
    window.L.control.scale({ imperial: false }).addTo(map);
    map.on('click', (e) => {
      picked = { lat: Number(e.latlng.lat.toFixed(6)), lon: Number(e.latlng.lng.toFixed(6)) };
      place([picked.lat, picked.lon]);
      note.textContent = t('map.picked', { lat: picked.lat, lon: picked.lon });
    });
    return map;
  };
  const place = (ll) => {
    if (!ensure()) return;
    if (!home) home = window.L.circleMarker(ll, { radius: 9, color: '#b00020', weight: 3, fillOpacity: 0.6 }).addTo(map);
    else home.setLatLng(ll);
  };
  const api = {
    el: h('div', {}, box, note),
    picked: () => picked,
    reset() { picked = null; note.textContent = t('map.pick.community'); },
    // Centres on the community's point and shows its street's communities around it.
    async community(code, name, siblings) {
      picked = null;
      if (!code) { note.textContent = t('map.pick.community'); return; }
      try {
        const p = await pointOf(code);
        if (p.lat === null) { note.textContent = t('map.no.point'); return; }
        ensure()?.setView([p.lat, p.lon], 16);
        place([p.lat, p.lon]);
        note.textContent = p.from_code === code ? t('map.community', { name, n: p.elders }) : t('map.parent', { name });
        around?.clearLayers();
        for (const s of siblings) {
          pointOf(s.code).then((q) => {
            if (q.lat === null || q.from_code !== s.code || !around) return;
            window.L.circleMarker([q.lat, q.lon], { radius: 5, color: '#1f5f99', weight: 1, fillOpacity: 0.4 })
              .bindTooltip(s.name, { permanent: true, direction: 'right', className: 'map-label' }).addTo(around);
          }).catch(() => {});
        }
      } catch (e) { note.textContent = errorText(e); }
    },
    invalidate() { map?.invalidateSize(); },
  };
  return api;
}

export function register(root) {
  const err = h('div', { class: 'error', id: 'register-error', role: 'alert' });
  const map = homeMap();
  const areas = areaPicker(null, (code, name) => {
    const sel = document.getElementById('f-community_code');
    const siblings = sel ? [...sel.options].filter((o) => o.value && o.value !== code).map((o) => ({ code: o.value, name: o.textContent })) : [];
    map.community(code, name, siblings);
  });
  const form = h('form', { id: 'register-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    const d = formData(form);
    const body = { id_number: d.id_number, name: d.name, phone: d.phone, community_code: d.community_code,
      category: d.category, registered_on: d.registered_on, address: d.address };
    const p = map.picked();
    if (p) { body.lat = p.lat; body.lon = p.lon; }  // else the community's point
    if (d.contact_name) body.emergency_contacts = [{ name: d.contact_name, relation: d.contact_relation || '', phone: d.contact_phone || '' }];
    try {
      const e2 = await post('/api/v1/elders', body);
      toast(t('registered', { id: e2.elder_id, name: e2.name }));
      for (const f of ['id_number', 'name', 'phone', 'address', 'contact_name', 'contact_relation', 'contact_phone']) form.elements[f].value = '';
      map.reset();
      form.elements.id_number.focus();
    } catch (ex) { showError(err, ex); }
  } },
  h('div', { class: 'row' }, field(t('id_number'), input('id_number', { maxlength: 18, required: true, autocomplete: 'off' })),
    field(t('name'), input('name', { required: true }))),
  h('div', { class: 'row' }, field(t('phone'), input('phone', { required: true }), t('phone.hint')),
    field(t('category'), select('category', CATEGORIES)),
    field(t('registered_on'), input('registered_on', { type: 'date', value: shanghaiToday() }))),
  areas,
  field(t('address'), input('address')),
  h('div', { class: 'row' }, field(t('contact.name'), input('contact_name')), field(t('contact.relation'), input('contact_relation')),
    field(t('contact.phone'), input('contact_phone'))),
  h('label', {}, t('map.home')), map.el,
  h('button', { class: 'primary', type: 'submit', id: 'register-submit' }, t('register')), err);
  root.append(h('div', { class: 'panel', style: 'max-width:900px' }, h('h2', {}, t('register.title')), form));
  document.getElementById('f-id_number').focus();
}

// An inline form under the card: a reason and a button; `run(reason)` does the action.
function reasonForm(id, label, options, run) {
  const err = h('div', { class: 'error', role: 'alert' });
  const choice = select('reason_choice', options.map((o) => [o, o]).concat([['', t('reason.other')]]), { id: `${id}-choice` });
  const text = input('reason', { id: `${id}-reason`, maxlength: 200 });
  const form = h('form', { class: 'inline-form', id, onsubmit: async (e) => {
    e.preventDefault();
    const reason = [choice.value, text.value.trim()].filter(Boolean).join('：');
    if (!reason) { err.textContent = t('reason.needed'); text.focus(); return; }
    try { await run(reason); } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('reason'), choice), field(t('reason.detail'), text)),
  h('button', { class: 'primary', type: 'submit' }, label), err);
  setTimeout(() => choice.focus(), 0);
  return form;
}

// A death reported by phone (SPEC §13, supervisors): the date, who called, a note; the server
// cancels what is open and says what it did, asked once more before it is sent.
function deathForm(elder, done) {
  const err = h('div', { class: 'error', role: 'alert' });
  const day = input('died_on', { id: 'death-day', type: 'date', max: shanghaiToday(), required: true });
  const who = input('informant', { id: 'death-informant', maxlength: 60, placeholder: t('death.informant.hint') });
  const note = input('note', { id: 'death-note', maxlength: 200 });
  const confirm = h('label', { class: 'small' }, h('input', { type: 'checkbox', id: 'death-confirm' }), ' ', t('death.confirm', { name: elder.name }));
  const form = h('form', { class: 'inline-form', id: 'elder-death', onsubmit: async (e) => {
    e.preventDefault();
    if (!day.value) { err.textContent = t('death.day.needed'); day.focus(); return; }
    if (!form.querySelector('#death-confirm').checked) { err.textContent = t('death.confirm.needed'); return; }
    try {
      const r = await post(`/api/v1/elders/${elder.elder_id}/death`, { died_on: day.value, informant: who.value, note: note.value });
      toast(t('death.recorded', { name: elder.name, tickets: r.cancelled_tickets.length, cards: r.cards_revoked, recurrences: r.recurrences_ended }));
      done(r.elder);
    } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('death.day'), day), field(t('death.informant'), who), field(t('note'), note)),
  confirm, h('button', { class: 'danger', type: 'submit', id: 'death-save' }, t('death.record')), err);
  setTimeout(() => day.focus(), 0);
  return form;
}

// The elder's recurring orders (SPEC §14): what, when (the rule in words), the state, and pause /
// resume / end; a new one from a few common patterns or a rule typed in.
const PATTERNS = [['FREQ=DAILY', 'rec.daily'], ['FREQ=WEEKLY;BYDAY=MO,WE,FR', 'rec.mwf'], ['FREQ=WEEKLY', 'rec.weekly'],
  ['FREQ=WEEKLY;INTERVAL=2', 'rec.fortnightly']];
export function ruleText(rule) {
  const known = PATTERNS.find(([r]) => r === rule);
  if (known) return t(known[1]);
  const days = /BYDAY=([A-Z,]+)/.exec(rule);
  const every = /INTERVAL=(\d+)/.exec(rule);
  const base = rule.startsWith('FREQ=DAILY') ? t('rec.every.days', { n: every ? every[1] : 1 }) : t('rec.every.weeks', { n: every ? every[1] : 1 });
  return days ? `${base}（${days[1].split(',').map((d) => t(`rec.day.${d}`)).join('、')}）` : base;
}
function recurrences(elder, reload) {
  const list = elder.recurrences || [];
  const act = async (r, what, body = {}) => {
    try { await post(`/api/v1/recurrences/${r.recurrence_id}/${what}`, body); toast(t(`rec.${what}.done`)); reload(elder); } catch (e) { toast(errorText(e), true); }
  };
  return h('div', { class: 'small', id: 'elder-recurrences' }, h('b', {}, t('rec.title')), ' ',
    list.length ? list.map((r) => h('div', { class: `recurrence ${r.state}`, 'data-recurrence': r.recurrence_id },
      `${r.what} · ${ruleText(r.rule)} ${r.window_start}–${r.window_end} · ${t(`rec.state.${r.state}`)}`,
      r.paused_until ? t('rec.until', { day: r.paused_until }) : '',
      r.state === 'active' ? h('button', { type: 'button', class: 'secondary small', onclick: () => act(r, 'pause', { until: null }) }, t('rec.pause')) : null,
      r.state === 'paused' ? h('button', { type: 'button', class: 'secondary small', onclick: () => act(r, 'resume') }, t('rec.resume')) : null,
      r.state !== 'ended' ? h('button', { type: 'button', class: 'secondary small', onclick: () => act(r, 'end') }, t('rec.end')) : null))
      : t('none'));
}
// A new recurring order: a home service (an item code) or a meal delivered (or picked up) from a
// canteen — the canteens that deliver, the elder's own community first.
function recurrenceForm(elder, done) {
  const err = h('div', { class: 'error', role: 'alert' });
  const kind = select('kind', [['service', t('rec.kind.service')], ['meal', t('rec.kind.meal')]], { id: 'rec-kind' });
  const item = input('item_code', { id: 'rec-item', placeholder: 'LC010', maxlength: 32 });
  const canteen = select('canteen_code', [], { id: 'rec-canteen' });
  const slot = select('slot', ['lunch', 'dinner', 'breakfast'].map((s) => [s, t(`slot.${s}`)]), { id: 'rec-slot' });
  const mode = select('mode', [['delivery', t('rec.mode.delivery')], ['pickup', t('rec.mode.pickup')]], { id: 'rec-mode' });
  const rule = select('rule', PATTERNS.map(([r, k]) => [r, t(k)]), { id: 'rec-rule' });
  const from = input('window_start', { id: 'rec-from', type: 'time', value: '09:00' });
  const to = input('window_end', { id: 'rec-to', type: 'time', value: '11:00' });
  const starts = input('starts_on', { id: 'rec-starts', type: 'date', value: shanghaiToday() });
  const service = field(t('rec.item'), item);
  const meal = h('div', { class: 'row', hidden: true, style: 'flex:3' }, field(t('rec.canteen'), canteen), field(t('rec.slot'), slot), field(t('rec.mode'), mode));
  let loaded = false;
  const loadCanteens = async () => {
    if (loaded) return;
    loaded = true;
    try {
      const r = await get('/api/v1/canteens');
      const open = r.canteens.filter((k) => k.status === 'active')
        .sort((a, b) => (b.community_code === elder.community_code) - (a.community_code === elder.community_code) || a.code.localeCompare(b.code));
      clear(canteen).append(...open.map((k) => h('option', { value: k.code }, `${k.name}（${k.code}）${k.delivers ? '' : t('rec.no.delivery')}`)));
    } catch (e) { loaded = false; showError(err, e); }
  };
  kind.addEventListener('change', () => {
    const isMeal = kind.value === 'meal';
    service.hidden = isMeal;
    meal.hidden = !isMeal;
    if (isMeal) { from.value = '11:00'; to.value = '12:30'; loadCanteens(); } else { from.value = '09:00'; to.value = '11:00'; }
  });
  const form = h('form', { class: 'inline-form', id: 'elder-recurrence', onsubmit: async (e) => {
    e.preventDefault();
    const what = kind.value === 'meal' ? { canteen_code: canteen.value, slot: slot.value, mode: mode.value } : { item_code: item.value.trim() };
    try {
      await post('/api/v1/recurrences', { elder_id: elder.elder_id, ...what, rule: rule.value,
        window_start: from.value, window_end: to.value, starts_on: starts.value });
      toast(t('rec.created'));
      done(elder);
    } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row' }, field(t('rec.kind'), kind), service, meal),
  h('div', { class: 'row' }, field(t('rec.rule'), rule), field(t('rec.from'), from), field(t('rec.to'), to), field(t('rec.starts'), starts)),
  h('button', { class: 'primary', type: 'submit', id: 'rec-save' }, t('rec.save')), err);
  return form;
}

// The elder as a care target (SPEC §14): why (flags), how often (tier), who visits.
const CARE_FLAGS = ['lives_alone', 'empty_nest', 'left_behind', 'disabled', 'severely_disabled', 'low_income', 'special_family'];
function careForm(elder, done) {
  const err = h('div', { class: 'error', role: 'alert' });
  const cur = elder.care || { flags: [], tier: 'general', care_worker: '' };
  const boxes = CARE_FLAGS.map((f) => h('label', { class: 'small care-flag' },
    h('input', { type: 'checkbox', name: 'flag', value: f, checked: cur.flags.includes(f) }), ' ', t(`care.flag.${f}`)));
  const tier = select('tier', ['high', 'key', 'general'].map((k) => [k, t(`care.tier.${k}`)]), { id: 'care-tier' });
  tier.value = cur.tier;
  const worker = input('care_worker', { id: 'care-worker', maxlength: 64, value: cur.care_worker || '' });
  const form = h('form', { class: 'inline-form', id: 'elder-care-form', onsubmit: async (e) => {
    e.preventDefault();
    const flags = [...form.querySelectorAll('input[name=flag]:checked')].map((b) => b.value);
    try {
      done(await put(`/api/v1/elders/${elder.elder_id}/care-target`, { flags, tier: tier.value, care_worker: worker.value.trim() }));
      toast(t('saved'));
    } catch (ex) { showError(err, ex); }
  } }, h('div', { class: 'row care-flags' }, ...boxes), h('div', { class: 'row' }, field(t('care.tier'), tier), field(t('care.worker'), worker)),
  h('button', { class: 'primary', type: 'submit', id: 'care-target-save' }, t('care.target.save')), err);
  return form;
}

// The edit form: only what changed is sent; moving to another community moves the home to its
// point unless the operator unticks it.
function editForm(elder, done) {
  const err = h('div', { class: 'error', role: 'alert' });
  const areas = areaPicker(elder);
  const move = h('input', { type: 'checkbox', id: 'f-move_point', checked: true });
  const form = h('form', { class: 'inline-form', id: 'elder-edit', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(form);
    const body = {};
    if (d.name && d.name !== elder.name) body.name = d.name;
    if (d.category !== elder.category) body.category = d.category;
    if (d.phone) body.phone = d.phone;
    if (d.address) body.address = d.address;
    if (d.community_code && d.community_code !== elder.community_code) {
      body.community_code = d.community_code;
      if (move.checked) {
        try {
          const p = await get(`/api/v1/areas/${encodeURIComponent(d.community_code)}/point`);
          if (p.lat !== null) { body.lat = p.lat; body.lon = p.lon; }
        } catch {}
      }
    }
    if (!Object.keys(body).length) { err.textContent = t('edit.nothing'); return; }
    try { done(await patch(`/api/v1/elders/${elder.elder_id}`, body)); } catch (ex) { showError(err, ex); }
  } },
  h('div', { class: 'row' }, field(t('name'), input('name', { value: elder.name, required: true })),
    field(t('category'), select('category', CATEGORIES, { value: elder.category }))),
  h('div', { class: 'row' }, field(t('phone'), input('phone', { placeholder: t('edit.phone.keep') }), t('phone.hint')),
    field(t('address'), input('address', { placeholder: t('edit.address.keep') }))),
  areas,
  h('label', { for: 'f-move_point', class: 'check' }, move, ' ', t('edit.move.point')),
  h('button', { class: 'primary', type: 'submit', id: 'elder-edit-submit' }, t('save')), err);
  form.elements.category.value = elder.category;
  return form;
}

// The elder card. `reload()` is called after a change so the desk shows the new state.
// "本月服务额度：重点优抚服务额度 已用 ¥48.00，剩余 ¥2.00（每月 ¥50.00）" (SPEC §13).
export function grantsLine(elder) {
  const grants = elder.grants || [];
  const words = grants.map((g) => g.unit === 'minutes'
    ? t('grant.minutes', { name: g.name, used: g.used, left: g.left, monthly: g.monthly })
    : t('grant.fen', { name: g.name, used: fen(g.used), left: fen(g.left), monthly: fen(g.monthly) }));
  return h('div', { class: 'small grants' }, h('b', {}, t('grants')), ' ', words.length ? words.join('；') : t('grants.none'));
}

export function elderCard(elder, reload) {
  const extra = h('div', { id: 'elder-extra' });
  const open = (el) => { clear(extra).append(el); };
  const whole = h('div', { id: 'elder-whole' });
  const actions = h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary small', id: 'elder-edit-open', onclick: () => open(editForm(elder, (e) => { toast(t('saved')); reload(e); })) }, t('edit')),
    h('button', { type: 'button', class: 'secondary small', id: 'elder-reveal-open', onclick: () => open(reasonForm('elder-reveal', t('reveal'),
      [t('reason.callback'), t('reason.contact'), t('reason.verify')], async (reason) => {
        const w = await post(`/api/v1/elders/${elder.elder_id}/reveal`, { reason });
        clear(extra);
        clear(whole).append(h('div', { class: 'warn small' }, t('reveal.audited')),
          h('div', { class: 'small' }, `${t('id_number')}：${w.id_number}`),
          h('div', { class: 'small' }, `${t('phone')}：${w.phones.map(phoneText).join('，')}`),
          w.address ? h('div', { class: 'small' }, `${t('address')}：${w.address}`) : null,
          w.emergency_contacts.map((c) => h('div', { class: 'small' }, `${t('contact.name')}：${c.name} ${c.relation} ${phoneText(c.phone)}`)));
      })) }, t('reveal')),
    canSupervise() && elder.status !== 'deceased' ? (elder.status === 'active'
      ? h('button', { type: 'button', class: 'danger small', id: 'elder-deactivate-open', onclick: () => open(reasonForm('elder-deactivate', t('deactivate'),
        [t('reason.moved'), t('reason.nursing_home'), t('reason.duplicate')], async (reason) => {
          const e = await post(`/api/v1/elders/${elder.elder_id}/deactivate`, { reason });
          toast(t('deactivated', { name: e.name }));
          reload(e);
        })) }, t('deactivate'))
      : h('button', { type: 'button', class: 'secondary small', id: 'elder-reactivate-open', onclick: () => open(reasonForm('elder-reactivate', t('reactivate'),
        [t('reason.back')], async (reason) => {
          const e = await post(`/api/v1/elders/${elder.elder_id}/reactivate`, { reason });
          toast(t('reactivated', { name: e.name }));
          reload(e);
        })) }, t('reactivate'))) : null,
    elder.status === 'active'
      ? h('button', { type: 'button', class: 'secondary small', id: 'elder-care-open', onclick: () => open(careForm(elder, (e) => reload(e))) }, t('care.target.edit'))
      : null,
    elder.status === 'active'
      ? h('button', { type: 'button', class: 'secondary small', id: 'elder-recurrence-open', onclick: () => open(recurrenceForm(elder, (e) => reload(e))) }, t('rec.new'))
      : null,
    canSupervise() && elder.status !== 'deceased'
      ? h('button', { type: 'button', class: 'danger small', id: 'elder-death-open', onclick: () => open(deathForm(elder, (e) => reload(e))) }, t('death.open'))
      : null);
  return h('div', { class: 'card' },
    h('h3', {}, elder.name, ' ', h('span', { class: 'muted small' }, elder.elder_id)),
    h('div', { class: 'small' }, elderLine(elder)),
    h('div', { class: 'small' }, `${t('phone')}：${(elder.phones || []).join('，')}`),
    (elder.emergency_contacts || []).length ? h('div', { class: 'small' }, `${t('contact.name')}：${elder.emergency_contacts.map((c) => `${c.name} ${c.relation} ${c.phone}`).join('；')}`) : null,
    elder.status === 'deceased'
      ? h('div', { class: 'warn', id: 'elder-deceased' }, t('elder.deceased', { day: elder.death?.died_on || '', source: t(`death.source.${elder.death?.source || 'registry'}`) }))
      : elder.status !== 'active' ? h('div', { class: 'warn', id: 'elder-inactive' }, t('elder.inactive'), elder.status_reason ? `（${elder.status_reason}）` : '') : null,
    elder.care && elder.status !== 'deceased' ? h('div', { class: 'small', id: 'elder-care' }, t('elder.care', { flags: elder.care.flags.map((f) => t(`care.flag.${f}`)).join('、'),
      tier: t(`care.tier.${elder.care.tier}`), due: shortTime(elder.care.due_at) })) : null,
    grantsLine(elder),
    elder.status === 'active' || (elder.recurrences || []).length ? recurrences(elder, reload) : null,
    h('div', { class: 'small' }, h('b', {}, t('open.tickets')), ' ',
      elder.open_tickets.length ? elder.open_tickets.map((o) => h('span', {}, ticketLink(o.ticket_no), ` ${o.item_name} (${t(`state.${o.state}`)}) `)) : t('none')),
    h('div', { class: 'small' }, h('b', {}, t('recent')), ' ',
      elder.recent_services.length ? elder.recent_services.map((o) => h('span', {}, shortTime(o.checkout_at), ' ', ticketLink(o.ticket_no), ` ${o.item_name} ${o.firm_name || ''}；`)) : t('none')),
    whole, actions, extra);
}
