#include "partners/commands.hpp"

#include "common/geo.hpp"
#include "partners/frames.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/outbox.hpp"
#include "store/reference.hpp"
#include "store/meals.hpp"
#include "meals/meals.hpp"

namespace vnh::partners {

namespace {
template <class M>
tickets::VisitReport visit_of(const M& m) {
  return tickets::VisitReport{m.ticket_no(), m.staff_code(), m.time_ms(), m.lat(), m.lon(), m.photo_sha256()};
}

// Keeps the ticket a service call returned.
Status keep(Result<store::TicketRow> r, std::optional<store::TicketRow>& ticket) {
  if (!r.ok()) return r.status();
  ticket = std::move(*r);
  return Status::Ok();
}
}  // namespace

Result<CommandAnswer> CommandHandler::run(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ClientFrame& f) {
  auto& db = tx.db();
  auto prior = store::find_command_result(db, firm.id, f.request_id());
  if (!prior.ok()) return prior.status();
  if (*prior) {
    auto plain = crypto_.decrypt("partner_commands.result", **prior);
    if (!plain.ok()) return plain.status();
    return CommandAnswer{std::move(*plain), true};
  }
  Outcome out;
  // In a savepoint: a refused command leaves nothing behind but its recorded answer.
  Status result = store::savepoint(tx, "command", [&] { return execute(tx, firm, f, out); });
  if (!result.ok() && (result.code() == Code::kInternal || result.code() == Code::kUnavailable)) return result;
  auto frame = result_frame(f.request_id(), result, out.ticket_no,
                            out.ticket ? std::string(domain::to_string(out.ticket->state)) : "");
  if (out.elder) *frame.mutable_result()->mutable_elder() = *out.elder;
  for (auto& d : out.deliveries) *frame.mutable_result()->add_deliveries() = std::move(d);
  if (out.meal_id) frame.mutable_result()->set_meal_id(out.meal_id);
  CommandAnswer answer{serialize(frame), false};
  VNH_RETURN_IF_ERROR(store::insert_command_result(db, firm.id, f.request_id(),
                                                   crypto_.encrypt("partner_commands.result", answer.frame),
                                                   clock_.now_ms()));
  return answer;
}

Status CommandHandler::execute(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ClientFrame& f,
                               Outcome& out) {
  const auto actor = domain::Actor::firm(firm.code);
  switch (f.body_case()) {
    case vnh::v1::ClientFrame::kAccept:
      return accept(tx, firm, f.accept().ticket_no(), out);
    case vnh::v1::ClientFrame::kDecline:
      out.ticket_no = f.decline().ticket_no();
      return keep(service_.decline(tx, firm.id, out.ticket_no, f.decline().reason(), actor), out.ticket);
    case vnh::v1::ClientFrame::kAssign:
      out.ticket_no = f.assign().ticket_no();
      return keep(service_.assign_staff(tx, firm.id, out.ticket_no, f.assign().staff_code(), actor), out.ticket);
    case vnh::v1::ClientFrame::kCheckIn:
      out.ticket_no = f.check_in().ticket_no();
      VNH_RETURN_IF_ERROR(keep(service_.check_in(tx, firm.id, visit_of(f.check_in()), actor), out.ticket));
      return seen_at_visit(tx, firm, f.check_in());
    case vnh::v1::ClientFrame::kCheckOut:
      out.ticket_no = f.check_out().ticket_no();
      VNH_RETURN_IF_ERROR(keep(service_.check_out(tx, firm.id, visit_of(f.check_out()), actor), out.ticket));
      return seen_at_visit(tx, firm, f.check_out());
    case vnh::v1::ClientFrame::kLocation:
      return location(tx, firm, f.location());
    case vnh::v1::ClientFrame::kListDeliveries:
      return list_deliveries(tx, firm, f.list_deliveries(), out);
    case vnh::v1::ClientFrame::kReportDelivery:
      return report_delivery(tx, firm, f.report_delivery(), out);
    default:
      return Status(Code::kInvalidArgument, "unknown message type", "", reason::kUnknownMessage);
  }
}

// The accepting firm gets the whole card it needs to reach the door (audited).
Status CommandHandler::accept(store::WriteTx& tx, const FirmIdentity& firm, const std::string& ticket_no,
                              Outcome& out) {
  auto& db = tx.db();
  const auto actor = domain::Actor::firm(firm.code);
  out.ticket_no = ticket_no;
  VNH_RETURN_IF_ERROR(keep(service_.accept(tx, firm.id, ticket_no, actor), out.ticket));
  auto row = store::get_elder(db, out.ticket->elder_id);
  auto secrets = store::decrypt_elder(db, crypto_, out.ticket->elder_id);
  if (!row.ok() || !*row || !secrets.ok()) return internal("cannot read the elder's card");
  vnh::v1::Elder e;
  e.set_elder_id(store::elder_public_id(out.ticket->elder_id));
  e.set_name((*row)->name);
  e.set_id_number_masked((*row)->id_number_masked);
  e.set_phone(secrets->phones.empty() ? "" : secrets->phones.front());
  e.set_community_code((*row)->community_code);
  e.set_lat((*row)->lat);
  e.set_lon((*row)->lon);
  e.set_category(std::string(domain::to_string((*row)->category)));
  e.set_address(secrets->address);
  out.elder = e;
  return store::append_audit(db, clock_.now_ms(),
                             {actor.name, "elder.view_whole", "elder:" + e.elder_id(),
                              tickets::json_detail({{"ticket_no", ticket_no}})});  // the firm that accepted it sees the elder whole
}

Status CommandHandler::location(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::StaffLocation& l) {
  if (!valid_lat_lon(l.lat(), l.lon())) return invalid("lat", "is not a WGS-84 position");
  // A device clock is not trusted for "when": the map shows when the server heard of it.
  auto known = service_.worker_seen(tx, firm.id, {firm.code, l.staff_code(), l.lat(), l.lon(), clock_.now_ms()});
  if (!known.ok()) return known.status();
  if (!*known) return Status(Code::kNotFound, l.staff_code() + " is not a worker of your firm", "staff_code", reason::kUnknownStaff);
  return Status::Ok();
}

// A check-in or check-out accepted is also where the worker is now (SPEC §15).
template <typename Visit>
Status CommandHandler::seen_at_visit(store::WriteTx& tx, const FirmIdentity& firm, const Visit& v) {
  if (!valid_lat_lon(v.lat(), v.lon())) return Status::Ok();
  return service_.worker_seen(tx, firm.id, {firm.code, v.staff_code(), v.lat(), v.lon(), clock_.now_ms()}).status();
}

Status CommandHandler::list_deliveries(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ListMealDeliveries& m,
                                       Outcome& out) {
  auto& db = tx.db();
  const auto& policy = service_.policy();
  Date day = policy.tz->local_date(clock_.now_ms());
  if (!m.date().empty()) {
    auto d = parse_date(m.date());
    if (!d.ok()) return invalid("date", d.status().message());
    day = *d;
  }
  auto slot = domain::parse_meal_slot(m.slot().empty() ? "lunch" : m.slot());
  if (!slot) return invalid("slot", "must be one of breakfast, lunch, dinner");
  VNH_ASSIGN_OR_RETURN(auto canteens, store::list_canteens(db));
  int shown = 0;
  for (const auto& k : canteens) {
    if (k.firm_id != firm.id) continue;
    VNH_ASSIGN_OR_RETURN(auto orders, store::meal_orders_of(db, k.id, day, *slot));
    for (const auto& o : orders) {
      if (o.mode != domain::MealMode::kDelivery || o.state == domain::OrderState::kCancelled) continue;
      VNH_ASSIGN_OR_RETURN(auto e, store::get_elder_core(db, o.elder_id));
      VNH_ASSIGN_OR_RETURN(auto secrets, store::decrypt_elder(db, crypto_, o.elder_id));
      if (!e) continue;
      vnh::v1::MealDelivery d;
      d.set_order_id(o.id);
      d.set_canteen_code(k.code);
      d.set_elder_id(store::elder_public_id(o.elder_id));
      d.set_elder_name(e->name);
      d.set_community_code(e->community_code);
      d.set_address(secrets.address);
      d.set_phone(secrets.phones.empty() ? "" : secrets.phones.front());
      d.set_date(format_date(o.day));
      d.set_slot(std::string(domain::to_string(o.slot)));
      d.set_delivery_fee_fen(o.delivery_fee_fen);
      d.set_state(std::string(domain::to_string(o.state)));
      d.set_lat(e->lat);
      d.set_lon(e->lon);
      out.deliveries.push_back(std::move(d));
      ++shown;
    }
  }
  // The addresses and phones of the round: a whole view, audited once per list.
  return store::append_audit(db, clock_.now_ms(),
                             {domain::Actor::firm(firm.code).name, "route_sheet.view", "meal_orders:" + format_date(day),
                              tickets::json_detail({{"deliveries", std::to_string(shown)}})});
}

Status CommandHandler::report_delivery(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ReportDelivery& m,
                                       Outcome& out) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto order, store::get_meal_order(db, m.order_id()));
  if (!order) return not_found("no meal order " + std::to_string(m.order_id()), "order_id");
  VNH_ASSIGN_OR_RETURN(auto canteen, store::get_canteen(db, order->canteen_id));
  if (!canteen || canteen->firm_id != firm.id) {
    return Status(Code::kPermissionDenied, "the order is not for a canteen your firm runs", "order_id",
                  reason::kNotYourCanteen);
  }
  if ((m.lat() != 0 || m.lon() != 0) && !valid_lat_lon(m.lat(), m.lon())) return invalid("lat", "is not a WGS-84 position");
  meals::DeliveryReport rep;
  rep.delivered = m.delivered();
  if (m.time_ms() != 0) rep.at = m.time_ms();
  if (m.lat() != 0 || m.lon() != 0) {
    rep.lat = m.lat();
    rep.lon = m.lon();
  }
  rep.note = m.note();
  const std::string firm_actor = domain::Actor::firm(firm.code).name;
  const std::string actor = m.staff_code().empty() ? firm_actor : firm_actor + ":" + m.staff_code();
  VNH_ASSIGN_OR_RETURN(auto r, meals::report_delivery(db, service_.policy(), m.order_id(), rep, actor, canteen->id,
                                                      clock_.now_ms()));
  if (r.meal) out.meal_id = r.meal->id;
  return Status::Ok();
}

}  // namespace vnh::partners
