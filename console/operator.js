// The operator's screens: desk (calls, elder search and card, new ticket, live board) and
// complaints. Keyboard-first (shortcuts no browser claims; `?` lists them): Alt+J answer the
// oldest ringing call, Alt+C find, Alt+N new ticket, Ctrl+Enter submit, arrows and Enter in the
// item search.
import { get, post, getMe } from './api.js';
import { onLive } from './live.js';
import { ringingPanel, missedPanel, watchCalls, claim, myCall, secondsSince, mmss } from './calls.js';
import { t } from './i18n.js';
import { searchItems } from './items.js';
import { elderCard, elderLine } from './elders.js';
import { h, toast, field, input, select, formData, showError, shortTime, stateBadge, uuid, clear, fen, errorText, ticketLink } from './ui.js';

let catalog = [];
async function loadCatalog() {
  if (!catalog.length) catalog = (await get('/api/v1/catalog')).items.filter((i) => i.active);
  return catalog;
}

// Item search by code, name, pinyin (initials or full) or short name (console/items.js), with
// keyboard selection.
export function itemPicker(onPick) {
  const box = input('item_search', { placeholder: t('item.search'), autocomplete: 'off', id: 'item-search' });
  const list = h('div', { class: 'suggest', hidden: true });
  const chosen = h('div', { class: 'small muted', id: 'item-chosen' });
  let matches = [];
  let active = 0;
  const render = () => {
    clear(list);
    matches.forEach((it, i) => list.append(h('div', { class: i === active ? 'active' : '', onmousedown: (e) => { e.preventDefault(); pick(i); } },
      `${it.code} ${it.name} · ${it.unit} · ¥${fen(it.standard_price_fen)}`, it.meal ? ` · ${t('item.meal')}` : '')));
    list.hidden = matches.length === 0;
  };
  const pick = (i) => {
    const it = matches[i];
    if (!it) return;
    box.value = `${it.code} ${it.name}`;
    chosen.textContent = `${t(`cat.${it.category}`)} · ${it.duration_min} ${t('min')} · ¥${fen(it.standard_price_fen)}`;
    list.hidden = true;
    onPick(it);
  };
  const find = () => {
    matches = searchItems(catalog, box.value, window.PinyinMatch && ((text, k) => window.PinyinMatch.match(text, k)));
    active = 0;
    render();
  };
  loadCatalog().then(() => { if (box.value && document.activeElement === box) find(); }).catch(() => {});
  box.addEventListener('input', find);
  box.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { active = Math.min(active + 1, matches.length - 1); render(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
    else if (e.key === 'Enter' && !list.hidden) { pick(active); e.preventDefault(); }
    else if (e.key === 'Escape') { list.hidden = true; }
  });
  box.addEventListener('blur', () => setTimeout(() => { list.hidden = true; }, 150));
  return h('div', {}, box, list, chosen);
}


// Elapsed-time colouring while a ticket waits for a firm: emergencies turn amber after a
// minute and red after five; normal tickets after ten and thirty.
function ageClass(tk, now) {
  if (!['created', 'offered', 'unassigned'].includes(tk.state)) return 'age-ok';
  const mins = (now - Date.parse(tk.created_at)) / 60000;
  const [warn, late] = tk.urgency === 'emergency' ? [1, 5] : [10, 30];
  return mins >= late ? 'age-late' : mins >= warn ? 'age-warn' : 'age-ok';
}
function elapsed(tk, now) {
  const end = tk.closed_at ? Date.parse(tk.closed_at) : now;  // closed tickets show how long they took
  const s = Math.max(0, Math.floor((end - Date.parse(tk.created_at)) / 1000));
  return s < 3600 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export function liveBoard(filter = () => true) {
  const rows = new Map();
  const tbody = h('tbody');
  const table = h('table', { id: 'board' }, h('thead', {}, h('tr', {},
    h('th', {}, t('ticket')), h('th', {}, t('elder')), h('th', {}, t('item')), h('th', {}, t('state')),
    h('th', {}, t('firm')), h('th', {}, t('elapsed')))), tbody);
  const draw = () => {
    const now = Date.now();
    const list = [...rows.values()].filter(filter).sort((a, b) => (b.created_at > a.created_at ? 1 : -1)).slice(0, 200);
    clear(tbody);
    for (const tk of list) {
      tbody.append(h('tr', { dataset: { ticket: tk.ticket_no } },
        h('td', { class: tk.urgency === 'emergency' ? 'urgent' : '' }, ticketLink(tk.ticket_no), tk.urgency === 'emergency' ? ` ${t('emergency')}` : ''),
        h('td', {}, tk.elder_name || ''), h('td', {}, tk.item_name || tk.item_code),
        h('td', {}, stateBadge(tk.state), tk.held_exceptions > 0 ? h('span', { class: 'urgent small' }, ` ⚑${tk.held_exceptions}`) : null),
        h('td', {}, tk.firm_name || tk.firm_code || '—'), h('td', { class: ageClass(tk, now) }, elapsed(tk, now))));
    }
  };
  const upsert = (tk) => { rows.set(tk.ticket_no, tk); };
  get('/api/v1/tickets?limit=100').then((r) => { r.tickets.forEach(upsert); draw(); }).catch(() => {});
  const off = onLive((ev) => { if (ev.type === 'ticket') { upsert(ev.ticket); draw(); } });
  const timer = setInterval(draw, 5000);
  const panel = h('div', { class: 'panel' }, h('h2', {}, t('board'), h('span', { class: 'hint' }, t('board.hint'))), h('div', { class: 'list' }, table));
  panel.dispose = () => { off(); clearInterval(timer); };
  panel.upsert = (tk) => { upsert(tk); draw(); };
  return panel;
}

// The desk: calls ringing (answer one and its elders show in "my call"), elder search and
// card, the new-ticket form, the live board. A call never changes a form that is being filled
// in: the card switches only by the operator's own choice, or on answering a call while the
// form is untouched.
export function desk(root) {
  let elder = null;
  let item = null;
  let call = null;  // this operator's call in progress, with the elders at its number
  let lastTicket = null;
  const results = h('div', { id: 'results' });
  const cardBox = h('div', { id: 'elder-card' }, h('p', { class: 'muted small' }, t('card.empty')));
  const board = liveBoard();
  const err = h('div', { class: 'error', id: 'ticket-error', role: 'alert' });
  const dupBox = h('div');
  const callBox = h('div', { id: 'my-call' });

  const showElder = async (id) => {
    try {
      elder = await get(`/api/v1/elders/${id}`);
    } catch (e) { toast(errorText(e), true); return; }
    clear(cardBox).append(elderCard(elder, () => showElder(elder.elder_id)));
    document.getElementById('item-search')?.focus();
    checkDup();
  };
  // No elder on the card: the operator picks one (a shared landline names several).
  const clearElder = (message) => {
    elder = null;
    clear(cardBox).append(h('p', { class: 'muted small' }, message || t('card.empty')));
    clear(dupBox);
  };

  const checkDup = async () => {
    clear(dupBox);
    if (!elder || !item) return;
    try {
      const r = await get(`/api/v1/tickets-check?elder_id=${elder.elder_id}&item_code=${encodeURIComponent(item.code)}`);
      if (r.likely_duplicates.length) dupBox.append(h('div', { class: 'warn', id: 'dup-warning' }, t('dup.warn', { list: r.likely_duplicates.join(', ') })));
    } catch {}
  };

  const search = async (q) => {
    q = q.trim();
    if (!q) return;
    // A phone number, an ID tail, a name, or a name and an ID tail ("张林 1234").
    const both = /^(\S+)\s+(\d{3}[\dXx])$/.exec(q);
    const param = /^[0-9+\-\s()]{7,}$/.test(q) ? `phone=${encodeURIComponent(q)}` : /^\d{3}[\dXx]$/.test(q) ? `id_tail=${q}`
      : both ? `name=${encodeURIComponent(both[1])}&id_tail=${both[2]}` : `name=${encodeURIComponent(q)}`;
    try {
      const r = await get(`/api/v1/elders?${param}`);
      clear(results);
      if (!r.elders.length) results.append(h('p', { class: 'muted small' }, t('no.match')));
      r.elders.forEach((e) => results.append(h('div', { class: 'card', tabindex: 0, dataset: { elder: e.elder_id },
        onclick: () => showElder(e.elder_id), onkeydown: (ev) => { if (ev.key === 'Enter') showElder(e.elder_id); } },
        h('b', {}, e.name), ' ', h('span', { class: 'small muted' }, elderLine(e)))));
      if (r.more) results.append(h('p', { class: 'small warn', id: 'results-more' }, t('find.more', { n: r.elders.length })));
      if (r.elders.length === 1) showElder(r.elders[0].elder_id);
    } catch (e) { toast(errorText(e), true); }
  };
  const findBox = input('find', { placeholder: t('find.placeholder'), id: 'find', autocomplete: 'off', 'aria-label': t('find'),
    onkeydown: (e) => { if (e.key === 'Enter') search(e.target.value); } });

  const form = h('form', { id: 'ticket-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    if (!elder) { err.textContent = t('pick.elder'); return; }
    if (!item) { err.textContent = t('pick.item'); document.getElementById('item-search').focus(); return; }
    const d = formData(form);
    const body = { elder_id: elder.elder_id, item_code: item.code, urgency: d.urgency || 'normal', notes: d.notes || '' };
    const toIso = (v) => (v ? `${v}:00+08:00` : undefined);
    if (d.window_start) body.window_start = toIso(d.window_start);
    if (d.window_end) body.window_end = toIso(d.window_end);
    if (call && call.state === 'answered') body.call_id = call.call_id;
    const key = form.dataset.key || (form.dataset.key = uuid());
    try {
      const tk = await post('/api/v1/tickets', body, { 'Idempotency-Key': key });
      toast(t('ticket.created', { no: tk.ticket_no, state: t(`state.${tk.state}`) }));
      board.upsert(tk);
      lastTicket = tk.ticket_no;
      delete form.dataset.key;
      form.reset();
      item = null;
      document.getElementById('item-chosen').textContent = '';
      clear(dupBox);
      drawCall(null);
      showElder(elder.elder_id);
    } catch (ex) { showError(err, ex); }
  } },
  field(t('item'), itemPicker((it) => { item = it; checkDup(); if (it.category === 'emergency_aid') document.getElementById('f-urgency').value = 'emergency'; })),
  dupBox,
  // Item, urgency, note: the note is two Tab stops from the item search; the window (a date and
  // time, several stops each) comes after.
  field(t('urgency'), select('urgency', [['normal', t('normal')], ['emergency', t('emergency')]])),
  field(t('notes'), h('textarea', { name: 'notes', id: 'f-notes', rows: 2 })),
  h('div', { class: 'row' },
    field(t('window.start'), input('window_start', { type: 'datetime-local' })),
    field(t('window.end'), input('window_end', { type: 'datetime-local' }))),
  h('button', { class: 'primary', type: 'submit', id: 'create-ticket' }, t('create.ticket'), ' ', h('kbd', {}, 'Ctrl+Enter')), err);
  form.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.ctrlKey) form.requestSubmit(); });
  // A form is in progress when the operator is in it or has put anything in it.
  const formBusy = () => {
    if (form.contains(document.activeElement)) return true;
    const d = formData(form);
    return Boolean(item || d.notes || d.window_start || d.window_end || (d.urgency && d.urgency !== 'normal'));
  };

  // My call: the caller, the elders at the number (pick one), the outcome, hang up. The notice
  // (pick one of the elders, the form was kept) stays through redraws the call's own updates
  // cause, until a ticket is made or another call is taken.
  let callNotice = null;
  const drawCall = (notice = callNotice) => {
    callNotice = notice;
    clear(callBox);
    if (!call) { callBox.append(h('p', { class: 'muted small' }, t('call.none'))); return; }
    const live = call.state === 'answered';
    const since = call.answered_at || call.received_at;
    callBox.append(h('div', { class: `card call ${call.state}`, dataset: { call: call.call_id } },
      h('div', {}, h('b', {}, `☎ ${call.caller}`), ' ', h('span', { class: 'small muted' }, `${t('line')} ${call.line} · ${t(`callstate.${call.state}`)}`),
        live ? h('span', { class: 'small muted', id: 'call-timer', dataset: { since } }, ` · ${t('call.talking', { s: mmss(secondsSince(since)) })}`) : null),
      notice ? h('div', { class: 'small warn', id: 'call-notice' }, notice) : null,
      (call.elders || []).length ? (call.elders || []).map((e) => h('div', { class: 'pick' }, h('button', { class: 'secondary', type: 'button', dataset: { elder: e.elder_id },
        onclick: () => showElder(e.elder_id) }, e.name), ' ', h('span', { class: 'small muted' }, elderLine(e)),
        e.open_tickets.length ? h('div', { class: 'small warn' }, t('open.tickets'), ' ', e.open_tickets.map((o) => h('span', {}, ticketLink(o.ticket_no), ` ${o.item_name} ${t(`state.${o.state}`)} `))) : null))
        : h('div', { class: 'small' }, t('pop.unknown'), ' ', h('button', { class: 'secondary', type: 'button', onclick: () => { location.hash = '#register'; } }, t('register'))),
      h('div', { class: 'row' },
        field(t('call.outcome'), select('outcome', ['ticket', 'information', 'complaint', 'callback', 'wrong_number', 'silent'].map((o) => [o, t(`outcome.${o}`)]),
          { id: 'f-outcome', value: lastTicket ? 'ticket' : 'information' })),
        h('div', {}, h('button', { type: 'button', class: 'secondary', id: 'record-outcome', onclick: recordOutcome }, t('call.record')),
          live ? h('button', { type: 'button', class: 'danger', id: 'hangup', onclick: hangup }, t('call.hangup')) : null))));
    const sel = document.getElementById('f-outcome');
    if (sel) sel.value = lastTicket ? 'ticket' : 'information';
  };
  const recordOutcome = async () => {
    if (!call) return;
    const outcome = document.getElementById('f-outcome').value;
    const body = { outcome };
    if (outcome === 'ticket' && lastTicket) body.ticket_no = lastTicket;
    try {
      await post(`/api/v1/calls/${encodeURIComponent(call.call_id)}/outcome`, body);
      toast(t('call.saved'));
    } catch (e) { toast(errorText(e), true); }
  };
  const hangup = async () => {
    if (!call) return;
    try {
      call = { ...call, ...(await post(`/api/v1/calls/${encodeURIComponent(call.call_id)}/hangup`)) };
      drawCall();
    } catch (e) { toast(errorText(e), true); }
  };
  // A call this desk answered: its elders show in "my call"; the card switches only when no
  // ticket is being filled in — to the caller when the number names one elder, to none (the
  // operator picks) when it names several.
  const takeCall = (c) => {
    call = c;
    lastTicket = null;
    if (formBusy()) { drawCall(t('call.kept')); return; }
    const elders = c.elders || [];
    drawCall(elders.length > 1 ? t('call.pick', { n: elders.length }) : null);
    if (elders.length === 1) showElder(elders[0].elder_id); else clearElder(elders.length > 1 ? t('call.pick', { n: elders.length }) : null);
  };
  const answer = async (c, onTaken) => {
    const r = await claim(c, onTaken);
    if (!r) return;
    try { takeCall(await get(`/api/v1/calls/${encodeURIComponent(c.call_id)}`)); } catch { takeCall({ ...r, elders: [] }); }
  };
  const ringPanel = ringingPanel(answer);
  const missed = missedPanel();
  const offCalls = watchCalls((ev) => {
    if (!call || ev.call_id !== call.call_id || ev.type !== 'call') return;
    call = { ...call, ...ev };
    drawCall();
  });
  const offPop = onLive((ev) => {
    // The card of a call answered here (the PBX answered it for this operator): shown in "my call".
    if (ev.type !== 'screen_pop') return;
    if (call && call.call_id === ev.call_id) { call.elders = ev.elders; drawCall(); return; }
    // The pop goes only to the desk that answered: it carries all the desk draws, no round trip.
    takeCall({ call_id: ev.call_id, caller: ev.caller, line: ev.line, received_at: ev.at, answered_at: ev.answered_at,
      state: 'answered', answered_by: getMe()?.username, elders: ev.elders });
  });
  // The call's duration moves on; nothing else is redrawn (the operator may be in its fields).
  const tick = setInterval(() => {
    const el = document.getElementById('call-timer');
    if (el) el.textContent = ` · ${t('call.talking', { s: mmss(secondsSince(el.dataset.since)) })}`;
  }, 1000);
  drawCall();
  myCall().then((c) => { if (c && !call) takeCall(c); });

  const keys = (e) => {
    if (!e.altKey || e.shiftKey || e.ctrlKey) return;
    const k = e.key.toLowerCase();
    if (k === 'c') { findBox.focus(); e.preventDefault(); }
    if (k === 'n') { document.getElementById('item-search')?.focus(); e.preventDefault(); }
    if (k === 'j') { document.querySelector('#calls .call.ringing button.primary')?.click(); e.preventDefault(); }
  };
  document.addEventListener('keydown', keys);
  root.append(h('div', { class: 'grid cols-3' },
    h('div', {}, ringPanel, h('div', { class: 'panel' }, h('h2', {}, t('call.mine')), callBox),
      h('div', { class: 'panel' }, h('h2', {}, t('find'), h('span', { class: 'hint' }, h('kbd', {}, 'Alt+C'))), findBox, results), missed),
    h('div', {}, h('div', { class: 'panel' }, h('h2', {}, t('card')), cardBox),
      h('div', { class: 'panel' }, h('h2', {}, t('new.ticket'), h('span', { class: 'hint' }, h('kbd', {}, 'Alt+N'))), form)),
    board));
  return () => { offCalls(); offPop(); clearInterval(tick); ringPanel.dispose(); missed.dispose(); board.dispose(); document.removeEventListener('keydown', keys); };
}

export function complaints(root) {
  const err = h('div', { class: 'error' });
  const tbody = h('tbody');
  const load = async () => {
    const r = await get('/api/v1/complaints?limit=50');
    clear(tbody);
    r.complaints.forEach((c) => tbody.append(h('tr', {}, h('td', {}, c.complaint_id), h('td', {}, ticketLink(c.ticket_no)), h('td', {}, shortTime(c.filed_at)),
      h('td', {}, t(`complaint.${c.status}`)), h('td', { class: 'small' }, c.description))));
  };
  const form = h('form', { id: 'complaint-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const c = await post('/api/v1/complaints', formData(form));
      toast(t('complaint.saved', { id: c.complaint_id }));
      form.reset();
      load();
    } catch (ex) { showError(err, ex); }
  } }, field(t('ticket'), input('ticket_no', { required: true })), field(t('description'), h('textarea', { name: 'description', rows: 3 })),
  h('button', { class: 'primary', type: 'submit' }, t('complaint.file')), err);
  root.append(h('div', { class: 'grid cols-2' }, h('div', { class: 'panel' }, h('h2', {}, t('complaint.new')), form),
    h('div', { class: 'panel' }, h('h2', {}, t('complaints')), h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, t('ticket')),
      h('th', {}, t('filed')), h('th', {}, t('status')), h('th', {}, t('description')))), tbody))));
  load().catch(() => {});
}
