#include "settlement/recoveries.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/reasons.hpp"
#include "common/text.hpp"
#include "settlement/rules.hpp"
#include "settlement/settlement.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/meals.hpp"
#include "store/reference.hpp"

namespace vnh::settlement {
using namespace vnh::domain;

namespace {

// One month of one elder replayed: the canteen meals hold their places, then the tickets draw
// in check-out order, as the month's settlement did.
Status month_recoveries(store::Database& db, const Policy& policy, const store::ElderRow& elder, CareFlags flags,
                        Date birth, Date died_on, YearMonth month, std::vector<store::RecoveryRow>& out) {
  const TimeZone& tz = *policy.tz;
  const Date first{month.year, month.month, 1};
  const Date last = civil_from_days(days_from_civil(Date{month.next().year, month.next().month, 1}) - 1);
  MealPlaces places;
  VNH_ASSIGN_OR_RETURN(auto meals, store::meals_of_elder(db, elder.id, first, last));
  for (const auto& m : meals) {
    if (m.takes_place) places.take(m.elder_id, m.day, m.slot);
    if (m.day <= died_on || m.government_fen <= 0) continue;
    VNH_ASSIGN_OR_RETURN(auto canteen, store::get_canteen(db, m.canteen_id));
    if (!canteen) return internal(fmt::format("meal {} refers to a missing canteen", m.id));
    store::RecoveryRow r;
    r.elder_id = elder.id;
    r.paid_month = month.to_string();
    r.kind = "meal";
    r.meal_id = m.id;
    r.payee_code = canteen->code;
    r.service_day = format_date(m.day);
    r.amount_fen = m.government_fen + policy.meals.operating_subsidy_fen;
    out.push_back(std::move(r));
  }
  GrantLedger grants(policy.programmes);
  VNH_ASSIGN_OR_RETURN(auto tickets,
                       store::elder_settled_tickets(db, elder.id, tz.month_start(month), tz.month_start(month.next())));
  for (const auto& t : tickets) {
    if (!t.eligible) continue;
    VNH_ASSIGN_OR_RETURN(auto item, store::item_by_id(db, t.item_id));
    if (!item) return internal(fmt::format("ticket {} refers to a missing item", t.ticket_no));
    const Date day = tz.local_date(t.checkout_at);
    TicketFacts facts{elder.id, elder.category, birth,      flags,          day, item->standard_price_fen,
                      item->meal, item->meal_slot, item->category, item->duration_min};
    Share share = government_share(facts, policy, grants, places);
    if (day <= died_on || share.government <= 0) continue;
    VNH_ASSIGN_OR_RETURN(auto coefficient, store::line_coefficient(db, month.to_string(), t.firm_code));
    if (!coefficient) continue;  // the firm had no line: nothing was paid
    Fen paid = payout_fen(share.government, *coefficient, 0);
    if (paid <= 0) continue;
    store::RecoveryRow r;
    r.elder_id = elder.id;
    r.paid_month = month.to_string();
    r.kind = "ticket";
    r.ticket_id = t.id;
    r.ref = t.ticket_no;
    r.payee_code = t.firm_code;
    r.service_day = format_date(day);
    r.amount_fen = paid;
    out.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<store::RecoveryRow>> propose_recoveries(store::WriteTx& tx, const Policy& policy,
                                                           std::int64_t elder_id, Date died_on, TimeMs now) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto elder, store::get_elder_core(db, elder_id));
  if (!elder) return not_found(fmt::format("no elder {}", store::elder_public_id(elder_id)), "elder_id");
  VNH_ASSIGN_OR_RETURN(Date birth, parse_date(elder->birth_date));
  VNH_ASSIGN_OR_RETURN(auto flags, store::elder_care_flags(db, elder_id));
  VNH_ASSIGN_OR_RETURN(auto months, store::approved_months_from(db, YearMonth{died_on.year, died_on.month}));
  std::vector<store::RecoveryRow> found, proposed;
  for (const auto& m : months) {
    VNH_ASSIGN_OR_RETURN(auto p, policy_for_month(db, m, policy));
    VNH_RETURN_IF_ERROR(month_recoveries(db, p, *elder, flags, birth, died_on, m, found));
  }
  for (auto& r : found) {
    VNH_ASSIGN_OR_RETURN(bool fresh, store::insert_recovery(db, r, now));
    if (fresh) {
      r.id = db.last_insert_rowid();
      proposed.push_back(std::move(r));
    }
  }
  return proposed;
}

Result<std::vector<store::RecoveryRow>> open_recoveries(store::Database& db, YearMonth month) {
  return store::list_recoveries(db, "proposed", month.to_string());
}

Result<std::vector<std::int64_t>> apply_recoveries(store::WriteTx& tx, YearMonth month, const std::vector<std::int64_t>& ids,
                                                   const std::string& who, TimeMs now) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto open, open_recoveries(db, month));
  std::vector<store::RecoveryRow> chosen;
  if (ids.empty()) {
    chosen = open;
  } else {
    for (auto id : ids) {
      auto it = std::find_if(open.begin(), open.end(), [&](const auto& r) { return r.id == id; });
      if (it == open.end()) {
        return Status(Code::kFailedPrecondition,
                      fmt::format("recovery {} is not a proposed recovery of a month before {}", id, month.to_string()),
                      "ids", reason::kNotProposed);
      }
      chosen.push_back(*it);
    }
  }
  std::vector<std::int64_t> out;
  for (const auto& r : chosen) {
    Adjustment a;
    a.firm_code = r.payee_code;
    a.payee = r.kind == "meal" ? "canteen" : "firm";
    a.amount_fen = -r.amount_fen;
    a.corrects_month = r.paid_month;
    a.reason = fmt::format("死亡后服务追回 recovery after death: {} {} {}", store::elder_public_id(r.elder_id), r.ref,
                           r.service_day);
    a.created_by = who;
    VNH_ASSIGN_OR_RETURN(auto adj, add_adjustment(tx, month, a, now));
    VNH_RETURN_IF_ERROR(store::decide_recovery(db, r.id, "adjusted", adj, who, "", now));
    out.push_back(adj);
  }
  return out;
}

Status waive_recovery(store::WriteTx& tx, std::int64_t id, const std::string& note, const std::string& who, TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(note, "note", 500, false, true));
  if (note.empty()) return invalid("note", "is required: say why nothing is recovered");
  VNH_ASSIGN_OR_RETURN(auto r, store::get_recovery(db, id));
  if (!r) return not_found(fmt::format("no recovery {}", id), "recovery_id");
  VNH_RETURN_IF_ERROR(store::decide_recovery(db, id, "waived", std::nullopt, who, note, now));
  return store::append_audit(db, now,
                             {who, "settlement.recovery.waive", fmt::format("recovery:{}", id),
                              fmt::format("{{\"elder\":\"{}\",\"amount_fen\":{}}}", store::elder_public_id(r->elder_id),
                                          r->amount_fen)});
}

}  // namespace vnh::settlement
