// The command screen's statistics (SPEC §15): the supervisors' dashboard and the `display`
// role's wall view. Charts are Apache ECharts (vendor/echarts.js, only line, bar and pie);
// every figure comes from /api/v1/stats/overview, /services and /firms, and each table can be
// downloaded as the same CSV.
import { get, download } from './api.js';
import { t } from './i18n.js';
import { h, clear, errorText, shanghaiToday, shanghaiLastMonth, num, pct, toast } from './ui.js';
import { liveMap } from './map.js';

// Text on the wall's dark ground.
const WALL_TEXT = '#e8eef5';
// A chart's text: the wall's is big and light.
const text = (big, size) => (big ? { fontSize: size, color: WALL_TEXT } : { fontSize: 12 });
const COLORS = ['#1f5f99', '#e07b00', '#2e8b57', '#b00020', '#6a3d9a', '#8c6d1f', '#0f7c8c', '#c2185b'];

// YYYY-MM-DD `n` days before `date`.
function daysBefore(date, n) { return new Date(Date.parse(`${date}T00:00:00Z`) - n * 86400e3).toISOString().slice(0, 10); }

// The words of a service-mix row: a category's or a channel's name, an hour, or the name the API gave.
function label(by, row) {
  if (by === 'category') return t(`cat.${row.key}`);
  if (by === 'channel') return t(`channel.${row.key}`);
  if (by === 'hour') return t('stats.hour', { h: row.key });
  if (by === 'firm' && !row.key) return t('stats.no.firm');
  return row.name || row.key;
}

const share = (part, whole) => (whole ? Math.round((part * 1000) / whole) / 10 : null);

function chart(el) {
  const c = window.echarts.init(el, null, { renderer: 'canvas' });
  const resize = () => c.resize();
  window.addEventListener('resize', resize);
  return { c, dispose: () => { window.removeEventListener('resize', resize); c.dispose(); } };
}

// The SLA tiles of an overview.
function tiles(o) {
  const tile = (id, value, caption, warn = false) => h('div', { class: `tile${warn ? ' warn' : ''}`, id: `tile-${id}` },
    h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-caption' }, caption));
  const e60 = share(o.emergencies_accepted_60s, o.emergencies);
  const inWindow = share(o.checkins_in_window, o.checkins);
  return h('div', { class: 'tiles' },
    tile('created', num(o.created), t('stats.created')),
    tile('completed', num(o.completed), t('stats.completed')),
    tile('unassigned', num(o.unassigned), t('stats.unassigned'), o.unassigned > 0),
    tile('accept', o.accept_median_s === null ? '—' : t('stats.seconds', { s: o.accept_median_s }), t('stats.accept.median', { p90: num(o.accept_p90_s) })),
    tile('emergency', pct(e60), t('stats.emergency.60s', { n: o.emergencies }), e60 !== null && e60 < 95),
    tile('window', pct(inWindow), t('stats.checkin.window')),
    tile('exceptions', num(o.visits_with_exceptions), t('stats.exceptions')),
    tile('rating', o.mean_rating === null ? '—' : String(o.mean_rating), t('stats.rating', { n: o.callbacks_reached })),
    tile('complaints', `${o.complaints_substantiated}/${o.complaints}`, t('stats.complaints')),
    tile('meals', num(o.meals_served), t('stats.meals', { n: o.meals_subsidised })));
}

function mixOption(by, data, big = false) {
  return {
    color: COLORS,
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0, textStyle: text(big, 22) },
    series: [{ type: 'pie', radius: ['35%', '65%'], label: { ...text(big, 22), formatter: '{b}\n{d}%' },
      data: data.rows.map((r) => ({ name: label(by, r), value: r.tickets, key: r.key })) }],
  };
}

function daysOption(o) {
  return {
    color: COLORS,
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 50, right: 20, top: 20, bottom: 50 },
    xAxis: { type: 'category', data: o.days.map((d) => d.date.slice(5)) },
    yAxis: { type: 'value' },
    series: [{ name: t('stats.created'), type: 'line', data: o.days.map((d) => d.created) },
      { name: t('stats.completed'), type: 'line', data: o.days.map((d) => d.completed) }],
  };
}

function barOption(names, values, name, big = false) {
  return {
    color: COLORS,
    tooltip: { trigger: 'axis' },
    grid: { left: big ? 70 : 50, right: 20, top: 20, bottom: big ? 60 : 70, containLabel: false },
    xAxis: { type: 'category', data: names, axisLabel: { rotate: names.length > 12 ? 40 : 0, ...text(big, 20) } },
    yAxis: { type: 'value', axisLabel: text(big, 20) },
    series: [{ name, type: 'bar', data: values }],
  };
}

function hoursOption(data, big = false) {
  const byHour = new Map(data.rows.map((r) => [Number(r.key), r.tickets]));
  const hours = Array.from({ length: 24 }, (_, i) => i);
  return barOption(hours.map((i) => String(i)), hours.map((i) => byHour.get(i) || 0), t('stats.created'), big);
}

function firmsOption(league) {
  const rows = league.firms.slice(0, 30);
  return {
    color: ['#b00020', '#1f5f99'],
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 50, right: 50, top: 20, bottom: 80 },
    xAxis: { type: 'category', data: rows.map((f) => f.firm_code), axisLabel: { rotate: 40, fontSize: 11 } },
    yAxis: [{ type: 'value', name: t('stats.exceptions.short') }, { type: 'value', name: t('stats.rating.short'), min: 0, max: 5 }],
    series: [{ name: t('stats.exceptions.short'), type: 'bar', data: rows.map((f) => f.exceptions) },
      { name: t('stats.rating.short'), type: 'line', yAxisIndex: 1, data: rows.map((f) => f.mean_rating) }],
  };
}

// A link to the CSV of a statistics request (the API needs the token, so it is fetched and saved).
function csvButton(path, id, caption) {
  return h('button', { type: 'button', class: 'secondary small', id,
    onclick: () => download(`${path}${path.includes('?') ? '&' : '?'}format=csv`).catch((e) => toast(errorText(e), true)) }, caption);
}

// The supervisors' dashboard: a range of days (the last thirty by default), the SLA tiles,
// the service mix, volume by day and hour, exceptions and callback ratings by firm, the firms'
// league of a month, and tickets per 1,000 elders by street.
export function dashboard(root) {
  const charts = [];
  const today = shanghaiToday();
  const from = h('input', { type: 'date', id: 'stats-from', value: daysBefore(today, 29) });
  const to = h('input', { type: 'date', id: 'stats-to', value: today });
  const month = h('input', { type: 'month', id: 'stats-month', value: shanghaiLastMonth(), 'aria-label': t('stats.league.month') });
  const by = h('select', { id: 'stats-by', 'aria-label': t('stats.mix.by') }, ...['category', 'item', 'channel', 'firm'].map((k) => h('option', { value: k }, t(`stats.by.${k}`))));
  const note = h('div', { class: 'small muted', id: 'stats-note' });
  const tileBox = h('div', { id: 'stats-tiles' });
  const box = (id) => h('div', { class: 'chart', id });
  const mix = box('chart-mix'); const days = box('chart-days'); const hours = box('chart-hours');
  const firmsChart = box('chart-firms'); const streets = box('chart-streets');
  const league = h('tbody', { id: 'league' });
  const csv = h('span', { class: 'csv-links' });
  root.append(h('div', { class: 'panel stats-panel' },
    h('h2', {}, t('stats.title')),
    h('div', { class: 'row stats-controls' }, h('label', {}, t('stats.from'), ' ', from), h('label', {}, t('stats.to'), ' ', to),
      h('button', { type: 'button', id: 'stats-apply', onclick: () => load() }, t('stats.apply')), csv),
    tileBox, note,
    h('div', { class: 'chart-grid' },
      h('div', { class: 'chart-cell' }, h('h3', {}, t('stats.mix'), ' ', by), mix),
      h('div', { class: 'chart-cell' }, h('h3', {}, t('stats.by.day')), days),
      h('div', { class: 'chart-cell' }, h('h3', {}, t('stats.by.hour')), hours),
      h('div', { class: 'chart-cell' }, h('h3', {}, t('stats.per.1000')), streets)),
    h('h3', {}, t('stats.league'), ' ', month, ' ', h('span', { id: 'league-csv' })),
    h('div', { class: 'chart-cell wide' }, h('h4', {}, t('stats.firms.quality')), firmsChart),
    h('table', { id: 'league-table' }, h('thead', {}, h('tr', {}, ...['rank', 'firm', 'score_total', 'score_q', 'tickets', 'acceptance',
      'punctuality', 'exceptions', 'rating', 'complaints'].map((k) => h('th', {}, t(`stats.col.${k}`))))), league)));
  for (const el of [mix, days, hours, firmsChart, streets]) charts.push(chart(el));
  const [cMix, cDays, cHours, cFirms, cStreets] = charts.map((x) => x.c);
  const range = () => `from=${from.value}&to=${to.value}`;
  async function loadMix() {
    const data = await get(`/api/v1/stats/services?${range()}&by=${by.value}`);
    cMix.setOption(mixOption(by.value, data), true);
  }
  async function loadLeague() {
    const l = await get(`/api/v1/stats/firms?month=${month.value}`);
    clear(league).append(...l.firms.map((f) => h('tr', { 'data-firm': f.firm_code },
      h('td', {}, num(f.rank)), h('td', {}, `${f.firm_name}（${f.firm_code}）`), h('td', { class: f.exit_review ? 'warn' : '' }, num(f.score_total)),
      h('td', {}, num(f.score_q)), h('td', {}, num(f.tickets)), h('td', {}, pct(f.acceptance)), h('td', {}, pct(f.punctuality)),
      h('td', {}, num(f.exceptions)), h('td', {}, num(f.mean_rating)), h('td', {}, `${f.complaints_substantiated}/${f.complaints}`))));
    if (!l.firms.length) league.append(h('tr', {}, h('td', { colspan: 10, class: 'muted' }, t('stats.league.empty'))));
    cFirms.setOption(firmsOption(l), true);
    clear(document.getElementById('league-csv') || h('span')).append(csvButton(`/api/v1/stats/firms?month=${month.value}`, 'csv-firms', t('stats.csv.firms')));
  }
  async function load() {
    note.textContent = t('loading');
    try {
      const [o, hr, st] = await Promise.all([get(`/api/v1/stats/overview?${range()}`), get(`/api/v1/stats/services?${range()}&by=hour`),
        get(`/api/v1/stats/services?${range()}&by=street`)]);
      clear(tileBox).append(tiles(o));
      cDays.setOption(daysOption(o), true);
      cHours.setOption(hoursOption(hr), true);
      const sts = st.rows.filter((r) => r.per_1000 !== null).sort((a, b) => b.per_1000 - a.per_1000);
      cStreets.setOption(barOption(sts.map((r) => r.name || r.key), sts.map((r) => r.per_1000), t('stats.per.1000')), true);
      clear(csv).append(csvButton(`/api/v1/stats/overview?${range()}`, 'csv-overview', t('stats.csv.overview')), ' ',
        csvButton(`/api/v1/stats/services?${range()}&by=${by.value}`, 'csv-services', t('stats.csv.services')));
      await Promise.all([loadMix(), loadLeague()]);
      note.textContent = t('stats.range', { from: o.from, to: o.to });
    } catch (e) { note.textContent = errorText(e); }
  }
  by.addEventListener('change', () => loadMix().catch((e) => { note.textContent = errorText(e); }));
  month.addEventListener('change', () => loadLeague().catch((e) => { note.textContent = errorText(e); }));
  load();
  return () => charts.forEach((x) => x.dispose());
}

// The wall view of the `display` role: today's figures in big type, the live map, the service
// mix and today's tickets by hour; no controls; it refreshes itself every minute.
export function wall(root) {
  document.body.classList.add('wall-mode');
  const clock = h('div', { class: 'wall-clock', id: 'wall-clock' });
  const tileBox = h('div', { id: 'wall-tiles' });
  const mix = h('div', { class: 'chart wall-chart', id: 'wall-mix' });
  const hours = h('div', { class: 'chart wall-chart', id: 'wall-hours' });
  const mapCell = h('div', { class: 'wall-map' });
  const note = h('div', { class: 'wall-note', id: 'wall-note' });
  root.append(h('div', { class: 'wall' },
    h('div', { class: 'wall-head' }, h('h1', {}, t('wall.title')), clock),
    tileBox,
    h('div', { class: 'wall-body' }, mapCell,
      h('div', { class: 'wall-side' }, h('h2', {}, t('stats.mix')), mix, h('h2', {}, t('wall.hours')), hours)),
    note));
  const disposeMap = liveMap(mapCell, { wall: true });
  const cMix = chart(mix); const cHours = chart(hours);
  async function load() {
    const day = shanghaiToday();
    try {
      const [o, m, hr] = await Promise.all([get(`/api/v1/stats/overview?from=${day}&to=${day}`),
        get(`/api/v1/stats/services?from=${day}&to=${day}&by=category`), get(`/api/v1/stats/services?from=${day}&to=${day}&by=hour`)]);
      clear(tileBox).append(tiles(o));
      cMix.c.setOption(mixOption('category', m, true), true);
      cHours.c.setOption(hoursOption(hr, true), true);
      note.textContent = t('wall.updated', { at: new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) });
    } catch (e) { note.textContent = errorText(e); }
  }
  const tick = () => { clock.textContent = new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }); };
  tick();
  load();
  const every = setInterval(load, 60000);
  const clockEvery = setInterval(tick, 1000);
  return () => { clearInterval(every); clearInterval(clockEvery); disposeMap(); cMix.dispose(); cHours.dispose(); document.body.classList.remove('wall-mode'); };
}
