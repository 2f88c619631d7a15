// Tickets you can open: the ticket page (#ticket/T…) — what was asked, who has it, the whole
// timeline (offers, declines, acceptance, the worker, check-in and check-out with distance and
// length, exceptions, callbacks, complaints, cancellation), the call it came from — with
// cancel (operators, supervisors) and re-offer (supervisors); and the ticket search.
import { get, post, getMe } from './api.js';
import { t } from './i18n.js';
import { h, clear, shortTime, stateBadge, field, input, select, errorText, toast, ticketLink, unassignedText, exceptionText } from './ui.js';

const OPEN = ['created', 'offered', 'accepted', 'in_service', 'unassigned'];

// One event of the timeline in words.
function eventText(e) {
  const d = e.detail || {};
  switch (e.type) {
    case 'created': return t('event.created', { item: d.item_code || '', urgency: t(d.urgency === 'emergency' ? 'emergency' : 'normal') });
    case 'offered': return t('event.offered', { firm: e.firm_code || '', by: shortTime(d.accept_by || ''), m: d.distance_m ?? '' });
    case 'declined': return t('event.declined', { firm: e.firm_code || '' }) + (d.reason ? ` · ${d.reason}` : '');
    case 'timeout': return t('event.timeout', { firm: e.firm_code || '' });
    case 'withdrawn': return t('event.withdrawn');
    case 'accepted': return t('event.accepted', { firm: e.firm_code || '' });
    case 'staff_assigned': return t('event.staff_assigned', { staff: d.staff_code || '' });
    case 'checked_in': return t('event.checked_in', { staff: d.staff_code || '' });
    case 'checked_out': return t('event.checked_out', { staff: d.staff_code || '' });
    case 'visit_exception': return t('event.visit_exception', { what: exceptionText(d.exception, d.facts) });
    case 'exception_cleared': return t('event.exception_cleared', { what: t(`exc.${d.exception}`) }) + (d.note ? ` · ${d.note}` : '');
    case 'exception_upheld': return t('event.exception_upheld', { what: t(`exc.${d.exception}`) }) + (d.note ? ` · ${d.note}` : '');
    case 'callback': return d.reached === '1' ? t('event.callback.reached', { rating: d.rating || '' }) : t('event.callback.missed');
    case 'disputed': return t('event.disputed');
    case 'dispute_cleared': return t('event.dispute_cleared') + (d.note ? ` · ${d.note}` : '');
    case 'dispute_upheld': return t('event.dispute_upheld') + (d.note ? ` · ${d.note}` : '');
    case 'complaint': return t('event.complaint', { status: t(`complaint.${d.status}`) });
    case 'cancelled': return t('event.cancelled') + (d.reason ? ` · ${d.reason}` : '');
    case 'unassigned': return unassignedText(d.reason);
    case 'reoffer': return d.firm_code ? t('event.reoffer.firm', { firm: d.firm_code }) : t('event.reoffer');
    case 'imported': return t('event.imported');
    default: return t('event.other');
  }
}

function visitLine(tk) {
  const parts = [];
  if (tk.checkin) parts.push(t('visit.in', { at: shortTime(tk.checkin.at), m: tk.checkin.distance_m ?? '—' }));
  if (tk.checkout) parts.push(t('visit.out', { at: shortTime(tk.checkout.at), m: tk.checkout.distance_m ?? '—' }));
  if (tk.visit_minutes !== undefined) parts.push(t('visit.minutes', { n: tk.visit_minutes }));
  return parts.join(' · ');
}

function actions(tk, reload) {
  const role = getMe()?.role;
  const box = h('div', { class: 'row', id: 'ticket-actions' });
  const err = h('div', { class: 'error', role: 'alert', id: 'ticket-action-error' });
  if (['operator', 'supervisor'].includes(role) && OPEN.includes(tk.state)) {
    const reason = input('cancel_reason', { placeholder: t('cancel.reason'), 'aria-label': t('cancel.reason') });
    box.append(h('div', {}, field(t('cancel.reason'), reason), h('button', { type: 'button', class: 'danger', id: 'cancel-ticket', onclick: async () => {
      err.textContent = '';
      try { await post(`/api/v1/tickets/${tk.ticket_no}/cancel`, { reason: reason.value }); toast(t('cancelled.ok', { no: tk.ticket_no })); reload(); }
      catch (e) { err.textContent = errorText(e); }
    } }, t('cancel'))));
  }
  if (role === 'supervisor' && ['offered', 'unassigned'].includes(tk.state)) {
    const firm = input('reoffer_firm', { placeholder: t('firm.optional'), 'aria-label': t('firm.optional') });
    box.append(h('div', {}, field(t('firm.optional'), firm), h('button', { type: 'button', class: 'secondary', id: 'reoffer-ticket', onclick: async () => {
      err.textContent = '';
      try { await post(`/api/v1/tickets/${tk.ticket_no}/reoffer`, firm.value ? { firm_code: firm.value } : {}); reload(); }
      catch (e) { err.textContent = errorText(e); }
    } }, t('reoffer'))));
  }
  return h('div', {}, box, err);
}

export function ticketPage(root, no) {
  const box = h('div', { class: 'panel', id: 'ticket-page' }, h('p', { class: 'muted' }, '…'));
  root.append(box);
  const load = async () => {
    let tk;
    try { tk = await get(`/api/v1/tickets/${encodeURIComponent(no)}`); } catch (e) { clear(box).append(h('div', { class: 'error' }, errorText(e))); return; }
    clear(box).append(
      h('h2', {}, `${t('ticket')} ${tk.ticket_no}`, ' ', stateBadge(tk.state), tk.urgency === 'emergency' ? h('span', { class: 'urgent' }, ` ${t('emergency')}`) : null),
      h('div', { class: 'grid cols-2' },
        h('div', {},
          h('div', {}, h('b', {}, t('elder')), ' ', `${tk.elder_name || ''} ${tk.elder_id}`),
          h('div', {}, h('b', {}, t('item')), ' ', `${tk.item_name} (${tk.item_code}) · ${t(`cat.${tk.category}`)}`),
          h('div', {}, h('b', {}, t('window')), ' ', `${shortTime(tk.window_start)} – ${shortTime(tk.window_end)}`),
          tk.notes ? h('div', {}, h('b', {}, t('notes')), ' ', tk.notes) : null,
          h('div', {}, h('b', {}, t('firm')), ' ', tk.firm_code ? `${tk.firm_name} (${tk.firm_code})` : '—', tk.staff_code ? ` · ${t('staff')} ${tk.staff_code}` : ''),
          h('div', {}, h('b', {}, t('created')), ' ', `${shortTime(tk.created_at)} · ${tk.created_by} · ${t(`channel.${tk.channel}`)}`),
          tk.call_id ? h('div', { id: 'ticket-call' }, h('b', {}, t('ticket.call')), ' ', tk.call_id) : null,
          visitLine(tk) ? h('div', { id: 'ticket-visit' }, h('b', {}, t('visit')), ' ', visitLine(tk)) : null,
          tk.cancel_reason ? h('div', {}, h('b', {}, t('cancel.reason')), ' ', tk.cancel_reason) : null,
          actions(tk, load)),
        h('div', {}, h('h3', {}, t('timeline')),
          h('ol', { class: 'timeline', id: 'timeline' }, tk.events.map((e) => h('li', { dataset: { type: e.type } },
            h('span', { class: 'small muted' }, shortTime(e.at)), ' ', eventText(e), ' ', h('span', { class: 'small muted' }, e.actor)))),
          tk.exceptions.length ? h('div', {}, h('h3', {}, t('exceptions')), tk.exceptions.map((x) => h('div', { class: 'small' },
            `${exceptionText(x.type, x.facts)} · ${t(`excstatus.${x.status}`)}${x.note ? ` · ${x.note}` : ''}`))) : null,
          tk.callbacks.length ? h('div', {}, h('h3', {}, t('tab.callbacks')), tk.callbacks.map((c) => h('div', { class: 'small' },
            `${shortTime(c.called_at)} · ${c.reached ? t('event.callback.reached', { rating: c.rating ?? '' }) : t('event.callback.missed')}${c.comment ? ` · ${c.comment}` : ''}`))) : null,
          tk.complaints.length ? h('div', {}, h('h3', {}, t('complaints')), tk.complaints.map((c) => h('div', { class: 'small' },
            `#${c.complaint_id} ${shortTime(c.filed_at)} · ${t(`complaint.${c.status}`)} · ${c.description}`))) : null)));
  };
  load();
  return () => {};
}

// The ticket search: by number, elder, phone, state, firm, item and dates; newest first, a page
// at a time.
export function ticketSearch(root) {
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'tickets-more', hidden: true }, t('more'));
  const err = h('div', { class: 'error', role: 'alert' });
  const states = [['', t('any')], ...['created', 'offered', 'accepted', 'in_service', 'completed', 'cancelled', 'unassigned', 'disputed'].map((s) => [s, t(`state.${s}`)])];
  const form = h('form', { id: 'ticket-search', onsubmit: (e) => { e.preventDefault(); run(false); } },
    h('div', { class: 'row' }, field(t('ticket.no'), input('q', { id: 'ts-q' })), field(t('phone'), input('phone', { id: 'ts-phone' })),
      field(t('elder.id'), input('elder_id', { id: 'ts-elder' })), field(t('state'), select('state', states, { id: 'ts-state' }))),
    h('div', { class: 'row' }, field(t('firm'), input('firm_code', { id: 'ts-firm' })), field(t('item'), input('item_code', { id: 'ts-item' })),
      field(t('from'), input('from', { type: 'date', id: 'ts-from' })), field(t('to'), input('to', { type: 'date', id: 'ts-to' }))),
    h('button', { class: 'primary', type: 'submit', id: 'ts-go' }, t('search')), err);
  let next = null;
  const run = async (append) => {
    err.textContent = '';
    const params = new URLSearchParams();
    for (const el of form.querySelectorAll('input[name], select[name]')) if (el.value) params.set(el.name, el.value.trim());
    params.set('limit', '50');
    if (append && next) params.set('cursor', next);
    try {
      const r = await get(`/api/v1/tickets?${params}`);
      if (!append) clear(tbody);
      r.tickets.forEach((tk) => tbody.append(h('tr', { dataset: { ticket: tk.ticket_no } },
        h('td', {}, ticketLink(tk.ticket_no)), h('td', {}, shortTime(tk.created_at)), h('td', {}, tk.elder_name || ''), h('td', {}, tk.item_name),
        h('td', {}, stateBadge(tk.state)), h('td', {}, tk.firm_code || '—'))));
      if (!append && !r.tickets.length) tbody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('no.match'))));
      next = r.next;
      more.hidden = !next;
    } catch (e) { err.textContent = errorText(e); }
  };
  more.addEventListener('click', () => run(true));
  root.append(h('div', { class: 'panel' }, h('h2', {}, t('tab.tickets')), form,
    h('div', { class: 'list' }, h('table', { id: 'ticket-results' }, h('thead', {}, h('tr', {}, h('th', {}, t('ticket')), h('th', {}, t('created')),
      h('th', {}, t('elder')), h('th', {}, t('item')), h('th', {}, t('state')), h('th', {}, t('firm')))), tbody)), more));
  document.getElementById('ts-q').focus();
  return () => {};
}
