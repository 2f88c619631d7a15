// The command screen's live map (指挥大屏, SPEC §15): every worker at their last known position,
// coloured by what they are doing (idle, on the way, in service), the open tickets at the
// elders' homes (emergencies in red), the canteens with today's meals, the week's open visit
// exceptions. Positions move as the server pushes them (`map.workers`, once a second at most);
// ticket events change a worker's state at once; everything is re-read every minute. Under the
// points: the street and community outlines (`vnh import area-shapes`), and a tile layer only
// when the district configured one (`vnh serve --map-tiles`) — otherwise no server is reached.
import { get } from './api.js';
import { onLive } from './live.js';
import { t } from './i18n.js';
import { h, clear, shortTime, errorText, ticketLink, exceptionText } from './ui.js';

const STATES = ['idle', 'en_route', 'in_service'];
const key = (firm, staff) => `${firm}/${staff}`;

// Minutes since an ISO time (whole minutes, never negative).
function minutesSince(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.floor((Date.now() - ms) / 60000));
}

// A worker's popup: name, firm, ticket, item, time on site against the item's standard duration.
export function workerPopup(w) {
  const lines = [h('b', {}, w.name), ` · ${w.firm_name || w.firm_code}`, h('br'), t(`map.state.${w.state}`)];
  if (w.ticket_no) {
    lines.push(' · ', ticketLink(w.ticket_no), h('br'), `${w.item_name || w.item_code}`);
    if (w.state === 'in_service' && w.since) {
      const m = minutesSince(w.since);
      lines.push(h('br'), h('span', { class: m > w.duration_min ? 'warn' : '' }, t('map.on.site', { m, std: w.duration_min })));
    } else if (w.since) {
      lines.push(h('br'), t('map.accepted.at', { at: shortTime(w.since) }));
    }
  }
  lines.push(h('br'), h('span', { class: 'muted small' }, t('map.seen', { at: shortTime(w.at) })));
  return h('div', { class: 'map-popup', 'data-popup': key(w.firm_code, w.staff_code) }, ...lines);
}

export function liveMap(root, { wall = false } = {}) {
  const box = h('div', { id: 'live-map', class: wall ? 'live-map wall' : 'live-map' });
  const legend = h('div', { id: 'map-legend', class: 'map-legend' });
  const note = h('div', { class: 'small muted', id: 'map-note' });
  root.append(h('div', { class: 'panel map-panel' }, wall ? null : h('h2', {}, t('map.title')), legend, box, note));
  if (!window.L) { note.textContent = t('map.unavailable'); return () => {}; }
  const L = window.L;
  // Without a tile layer Leaflet knows no zoom limits: a district's street level is the most.
  const map = L.map(box, { zoomControl: !wall, attributionControl: false, preferCanvas: true, minZoom: 9, maxZoom: 18 }).setView([36.06, 103.83], 12);
  L.control.scale({ imperial: false }).addTo(map);
  const layers = { areas: L.layerGroup().addTo(map), canteens: L.layerGroup().addTo(map), exceptions: L.layerGroup().addTo(map),
    tickets: L.layerGroup().addTo(map), workers: L.layerGroup().addTo(map) };
  let exceptions = 0;
  // The base: the district's tile layers if configured, and the outlines (streets bold,
  // communities dashed, named on hover). Neither is needed: the points stand alone.
  const base = async () => {
    const [cfg, areas] = await Promise.all([get('/api/v1/map/config'), get('/api/v1/map/areas')]);
    for (const url of cfg.tiles) {
      L.tileLayer(url, { subdomains: cfg.subdomains || 'abc', maxZoom: 18, attribution: cfg.attribution || '' }).addTo(map).bringToBack();
    }
    if (cfg.tiles.length && cfg.attribution) L.control.attribution({ prefix: false }).addAttribution(cfg.attribution).addTo(map);
    const outline = L.geoJSON(areas, {
      style: (f) => (f.properties.level === 'community' ? { color: '#7a8797', weight: 1, dashArray: '4 3', fill: false }
        : { color: '#44546a', weight: 2, fill: true, fillOpacity: 0.03 }),
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name, { sticky: true }),
    });
    layers.areas.clearLayers();
    outline.addTo(layers.areas);
    box.dataset.areas = String(areas.features.length);
    box.dataset.tiles = String(cfg.tiles.length);
  };
  const workers = new Map();   // firm/staff → { data, marker }
  const tickets = new Map();   // ticket_no → marker
  let fitted = false;
  let reread = null;
  box._vnh = { workers, tickets, map };  // for the browser tests
  const icon = (state) => L.divIcon({ className: `worker-dot ${state}`, iconSize: [12, 12] });
  const showLegend = () => {
    const n = { idle: 0, en_route: 0, in_service: 0 };
    for (const { data } of workers.values()) n[data.state] = (n[data.state] || 0) + 1;
    const emergencies = [...tickets.values()].filter((m) => m.options.urgency === 'emergency').length;
    clear(legend).append(...STATES.map((s) => h('span', { class: `legend ${s}`, id: `map-count-${s}` }, h('i', { class: `worker-dot ${s}` }), t(`map.state.${s}`), ' ', h('b', {}, n[s]))),
      h('span', { class: 'legend', id: 'map-count-tickets' }, h('i', { class: 'ticket-dot' }), t('map.tickets'), ' ', h('b', {}, tickets.size)),
      h('span', { class: 'legend', id: 'map-count-emergencies' }, h('i', { class: 'ticket-dot emergency' }), t('map.emergencies'), ' ', h('b', {}, emergencies)),
      h('span', { class: 'legend', id: 'map-count-exceptions' }, h('i', { class: 'exc-dot' }), t('map.exceptions'), ' ', h('b', {}, exceptions)));
  };
  const putWorker = (w) => {
    const k = key(w.firm_code, w.staff_code);
    let e = workers.get(k);
    if (!e) {
      // Workers above everything else at the same place (an exception at the home they are in).
      const marker = L.marker([w.lat, w.lon], { icon: icon(w.state), keyboard: false, title: `${w.name} ${w.firm_code}`, zIndexOffset: 1000 });
      marker.bindPopup(() => workerPopup(workers.get(k).data));
      marker.on('add', () => marker.getElement()?.setAttribute('data-worker', k));
      e = { data: w, marker };
      workers.set(k, e);
      marker.addTo(layers.workers);
    } else {
      const was = e.data.state;
      e.data = { ...e.data, ...w };
      e.marker.setLatLng([e.data.lat, e.data.lon]);
      if (was !== e.data.state) e.marker.setIcon(icon(e.data.state));
      if (e.marker.isPopupOpen()) e.marker.setPopupContent(workerPopup(e.data));
    }
    e.marker.getElement()?.setAttribute('data-worker', k);
  };
  const putTicket = (x) => {
    tickets.get(x.ticket_no)?.remove();
    const m = L.circleMarker([x.lat, x.lon], { radius: x.urgency === 'emergency' ? 8 : 5, color: x.urgency === 'emergency' ? '#b00020' : '#1f5f99',
      weight: 2, fillOpacity: x.state === 'unassigned' ? 0.1 : 0.5, urgency: x.urgency });
    m.bindPopup(() => h('div', { class: 'map-popup' }, ticketLink(x.ticket_no), ' ',
      t(`state.${x.state}`), h('br'), `${x.item_name} · ${x.elder_name}`, h('br'), x.firm_code || t('map.no.firm'),
      h('br'), h('span', { class: 'muted small' }, shortTime(x.created_at))));
    m.addTo(layers.tickets);
    tickets.set(x.ticket_no, m);
  };
  const load = async () => {
    try {
      const [w, tk, k, x] = await Promise.all([get('/api/v1/map/workers'), get('/api/v1/map/tickets'), get('/api/v1/map/canteens'),
        get('/api/v1/map/exceptions')]);
      const seen = new Set();
      for (const x of w.workers) { putWorker(x); seen.add(key(x.firm_code, x.staff_code)); }
      for (const [k2, e] of workers) if (!seen.has(k2)) { e.marker.remove(); workers.delete(k2); }
      for (const m of tickets.values()) m.remove();
      tickets.clear();
      tk.tickets.forEach(putTicket);
      layers.canteens.clearLayers();
      for (const c of k.canteens) {
        L.circleMarker([c.lat, c.lon], { radius: 6, color: '#6a3d9a', weight: 2, fillOpacity: 0.3 })
          .bindPopup(() => h('div', { class: 'map-popup' }, h('b', {}, c.name), h('br'), t('map.meals.today', { n: c.meals_today }))).addTo(layers.canteens);
      }
      layers.exceptions.clearLayers();
      exceptions = x.exceptions.length;
      for (const e of x.exceptions) {
        L.marker([e.lat, e.lon], { icon: L.divIcon({ className: 'exc-marker', html: '<i class="exc-dot"></i>', iconSize: [12, 12] }), keyboard: false, zIndexOffset: -1000 })
          .bindPopup(() => h('div', { class: 'map-popup', 'data-exception': e.exception_id }, h('b', {}, exceptionText(e.type, e.facts)), h('br'),
            ticketLink(e.ticket_no), ' · ', e.firm_code || t('map.no.firm'), h('br'), h('span', { class: 'muted small' }, shortTime(e.raised_at))))
          .addTo(layers.exceptions);
      }
      if (!fitted && w.workers.length) {
        fitted = true;
        map.fitBounds(L.latLngBounds(w.workers.map((x) => [x.lat, x.lon])).pad(0.1), { maxZoom: 15 });
      }
      note.textContent = t('map.updated', { at: shortTime(w.at), n: w.workers.length });
      showLegend();
    } catch (e) { note.textContent = errorText(e); }
  };
  const off = onLive((ev) => {
    if (ev.type === 'map.workers') {
      let unknown = false;
      for (const p of ev.workers) {
        if (workers.has(key(p.firm_code, p.staff_code))) putWorker(p);
        else { putWorker({ ...p, name: p.staff_code, state: 'idle' }); unknown = true; }
      }
      // A worker seen for the first time: their name, firm and assignment come with a re-read.
      if (unknown && !reread) reread = setTimeout(() => { reread = null; load(); }, 500);
      showLegend();
    } else if (ev.type === 'ticket' && ev.ticket) {
      const x = ev.ticket;
      // The worker on it changes state with the ticket; a closed ticket leaves the map.
      if (x.staff_code && x.firm_code) {
        const e = workers.get(key(x.firm_code, x.staff_code));
        const state = x.state === 'accepted' ? 'en_route' : x.state === 'in_service' ? 'in_service' : 'idle';
        if (e) putWorker({ ...e.data, state, ticket_no: state === 'idle' ? null : x.ticket_no, item_code: x.item_code,
          item_name: x.item_name, since: state === 'in_service' ? x.checkin_at : state === 'en_route' ? x.accepted_at : null });
      }
      if (['completed', 'cancelled', 'disputed'].includes(x.state)) { tickets.get(x.ticket_no)?.remove(); tickets.delete(x.ticket_no); }
      showLegend();
    }
  });
  base().catch(() => {});  // without outlines or tiles the points still stand
  load();
  const every = setInterval(load, 60000);
  setTimeout(() => map.invalidateSize(), 0);
  return () => { off(); clearInterval(every); clearTimeout(reread); map.remove(); };
}
