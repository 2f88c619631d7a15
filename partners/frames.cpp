#include "partners/frames.hpp"

#include "common/identity.hpp"
#include "store/elders.hpp"

namespace vnh::partners {

std::string serialize(const vnh::v1::ServerFrame& f) {
  std::string out;
  f.SerializeToString(&out);
  return out;
}

vnh::v1::ServerFrame offer_frame(std::uint64_t seq, const tickets::Offer& o) {
  vnh::v1::ServerFrame f;
  f.set_seq(seq);
  auto* off = f.mutable_offer();
  off->set_ticket_no(o.ticket.ticket_no);
  off->set_item_code(o.item.code);
  off->set_urgency(std::string(domain::to_string(o.ticket.urgency)));
  off->set_community_code(o.elder.community_code);
  off->set_window_start_ms(o.ticket.window_start);
  off->set_window_end_ms(o.ticket.window_end);
  off->set_accept_by_ms(o.accept_by);
  off->set_notes(o.ticket.notes);
  off->set_distance_m(o.distance_m);
  auto* item = off->mutable_item();
  item->set_code(o.item.code);
  item->set_name(o.item.name);
  item->set_category(std::string(domain::to_string(o.item.category)));
  item->set_unit(o.item.unit);
  item->set_standard_price_fen(o.item.standard_price_fen);
  item->set_market_price_fen(o.item.market_price_fen);
  item->set_duration_min(o.item.duration_min);
  item->set_meal(o.item.meal);
  // The offer carries a masked card only: enough to judge the trip, not to identify.
  auto* e = off->mutable_elder();
  e->set_elder_id(store::elder_public_id(o.elder.id));
  e->set_name(mask_name(o.elder.name));
  e->set_id_number_masked(o.elder.id_number_masked);
  e->set_community_code(o.elder.community_code);
  e->set_lat(o.elder.lat);
  e->set_lon(o.elder.lon);
  e->set_category(std::string(domain::to_string(o.elder.category)));
  for (const auto& g : o.grants) {
    auto* pg = off->add_grants();
    pg->set_programme(g.programme->code);
    pg->set_name(g.programme->name);
    pg->set_unit(std::string(domain::to_string(g.programme->unit)));
    pg->set_monthly(g.programme->monthly);
    pg->set_used(g.used);
    pg->set_left(g.left);
  }
  off->set_funding(o.funding);
  off->set_covered_fen(o.covered_fen);
  off->set_programmes(o.programmes);
  return f;
}

vnh::v1::ServerFrame withdrawn_frame(std::uint64_t seq, const std::string& ticket_no, const std::string& reason) {
  vnh::v1::ServerFrame f;
  f.set_seq(seq);
  f.mutable_withdrawn()->set_ticket_no(ticket_no);
  f.mutable_withdrawn()->set_reason(reason);
  return f;
}

vnh::v1::ServerFrame cancelled_frame(std::uint64_t seq, const std::string& ticket_no, const std::string& reason) {
  vnh::v1::ServerFrame f;
  f.set_seq(seq);
  f.mutable_cancelled()->set_ticket_no(ticket_no);
  f.mutable_cancelled()->set_reason(reason);
  return f;
}

std::string error_code(const Status& st) {
  if (!st.reason().empty()) return st.reason();
  return std::string(code_name(st.code()));
}

vnh::v1::ServerFrame result_frame(const std::string& request_id, const Status& st, const std::string& ticket_no,
                                  const std::string& state) {
  vnh::v1::ServerFrame f;
  auto* r = f.mutable_result();
  r->set_request_id(request_id);
  r->set_ok(st.ok());
  if (!st.ok()) {
    r->set_error_code(error_code(st));
    r->set_message(st.field().empty() ? st.message() : st.field() + ": " + st.message());
  }
  r->set_ticket_no(ticket_no);
  r->set_state(state);
  return f;
}

}  // namespace vnh::partners
