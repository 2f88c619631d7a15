// The supervisor's screens: dispatch queues (unassigned, emergencies, alerts), the visit
// exception queue, disputes and complaints, and the firm list with live presence.
import { get, post } from './api.js';
import { onLive } from './live.js';
import { t } from './i18n.js';
import { h, toast, input, select, shortTime, stateBadge, clear, errorText, ticketLink, unassignedText, exceptionText } from './ui.js';
import { liveBoard } from './operator.js';

function ticketRow(tk, actions) {
  return h('tr', { dataset: { ticket: tk.ticket_no } }, h('td', { class: tk.urgency === 'emergency' ? 'urgent' : '' }, ticketLink(tk.ticket_no)),
    h('td', {}, tk.elder_name), h('td', {}, tk.item_name), h('td', {}, stateBadge(tk.state)),
    h('td', { class: 'small' }, tk.state === 'unassigned' ? unassignedText(tk.unassigned_reason) : tk.firm_name || tk.firm_code || ''), h('td', {}, actions));
}

export function queues(root) {
  const unassigned = h('tbody');
  const alerts = h('div', { id: 'alerts' }, h('p', { class: 'muted small' }, t('alerts.none')));
  const load = async () => {
    const r = await get('/api/v1/tickets?state=unassigned&limit=100');
    clear(unassigned);
    for (const tk of r.tickets) {
      const firm = input('firm_code', { placeholder: t('firm.optional'), style: 'width:90px' });
      unassigned.append(ticketRow(tk, h('span', {}, firm, h('button', { class: 'secondary', type: 'button', onclick: async () => {
        try {
          const body = firm.value ? { firm_code: firm.value } : {};
          const t2 = await post(`/api/v1/tickets/${tk.ticket_no}/reoffer`, body);
          toast(t('reoffered', { no: t2.ticket_no, firm: t2.firm_code }));
          load();
        } catch (e) { toast(errorText(e), true); }
      } }, t('reoffer')))));
    }
    if (!r.tickets.length) unassigned.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('queue.empty'))));
  };
  // Alerts are stored until a supervisor acknowledges them: the open ones are read on arrival,
  // new ones come over the live channel, and one acknowledged anywhere leaves every screen.
  const alertCount = h('span', { id: 'alerts-count', class: 'count' });
  const showAlert = (a, fresh) => {
    if (a.id && alerts.querySelector(`[data-alert="${a.id}"]`)) return;
    alerts.querySelector('p')?.remove();
    const ack = a.id ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('alert.ack')} ${a.ticket_no || a.firm_code || ''}`,
      onclick: async () => {
        try { await post('/api/v1/alerts/acknowledge', { ids: [a.id] }); dropAlert(a.id); } catch (e) { toast(errorText(e), true); }
      } }, t('alert.ack')) : null;
    const card = h('div', { class: `card ${a.kind === 'emergency' && fresh ? 'pop' : ''}`, dataset: a.id ? { alert: a.id } : {} },
      h('b', { class: a.kind === 'emergency' ? 'urgent' : '' }, t(`alert.${a.kind}`)), ' ', a.ticket_no ? ticketLink(a.ticket_no) : a.firm_code || '',
      ' ', h('span', { class: 'muted small' }, shortTime(a.at || '')), ' ', ack);
    if (fresh) alerts.prepend(card); else alerts.append(card);
  };
  const countAlerts = () => { alertCount.textContent = t('alerts.open', { n: alerts.querySelectorAll('[data-alert]').length }); };
  const dropAlert = (id) => {
    alerts.querySelector(`[data-alert="${id}"]`)?.remove();
    if (!alerts.querySelector('.card')) alerts.append(h('p', { class: 'muted small' }, t('alerts.none')));
    countAlerts();
  };
  get('/api/v1/alerts?limit=100').then((r) => { r.alerts.forEach((a) => showAlert(a, false)); countAlerts(); }).catch((e) => toast(errorText(e), true));
  const off = onLive((ev) => {
    if (ev.type === 'alert') {
      showAlert(ev, true);
      countAlerts();
      if (ev.kind === 'emergency') toast(t('alert.emergency') + ' ' + ev.ticket_no, true);
    }
    if (ev.type === 'alerts.acknowledged') ev.ids.forEach(dropAlert);
    if (ev.type === 'ticket' && (ev.event === 'unassigned' || ev.ticket.state === 'unassigned' || ev.event === 'offered')) load();
  });
  const board = liveBoard((tk) => ['created', 'offered', 'accepted', 'in_service', 'unassigned'].includes(tk.state));
  root.append(h('div', { class: 'grid cols-2' },
    h('div', {}, h('div', { class: 'panel' }, h('h2', {}, t('unassigned')), h('table', { id: 'unassigned' },
      h('thead', {}, h('tr', {}, h('th', {}, t('ticket')), h('th', {}, t('elder')), h('th', {}, t('item')), h('th', {}, t('state')),
        h('th', {}, t('reason')), h('th', {}, ''))), unassigned)),
      h('div', { class: 'panel' }, h('h2', {}, t('alerts'), ' ', alertCount), alerts)),
    board));
  load().catch((e) => toast(errorText(e), true));
  return () => { off(); board.dispose(); };
}

// The visit exceptions queue at a district's size: how many match, filters (type, firm, street,
// age), oldest or newest first, a page at a time by cursor; each row decided on its own, or many
// ticked and cleared with one reason code and note.
export function exceptions(root) {
  const tbody = h('tbody');
  let codes = { clear: [], uphold: [] };
  const codeLabel = (c) => (t.lang() === 'en' ? c.label_en : c.label_zh);
  const type = select('type', [['', t('exc.all.types')], ...['distance', 'short_visit', 'checkout_before_checkin', 'foreign_worker', 'device_clock']
    .map((k) => [k, t(`exc.${k}`)])], { id: 'exc-filter-type', 'aria-label': t('type') });
  const firm = select('firm', [['', t('exc.all.firms')]], { id: 'exc-filter-firm', 'aria-label': t('firm') });
  const street = select('street', [['', t('exc.all.streets')]], { id: 'exc-filter-street', 'aria-label': t('street') });
  const age = select('min_age_h', [['', t('exc.any.age')], ['24', t('exc.age', { d: 1 })], ['72', t('exc.age', { d: 3 })], ['168', t('exc.age', { d: 7 })]],
    { id: 'exc-filter-age', 'aria-label': t('exc.age.label') });
  const sort = select('sort', [['oldest', t('exc.oldest')], ['newest', t('exc.newest')]], { id: 'exc-sort', 'aria-label': t('exc.sort') });
  const count = h('span', { id: 'exc-count', class: 'count' });
  const all = h('input', { type: 'checkbox', id: 'exc-all', 'aria-label': t('exc.select.page') });
  const bulkReason = select('reason_code', [], { id: 'exc-bulk-reason', 'aria-label': t('reason') });
  const bulkNote = input('note', { id: 'exc-bulk-note', placeholder: t('note'), 'aria-label': t('exc.bulk.note') });
  const bulkButton = h('button', { type: 'button', id: 'exc-bulk-clear', disabled: true }, t('exc.bulk.clear', { n: 0 }));
  const prev = h('button', { type: 'button', class: 'secondary', id: 'exc-first' }, t('exc.first'));
  const next = h('button', { type: 'button', class: 'secondary', id: 'exc-next' }, t('exc.next'));
  let cursor = '';
  let nextCursor = null;
  const ticked = () => [...tbody.querySelectorAll('input.exc-tick:checked')].map((c) => Number(c.value));
  const showTicked = () => {
    const n = ticked().length;
    bulkButton.textContent = t('exc.bulk.clear', { n });
    bulkButton.disabled = n === 0;
  };
  const query = () => {
    const q = new URLSearchParams({ limit: '50', sort: sort.value });
    for (const [k, el] of [['type', type], ['firm', firm], ['street', street], ['min_age_h', age]]) if (el.value) q.set(k, el.value);
    if (cursor) q.set('cursor', cursor);
    return q.toString();
  };
  const load = async () => {
    const r = await get(`/api/v1/exceptions?${query()}`);
    count.textContent = t('exc.count', { n: r.count });
    nextCursor = r.next;
    next.disabled = !r.next;
    prev.disabled = !cursor;
    all.checked = false;
    clear(tbody);
    for (const ex of r.exceptions) {
      const id = ex.exception_id;
      const action = select('decision', [['clear', t('clear')], ['uphold', t('uphold')]],
        { id: `exc-decision-${id}`, 'aria-label': `${t('decision')} ${ex.ticket.ticket_no}` });
      const reason = select('reason_code', codes.clear.map((c) => [c.code, codeLabel(c)]),
        { id: `exc-reason-${id}`, 'aria-label': `${t('reason')} ${ex.ticket.ticket_no}` });
      action.addEventListener('change', () => {
        clear(reason);
        codes[action.value].forEach((c) => reason.append(h('option', { value: c.code }, codeLabel(c))));
      });
      const note = input('note', { placeholder: t('note'), id: `exc-note-${id}`, 'aria-label': `${t('note')} ${ex.ticket.ticket_no}` });
      const tick = h('input', { type: 'checkbox', class: 'exc-tick', value: String(id), 'aria-label': `${t('exc.select')} ${ex.ticket.ticket_no}` });
      tick.addEventListener('change', showTicked);
      tbody.append(h('tr', { dataset: { exception: ex.exception_id } }, h('td', {}, tick),
        h('td', {}, ticketLink(ex.ticket.ticket_no)), h('td', {}, t(`exc.${ex.type}`)), h('td', { class: 'small' }, exceptionText(ex.type, ex.facts)),
        h('td', {}, ex.ticket.firm_name || ex.ticket.firm_code), h('td', { class: 'small' }, shortTime(ex.created_at)), h('td', {}, action, reason, note,
          h('button', { class: 'secondary', type: 'button', 'aria-label': `${t('save')} ${ex.ticket.ticket_no}`, onclick: async () => {
            try {
              await post(`/api/v1/exceptions/${ex.exception_id}/${action.value}`, { reason_code: reason.value, note: note.value });
              toast(t('exc.done'));
              load();
            } catch (e) { toast(errorText(e), true); }
          } }, t('save')))));
    }
    if (!r.exceptions.length) tbody.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, t('queue.empty'))));
    showTicked();
  };
  const reload = () => { cursor = ''; load().catch((e) => toast(errorText(e), true)); };
  for (const el of [type, firm, street, age, sort]) el.addEventListener('change', reload);
  next.addEventListener('click', () => { if (nextCursor) { cursor = nextCursor; load().catch((e) => toast(errorText(e), true)); } });
  prev.addEventListener('click', reload);
  all.addEventListener('change', () => { tbody.querySelectorAll('input.exc-tick').forEach((c) => { c.checked = all.checked; }); showTicked(); });
  bulkButton.addEventListener('click', async () => {
    const ids = ticked();
    if (!ids.length) return;
    if (!bulkNote.value.trim()) { toast(t('exc.bulk.need.note'), true); bulkNote.focus(); return; }
    try {
      const r = await post('/api/v1/exceptions/clear', { ids, reason_code: bulkReason.value, note: bulkNote.value });
      toast(t('exc.bulk.done', { n: r.cleared }));
      bulkNote.value = '';
      load();
    } catch (e) { toast(errorText(e), true); }
  });
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('exceptions'), ' ', count, h('span', { class: 'hint' }, t('exceptions.hint'))),
    h('div', { class: 'row filters' }, type, firm, street, age, sort),
    h('div', { class: 'row bulk' }, h('span', {}, t('exc.bulk.label')), bulkReason, bulkNote, bulkButton),
    h('table', { id: 'exceptions' }, h('thead', {}, h('tr', {}, h('th', {}, all), h('th', {}, t('ticket')), h('th', {}, t('type')), h('th', {}, t('detail')),
      h('th', {}, t('firm')), h('th', {}, t('exc.raised')), h('th', {}, t('decision')))), tbody),
    h('div', { class: 'row pager' }, prev, next)));
  (async () => {
    const [c, firms, districts] = await Promise.all([get('/api/v1/exceptions/reason-codes'), get('/api/v1/firms'), get('/api/v1/areas')]);
    codes = c;
    codes.clear.forEach((x) => bulkReason.append(h('option', { value: x.code }, codeLabel(x))));
    firms.firms.forEach((f) => firm.append(h('option', { value: f.code }, f.name)));
    for (const d of districts.areas) {
      const streets = await get(`/api/v1/areas?parent=${encodeURIComponent(d.code)}`);
      streets.areas.forEach((a) => street.append(h('option', { value: a.code }, a.name)));
    }
    await load();
  })().catch((e) => toast(errorText(e), true));
  const off = onLive((ev) => { if (ev.type === 'ticket' && ev.event.endsWith('_flagged')) load().catch(() => {}); });
  return off;
}

export function disputes(root) {
  const tbody = h('tbody');
  const ctbody = h('tbody');
  const ccount = h('span', { class: 'small muted', id: 'complaints-count' });
  let cursor = null, next = null;
  const firstBtn = h('button', { class: 'secondary', type: 'button', onclick: () => { cursor = null; load().catch(() => {}); } }, t('exc.first'));
  const nextBtn = h('button', { class: 'secondary', type: 'button', id: 'complaints-next', onclick: () => { cursor = next; load().catch(() => {}); } }, t('exc.next'));
  const load = async () => {
    const r = await get('/api/v1/tickets?state=disputed&limit=100');
    clear(tbody);
    for (const tk of r.tickets.filter((x) => x.dispute === 'open')) {
      const note = input('note', { placeholder: t('note'), id: `dispute-note-${tk.ticket_no}`, 'aria-label': `${t('note')} ${tk.ticket_no}` });
      const act = (what) => h('button', { class: 'secondary', type: 'button', onclick: async () => {
        try { await post(`/api/v1/tickets/${tk.ticket_no}/dispute/${what}`, { note: note.value }); load(); } catch (e) { toast(errorText(e), true); }
      } }, t(what));
      tbody.append(ticketRow(tk, h('span', {}, note, act('clear'), act('uphold'))));
    }
    // Every complaint still to decide, oldest first, fifty a page, with how many there are.
    const c = await get(`/api/v1/complaints?status=pending&sort=oldest&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    ccount.textContent = t('exc.count', { n: c.count });
    next = c.next;
    nextBtn.disabled = !next;
    firstBtn.disabled = !cursor;
    clear(ctbody);
    for (const cp of c.complaints) {
      const finding = input('finding', { placeholder: t('finding'), id: `finding-${cp.complaint_id}`, 'aria-label': `${t('finding')} ${cp.ticket_no}` });
      const btn = (label, path, body) => h('button', { class: 'secondary', type: 'button', onclick: async () => {
        try { await post(`/api/v1/complaints/${cp.complaint_id}/${path}`, body()); load(); } catch (e) { toast(errorText(e), true); }
      } }, label);
      ctbody.append(h('tr', {}, h('td', {}, cp.complaint_id), h('td', {}, ticketLink(cp.ticket_no)), h('td', {}, t(`complaint.${cp.status}`)),
        h('td', { class: 'small' }, cp.description), h('td', {}, finding,
          cp.status === 'open' ? btn(t('investigate'), 'investigate', () => ({ finding: finding.value })) : null,
          btn(t('substantiate'), 'close', () => ({ outcome: 'substantiated', finding: finding.value })),
          btn(t('reject'), 'close', () => ({ outcome: 'rejected', finding: finding.value })))));
    }
  };
  root.append(h('div', { class: 'grid cols-2' },
    h('div', { class: 'panel' }, h('h2', {}, t('disputes')), h('table', { id: 'disputes' }, tbody)),
    h('div', { class: 'panel' }, h('h2', {}, t('complaints'), ' ', ccount), h('table', { id: 'complaints' }, ctbody),
      h('div', { class: 'row' }, firstBtn, nextBtn))));
  load().catch((e) => toast(errorText(e), true));
}

// `issueToken` (the administrator's): a button per firm to issue a new partner token.
export function firms(root, canChange = true, issueToken = null) {
  const tbody = h('tbody');
  const load = async () => {
    const r = await get('/api/v1/firms');
    clear(tbody);
    for (const f of r.firms) {
      const pct = f.daily_capacity ? Math.round((100 * f.accepted_today) / f.daily_capacity) : 0;
      const status = select('status', [['active', t('firm.active')], ['suspended', t('firm.suspended')], ['exited', t('firm.exited')]],
        { id: `firm-status-${f.code}`, 'aria-label': `${t('state')} ${f.name}` });
      status.value = f.status;
      tbody.append(h('tr', { dataset: { firm: f.code } }, h('td', {}, f.code), h('td', {}, f.name),
        h('td', { class: `presence-${f.presence}` }, '● ', t(`presence.${f.presence}`)),
        h('td', {}, `${f.accepted_today}/${f.daily_capacity}`, ' ', h('span', { class: 'bar', style: `width:${Math.min(60, pct * 0.6)}px` })),
        h('td', {}, f.last_score ?? '—'), h('td', {}, f.outbox_unacked),
        h('td', {}, canChange ? h('span', {}, status, h('button', { class: 'secondary', type: 'button', 'aria-label': `${t('save')} ${f.name}`, onclick: async () => {
          const reason = prompt(t('reason')) || '';
          try { await post(`/api/v1/firms/${f.code}/status`, { status: status.value, reason }); load(); } catch (e) { toast(errorText(e), true); }
        } }, t('save'))) : t(`firm.${f.status}`)),
        issueToken ? h('td', {}, h('button', { class: 'secondary', type: 'button', 'aria-label': `${t('token.issue')} ${f.name}`, onclick: () => issueToken(f) }, t('token.issue'))) : null));
    }
  };
  const off = onLive((ev) => {
    if (ev.type === 'presence') {
      const cell = tbody.querySelector(`tr[data-firm="${CSS.escape(ev.firm_code)}"] td:nth-child(3)`);
      if (cell) { cell.className = `presence-${ev.presence}`; cell.textContent = `● ${t(`presence.${ev.presence}`)}`; }
    }
  });
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('firms')), h('table', { id: 'firms' }, h('thead', {}, h('tr', {},
    h('th', {}, t('code')), h('th', {}, t('firm.name')), h('th', {}, t('presence')), h('th', {}, t('today')), h('th', {}, t('last.score')),
    h('th', {}, t('unacked')), h('th', {}, t('status')), issueToken ? h('th', {}, t('token')) : null)), tbody)));
  load().catch((e) => toast(errorText(e), true));
  const timer = setInterval(() => load().catch(() => {}), 15000);
  return () => { off(); clearInterval(timer); };
}
