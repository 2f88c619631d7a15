#include "recurrence/recurrence.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/reasons.hpp"
#include "common/text.hpp"
#include "meals/meals.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/meals.hpp"
#include "store/reference.hpp"

namespace vnh::recurrence {
using namespace vnh::domain;

namespace {

std::string ref_of(std::int64_t id) { return fmt::format("R{}", id); }

Status audit(store::Database& db, TimeMs now, const Actor& actor, const char* action, std::int64_t id,
             const std::string& detail = "{}") {
  if (!actor.audit) return Status::Ok();
  return store::append_audit(db, now, {actor.name, action, "recurrence:" + ref_of(id), detail});
}

Result<store::RecurrenceRow> live(store::Database& db, std::int64_t id) {
  VNH_ASSIGN_OR_RETURN(auto r, store::get_recurrence(db, id));
  if (!r) return not_found("no recurrence " + ref_of(id), "recurrence_id");
  if (r->state == "ended") {
    return Status(Code::kFailedPrecondition, ref_of(id) + " has ended", "recurrence_id", reason::kRecurrenceEnded);
  }
  return *r;
}

// A refusal of the rules (kept as a skipped occurrence) rather than a failure of the system.
bool refusal(const Status& s) {
  return s.code() == Code::kFailedPrecondition || s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound ||
         s.code() == Code::kAlreadyExists;
}

}  // namespace

// An occurrence the rules refused is kept as skipped, with the reason; any other failure fails
// the run (and its transaction).
static Status skipped(const Status& s, store::OccurrenceRow& o, RunReport& rep) {
  if (!refusal(s)) return s;
  o.outcome = "skipped";
  o.detail = s.reason().empty() ? s.message() : s.reason();
  ++rep.skipped;
  return Status::Ok();
}

Result<int> minute_of_day(const std::string& hhmm, const char* field) {
  bool ok = hhmm.size() == 5 && hhmm[2] == ':';
  for (int i : {0, 1, 3, 4}) ok = ok && std::isdigit(static_cast<unsigned char>(hhmm[static_cast<size_t>(i)]));
  if (!ok) return invalid(field, "must be a time of day HH:MM");
  int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0'), m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (h > 23 || m > 59) return invalid(field, "must be a time of day HH:MM");
  return h * 60 + m;
}

Result<store::RecurrenceRow> create(store::WriteTx& tx, const Deps& deps, const NewRecurrence& in, const Actor& actor,
                                    TimeMs now) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto elder, store::elder_named(db, deps.crypto, in.id_number, in.elder_id));
  VNH_RETURN_IF_ERROR(store::require_active_elder(elder));
  VNH_ASSIGN_OR_RETURN(auto rule, parse_rrule(in.rule));
  VNH_ASSIGN_OR_RETURN(int start, minute_of_day(in.window_start, "window_start"));
  VNH_ASSIGN_OR_RETURN(int finish, minute_of_day(in.window_end, "window_end"));
  if (finish <= start) return invalid("window_end", "must be after window_start");
  VNH_RETURN_IF_ERROR(check_text(in.notes, "notes", 500, false));
  const Date today = deps.policy.tz->local_date(now);
  if (in.starts_on < today) return invalid("starts_on", "is in the past");
  store::RecurrenceRow r;
  r.elder_id = elder.id;
  if (in.item_code.has_value() == in.canteen_code.has_value()) {
    return invalid("item_code", "give item_code (a service) or canteen_code (a meal), one of them");
  }
  if (in.item_code) {
    VNH_ASSIGN_OR_RETURN(auto item, store::find_item(db, *in.item_code));
    if (!item) return not_found("no service item " + *in.item_code, "item_code");
    if (item->meal) return invalid("item_code", *in.item_code + " is a meal: order it at a canteen (canteen_code)");
    r.item_id = item->id;
  } else {
    VNH_ASSIGN_OR_RETURN(auto canteen, store::find_canteen(db, *in.canteen_code));
    if (!canteen) return not_found("no canteen " + *in.canteen_code, "canteen_code");
    if (canteen->status != CanteenStatus::kActive) {
      return Status(Code::kFailedPrecondition, fmt::format("canteen {} is {}", canteen->code, to_string(canteen->status)),
                    "canteen_code", reason::kCanteenNotActive);
    }
    if (in.mode == MealMode::kDineIn) return invalid("mode", "a meal order is pickup or delivery");
    r.canteen_id = canteen->id;
    r.slot = in.slot;
    r.mode = in.mode;
  }
  r.rule = format_rrule(rule);
  r.window_start = in.window_start;
  r.window_end = in.window_end;
  r.starts_on = format_date(in.starts_on);
  r.notes = in.notes;
  r.created_by = actor.name;
  r.created_at = now;
  VNH_ASSIGN_OR_RETURN(r.id, store::insert_recurrence(db, r));
  VNH_RETURN_IF_ERROR(audit(db, now, actor, "recurrence.create", r.id,
                            boost::json::serialize(boost::json::object{{"elder", store::elder_public_id(elder.id)},
                                                                       {"rule", r.rule}})));
  VNH_ASSIGN_OR_RETURN(auto back, store::get_recurrence(db, r.id));
  return *back;
}

Status pause(store::WriteTx& tx, std::int64_t id, std::optional<Date> until, const Actor& actor, TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(live(db, id).status());
  std::optional<std::string> day;
  if (until) day = format_date(*until);
  VNH_RETURN_IF_ERROR(store::update_recurrence_state(db, id, "paused", day, now));
  return audit(db, now, actor, "recurrence.pause", id,
               boost::json::serialize(boost::json::object{{"until", day ? boost::json::value(*day) : nullptr}}));
}

Status resume(store::WriteTx& tx, std::int64_t id, const Actor& actor, TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(live(db, id).status());
  VNH_RETURN_IF_ERROR(store::update_recurrence_state(db, id, "active", std::nullopt, now));
  return audit(db, now, actor, "recurrence.resume", id);
}

Status end(store::WriteTx& tx, std::int64_t id, const std::string& reason, const Actor& actor, TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(reason, "reason", 200, true, true));
  VNH_RETURN_IF_ERROR(live(db, id).status());
  VNH_RETURN_IF_ERROR(store::end_recurrence(db, id, reason, now));
  return audit(db, now, actor, "recurrence.end", id, store::json_detail({{"reason", reason}}));
}

Result<RunReport> run_due(store::WriteTx& tx, const Deps& deps, const std::vector<store::RecurrenceRow>& recurrences,
                          TimeMs now) {
  auto& db = tx.db();
  const TimeZone& tz = *deps.policy.tz;
  const Date today = tz.local_date(now);
  const Date last = civil_from_days(days_from_civil(today) + deps.policy.recurrence_lead_days);
  const Actor actor = Actor::system();
  RunReport rep;
  for (const auto& r : recurrences) {
    if (r.state == "ended") continue;
    VNH_ASSIGN_OR_RETURN(auto elder, store::get_elder_core(db, r.elder_id));
    if (!elder) return internal(fmt::format("recurrence {} names a missing elder", ref_of(r.id)));
    if (Status alive = store::require_active_elder(*elder); !alive.ok()) {
      VNH_RETURN_IF_ERROR(store::end_recurrence(db, r.id, alive.reason(), now));
      ++rep.ended;
      continue;
    }
    std::optional<Date> paused_through;
    if (r.state == "paused") {
      if (!r.paused_until) continue;  // until resumed
      VNH_ASSIGN_OR_RETURN(Date until, parse_date(*r.paused_until));
      if (until < today) {
        VNH_RETURN_IF_ERROR(store::update_recurrence_state(db, r.id, "active", std::nullopt, now));
        ++rep.resumed;
      } else {
        paused_through = until;
      }
    }
    VNH_ASSIGN_OR_RETURN(auto rule, parse_rrule(r.rule));
    VNH_ASSIGN_OR_RETURN(Date starts, parse_date(r.starts_on));
    VNH_ASSIGN_OR_RETURN(int start_min, minute_of_day(r.window_start, "window_start"));
    VNH_ASSIGN_OR_RETURN(int end_min, minute_of_day(r.window_end, "window_end"));
    for (const Date day : occurrences(rule, starts, today, last, start_min, tz)) {
      if (paused_through && day <= *paused_through) continue;
      const TimeMs window_end = tz.to_utc(day, end_min / 60, end_min % 60, 0);
      if (window_end <= now) continue;  // today's window has passed: too late to make it
      const std::string d = format_date(day);
      VNH_ASSIGN_OR_RETURN(bool made, store::occurrence_exists(db, r.id, d));
      if (made) continue;
      store::OccurrenceRow o;
      o.recurrence_id = r.id;
      o.day = d;
      o.created_at = now;
      if (r.item_id) {
        VNH_ASSIGN_OR_RETURN(auto item, store::item_by_id(db, *r.item_id));
        if (!item) return internal(fmt::format("recurrence {} names a missing item", ref_of(r.id)));
        tickets::CreateRequest req;
        req.elder_id = store::elder_public_id(r.elder_id);
        req.item_code = item->code;
        req.window_start = tz.to_utc(day, start_min / 60, start_min % 60, 0);
        req.window_end = window_end;
        req.notes = r.notes.empty() ? fmt::format("周期服务 {}", ref_of(r.id)) : fmt::format("{}（周期服务 {}）", r.notes, ref_of(r.id));
        req.channel = "recurrence";
        auto created = deps.tickets.create(tx, req, actor, 0, std::nullopt, "");
        if (created.ok()) {
          o.outcome = "ticket";
          o.ticket_id = created->ticket.id;
          ++rep.tickets;
        } else {
          VNH_RETURN_IF_ERROR(skipped(created.status(), o, rep));
        }
      } else {
        VNH_ASSIGN_OR_RETURN(auto canteen, store::get_canteen(db, *r.canteen_id));
        if (!canteen) return internal(fmt::format("recurrence {} names a missing canteen", ref_of(r.id)));
        meals::OrderRequest req;
        req.elder_id = store::elder_public_id(r.elder_id);
        req.canteen_code = canteen->code;
        req.day = day;
        req.slot = r.slot.value_or(MealSlot::kLunch);
        req.mode = r.mode.value_or(MealMode::kDelivery);
        auto placed = meals::place_order(db, deps.crypto, deps.policy, req, "recurrence:" + ref_of(r.id), std::nullopt, now);
        if (placed.ok()) {
          o.outcome = "meal_order";
          o.meal_order_id = placed->id;
          ++rep.orders;
        } else {
          VNH_RETURN_IF_ERROR(skipped(placed.status(), o, rep));
        }
      }
      VNH_RETURN_IF_ERROR(store::insert_occurrence(db, o));
    }
    // A series with an end whose last occurrence is behind us ends.
    if (rule.count || rule.until_date || rule.until_time) {
      const Date far = civil_from_days(days_from_civil(today) + 7LL * 400 * rule.interval);
      if (occurrences(rule, starts, civil_from_days(days_from_civil(last) + 1), far, start_min, tz).empty()) {
        VNH_ASSIGN_OR_RETURN(auto now_row, store::get_recurrence(db, r.id));
        if (now_row && now_row->state != "ended") {
          VNH_RETURN_IF_ERROR(store::end_recurrence(db, r.id, "completed", now));
          ++rep.ended;
        }
      }
    }
  }
  return rep;
}

}  // namespace vnh::recurrence
