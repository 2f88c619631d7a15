#include "registry/deaths.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/reasons.hpp"
#include "common/text.hpp"
#include "settlement/recoveries.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/meals.hpp"
#include "store/quality.hpp"
#include "store/recurrences.hpp"
#include "store/tickets.hpp"

namespace vnh::registry {
using namespace vnh::domain;

namespace {
constexpr const char* kDeceased = "elder_deceased";

std::string_view source_name(DeathSource s) { return s == DeathSource::kRegistry ? "registry" : "phone"; }
}  // namespace

Result<DeathOutcome> record_death(store::WriteTx& tx, const Policy& policy, tickets::Service* tickets,
                                  const DeathReport& report, const Actor& actor, TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(report.informant, "informant", 64, false, true));
  VNH_RETURN_IF_ERROR(check_text(report.note, "note", 500, false));
  VNH_ASSIGN_OR_RETURN(auto elder, store::get_elder_core(db, report.elder_id));
  const std::string who = store::elder_public_id(report.elder_id);
  if (!elder) return not_found("no elder " + who, "elder_id");
  const Date today = policy.tz->local_date(now);
  if (report.died_on > today) return invalid("died_on", format_date(report.died_on) + " is after today");
  VNH_ASSIGN_OR_RETURN(Date birth, parse_date(elder->birth_date));
  if (report.died_on < birth) return invalid("died_on", format_date(report.died_on) + " is before the birth date");

  DeathOutcome out;
  VNH_ASSIGN_OR_RETURN(auto before, store::get_death(db, report.elder_id));
  const std::string day = format_date(report.died_on);
  if (before) {
    if (before->died_on == day) return out;  // the registry's list again: nothing to do
    if (!(before->source == "phone" && report.source == DeathSource::kRegistry)) {
      return Status(Code::kFailedPrecondition, fmt::format("{} is recorded as deceased on {}", who, before->died_on),
                    "died_on", reason::kAlreadyDeceased);
    }
    // The registry's date replaces the one a caller gave: what was proposed is proposed again.
    out.corrected = true;
    VNH_RETURN_IF_ERROR(store::delete_proposed_recoveries(db, report.elder_id));
  }
  out.recorded = true;
  store::DeathRow row{report.elder_id,    day, std::string(source_name(report.source)), actor.name, report.informant,
                      report.note, now};
  VNH_RETURN_IF_ERROR(store::put_death(db, row));

  VNH_ASSIGN_OR_RETURN(auto open, store::open_tickets_of_elder(db, report.elder_id));
  if (!open.empty() && !tickets) return internal("cancelling a deceased elder's tickets needs the ticket service");
  for (const auto& t : open) {
    VNH_RETURN_IF_ERROR(tickets->cancel(tx, t.ticket_no, kDeceased, actor).status());
    out.cancelled_tickets.push_back(t.ticket_no);
  }
  VNH_ASSIGN_OR_RETURN(out.cards_revoked, store::revoke_meal_cards_of(db, report.elder_id, now));
  VNH_ASSIGN_OR_RETURN(out.orders_cancelled, store::cancel_meal_orders_after(db, report.elder_id, report.died_on, kDeceased));
  VNH_ASSIGN_OR_RETURN(out.recurrences_ended, store::end_recurrences_of(db, report.elder_id, kDeceased, now));
  VNH_ASSIGN_OR_RETURN(out.callbacks_dropped, store::drop_pending_samples_of_elder(db, report.elder_id));
  VNH_ASSIGN_OR_RETURN(out.recoveries, settlement::propose_recoveries(tx, policy, report.elder_id, report.died_on, now));

  if (actor.audit) {
    boost::json::object detail{{"died_on", day},
                               {"source", std::string(source_name(report.source))},
                               {"tickets_cancelled", out.cancelled_tickets.size()},
                               {"cards_revoked", out.cards_revoked},
                               {"orders_cancelled", out.orders_cancelled},
                               {"recurrences_ended", out.recurrences_ended},
                               {"callbacks_dropped", out.callbacks_dropped},
                               {"recoveries", out.recoveries.size()}};
    if (out.corrected) detail["corrected_from"] = before->died_on;
    VNH_RETURN_IF_ERROR(store::append_audit(db, now, {actor.name, "elder.death", "elder:" + who, boost::json::serialize(detail)}));
  }
  return out;
}

}  // namespace vnh::registry
