// The command screen's statistics (SPEC §15): the overview of a range of days, the service mix
// by one dimension, and the firms' league of a month; each as JSON or, with `&format=csv`, as
// a CSV file. The figures come from the per-day summaries the writer keeps (schema 19), so a
// range of years costs a few thousand summary rows, not millions of tickets.
#include <fmt/format.h>

#include <algorithm>

#include "common/csv.hpp"
#include "hotline/api.hpp"
#include "hotline/request.hpp"
#include "hotline/roles.hpp"
#include "settlement/settlement.hpp"
#include "store/reference.hpp"
#include "store/stats.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// The longest range one request may ask for (ten years and a bit).
constexpr std::int64_t kMaxRangeDays = 3700;
// Without from/to: the thirty days ending today.
constexpr std::int64_t kDefaultRangeDays = 30;

struct Range {
  Date from, to;
  store::StatsRange days;
};

Result<Range> range_of(const net::Request& req, const ApiContext& c) {
  VNH_ASSIGN_OR_RETURN(auto from, date_query(req, "from"));
  VNH_ASSIGN_OR_RETURN(auto to, date_query(req, "to"));
  const TimeZone& tz = *c.policy.tz;
  Range r;
  r.to = to ? *to : tz.local_date(c.clock.now_ms());
  r.from = from ? *from : civil_from_days(days_from_civil(r.to) - (kDefaultRangeDays - 1));
  r.days.first_day = days_from_civil(r.from);
  r.days.last_day = days_from_civil(r.to);
  if (r.days.first_day > r.days.last_day) return invalid("from", "is after to");
  if (r.days.last_day - r.days.first_day >= kMaxRangeDays) {
    return invalid("to", fmt::format("the range is longer than {} days", kMaxRangeDays));
  }
  return r;
}

Result<bool> wants_csv(const net::Request& req) {
  auto f = req.query_param("format");
  if (!f || f->empty() || *f == "json") return false;
  if (*f == "csv") return true;
  return invalid("format", "must be json or csv");
}

// part/whole rounded half-up to `decimals` (0..2) places: a percentage's one, a mean's two.
double ratio(std::int64_t part, std::int64_t whole, int decimals) {
  const std::int64_t scale = decimals == 0 ? 1 : decimals == 1 ? 10 : 100;
  const std::int64_t x = (part * scale * 2 + whole) / (2 * whole);
  return static_cast<double>(x) / static_cast<double>(scale);
}
json::value percent(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? json::value(ratio(part * 100, whole, 1)) : json::value(nullptr);
}
json::value mean(std::int64_t sum, std::int64_t n) { return n > 0 ? json::value(ratio(sum, n, 2)) : json::value(nullptr); }

json::value opt_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

std::string fmt_value(const json::value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_double()) {
    std::string s = fmt::format("{:.2f}", v.as_double());
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  }
  return json::serialize(v);
}

// A table of objects as CSV with the given columns, in order.
std::string rows_csv(const json::array& rows, const std::vector<std::string>& columns) {
  std::string out;
  csv_append_row(out, columns);
  for (const auto& r : rows) {
    std::vector<std::string> fields;
    for (const auto& c : columns) {
      const auto* v = r.as_object().if_contains(c);
      fields.push_back(v ? fmt_value(*v) : "");
    }
    csv_append_row(out, fields);
  }
  return out;
}

void overview(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto csv, wants_csv(call.req));
    VNH_ASSIGN_OR_RETURN(auto r, range_of(call.req, api.ctx()));
    VNH_ASSIGN_OR_RETURN(auto o, store::stats_overview(db, r.days));
    // The figures in the order the CSV lists them.
    const std::vector<std::pair<const char*, json::value>> figures = {
        {"created", o.created},
        {"completed", o.completed},
        {"cancelled", o.cancelled},
        {"unassigned", o.unassigned},
        {"offers_accepted", o.accepts_timed},
        {"accept_median_s", opt_int(o.accept_median_s)},
        {"accept_p90_s", opt_int(o.accept_p90_s)},
        {"emergencies", o.emergencies},
        {"emergencies_accepted_60s", o.emergencies_60s},
        {"checkins", o.checkins},
        {"checkins_in_window", o.checkins_on_time},
        {"visits_with_exceptions", o.visits_with_exceptions},
        {"callbacks", o.callbacks},
        {"callbacks_reached", o.callbacks_reached},
        {"mean_rating", mean(o.rating_sum, o.callbacks_reached)},
        {"complaints", o.complaints},
        {"complaints_substantiated", o.complaints_substantiated},
        {"meals_served", o.meals_served},
        {"meals_subsidised", o.meals_subsidised},
    };
    if (csv) {
      std::string out;
      csv_append_row(out, {"figure", "value"});
      csv_append_row(out, {"from", format_date(r.from)});
      csv_append_row(out, {"to", format_date(r.to)});
      for (const auto& [k, v] : figures) csv_append_row(out, {k, fmt_value(v)});
      return csv_response(std::move(out), fmt::format("overview-{}-{}.csv", format_date(r.from), format_date(r.to)));
    }
    json::object body{{"from", format_date(r.from)}, {"to", format_date(r.to)}};
    for (const auto& [k, v] : figures) body[k] = v;
    // Every day of the range, those without tickets as zeros.
    json::array days;
    auto next = o.days.begin();
    for (std::int64_t day = r.days.first_day; day <= r.days.last_day; ++day) {
      const bool has = next != o.days.end() && next->day == day;
      days.push_back(json::object{{"date", format_date(civil_from_days(day))},
                                  {"created", has ? next->created : 0},
                                  {"completed", has ? next->completed : 0}});
      if (has) ++next;
    }
    body["days"] = std::move(days);
    return json_response(200, body);
  });
}

Result<store::StatsDim> dim_of(const net::Request& req) {
  auto by = req.query_param("by");
  static const std::vector<std::pair<std::string_view, store::StatsDim>> kDims = {
      {"category", store::StatsDim::kCategory}, {"item", store::StatsDim::kItem},   {"street", store::StatsDim::kStreet},
      {"firm", store::StatsDim::kFirm},         {"hour", store::StatsDim::kHour},   {"channel", store::StatsDim::kChannel}};
  if (!by || by->empty()) return store::StatsDim::kCategory;
  for (const auto& [name, d] : kDims) {
    if (*by == name) return d;
  }
  return invalid("by", "must be one of category, item, street, firm, hour, channel");
}

// The words for each key of a dimension (items', streets' and firms' names).
Result<std::map<std::string, std::string>> names_of(store::Database& db, store::StatsDim by) {
  std::map<std::string, std::string> names;
  if (by == store::StatsDim::kItem) {
    VNH_ASSIGN_OR_RETURN(auto items, store::list_items(db));
    for (const auto& i : items) names[i.code] = i.name;
  } else if (by == store::StatsDim::kStreet) {
    VNH_ASSIGN_OR_RETURN(auto all, store::list_areas(db));
    for (const auto& a : all) names[a.code] = a.name;
  } else if (by == store::StatsDim::kFirm) {
    VNH_ASSIGN_OR_RETURN(auto firms, store::list_firms(db));
    for (const auto& f : firms) names[f.code] = f.name;
  }
  return names;
}

void services(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto csv, wants_csv(call.req));
    VNH_ASSIGN_OR_RETURN(auto by, dim_of(call.req));
    VNH_ASSIGN_OR_RETURN(auto r, range_of(call.req, api.ctx()));
    VNH_ASSIGN_OR_RETURN(auto rows, store::stats_services(db, by, r.days));
    VNH_ASSIGN_OR_RETURN(auto names, names_of(db, by));
    std::map<std::string, std::int64_t> elders;
    if (by == store::StatsDim::kStreet) {
      VNH_ASSIGN_OR_RETURN(elders, store::active_elders_by_street(db));
    }
    std::int64_t total = 0;
    for (const auto& c : rows) total += c.tickets;
    if (by == store::StatsDim::kHour) {
      std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return std::stoi(a.key) < std::stoi(b.key); });
    } else {
      std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.tickets != b.tickets ? a.tickets > b.tickets : a.key < b.key;
      });
    }
    json::array a;
    for (const auto& c : rows) {
      json::object o{{"key", c.key}, {"tickets", c.tickets}, {"share", percent(c.tickets, total)}};
      if (auto n = names.find(c.key); n != names.end()) o["name"] = n->second;
      if (by == store::StatsDim::kStreet) {
        const std::int64_t e = elders.count(c.key) ? elders.at(c.key) : 0;
        o["elders"] = e;
        o["per_1000"] = mean(c.tickets * 1000, e);
      }
      a.push_back(std::move(o));
    }
    std::string by_name = call.req.query_param("by").value_or("");
    if (by_name.empty()) by_name = "category";
    if (csv) {
      std::vector<std::string> cols = {"key", "name", "tickets", "share"};
      if (by == store::StatsDim::kStreet) cols = {"key", "name", "tickets", "share", "elders", "per_1000"};
      return csv_response(rows_csv(a, cols), fmt::format("services-by-{}-{}-{}.csv", by_name,
                                                          format_date(r.from), format_date(r.to)));
    }
    return json_response(200, json::object{{"from", format_date(r.from)},
                                           {"to", format_date(r.to)},
                                           {"by", by_name},
                                           {"total", total},
                                           {"rows", std::move(a)}});
  });
}

// The league's month: last month unless asked.
Result<YearMonth> league_month(const net::Request& req, const ApiContext& c) {
  VNH_ASSIGN_OR_RETURN(auto m, month_query(req, "month"));
  return m ? *m : c.policy.tz->local_month(c.clock.now_ms()).prev();
}

void firms(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto csv, wants_csv(call.req));
    VNH_ASSIGN_OR_RETURN(auto month, league_month(call.req, c));
    VNH_ASSIGN_OR_RETURN(auto policy, settlement::policy_for_month(db, month, c.policy));
    VNH_ASSIGN_OR_RETURN(auto lines, settlement::league(db, policy, month));
    VNH_ASSIGN_OR_RETURN(auto firms, store::list_firms(db));
    const Date first{month.year, month.month, 1};
    const Date last = civil_from_days(days_from_civil(Date{month.next().year, month.next().month, 1}) - 1);
    store::StatsRange days{days_from_civil(first), days_from_civil(last)};
    VNH_ASSIGN_OR_RETURN(auto offers, store::stats_firm_offers(db, days));
    // Every firm with a line or an offer this month; the ranked ones (with a T) first.
    for (const auto& f : firms) {
      const bool listed = std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.firm_id == f.id; });
      if (listed || !offers.count(f.id)) continue;
      settlement::FirmLine l;
      l.firm_id = f.id;
      l.code = f.code;
      l.name = f.name;
      lines.push_back(std::move(l));
    }
    std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
      if (a.score_total.has_value() != b.score_total.has_value()) return a.score_total.has_value();
      if (a.score_total != b.score_total) return *a.score_total > *b.score_total;
      if (a.score_q != b.score_q) return a.score_q > b.score_q;
      return a.code < b.code;
    });
    json::array a;
    int rank = 0;
    for (const auto& l : lines) {
      const auto o = offers.count(l.firm_id) ? offers.at(l.firm_id) : store::FirmOffers{};
      const auto& q = l.quality;
      json::object row{{"rank", l.score_total ? json::value(++rank) : json::value(nullptr)},
                       {"firm_code", l.code},
                       {"firm_name", l.name},
                       {"score_total", l.score_total ? json::value(static_cast<double>(*l.score_total) / 100) : json::value(nullptr)},
                       {"score_q", static_cast<double>(l.score_q) / 100},
                       {"tickets", q.tickets},
                       {"offers", o.offers},
                       {"accepted", o.accepted},
                       {"acceptance", percent(o.accepted, o.offers)},
                       {"punctuality", percent(q.on_time, q.tickets)},
                       {"exceptions", q.tickets - q.verified},
                       {"callbacks_reached", q.rating_count},
                       {"mean_rating", mean(q.rating_sum, q.rating_count)},
                       {"complaints", l.complaints_filed},
                       {"complaints_substantiated", l.complaints_substantiated},
                       {"exit_review", l.exit_review}};
      a.push_back(std::move(row));
    }
    if (csv) {
      return csv_response(rows_csv(a, {"rank", "firm_code", "firm_name", "score_total", "score_q", "tickets", "offers",
                                       "accepted", "acceptance", "punctuality", "exceptions", "callbacks_reached",
                                       "mean_rating", "complaints", "complaints_substantiated", "exit_review"}),
                          fmt::format("firms-{}.csv", month.to_string()));
    }
    return json_response(200, json::object{{"month", month.to_string()}, {"firms", std::move(a)}});
  });
}

}  // namespace

std::vector<Api::Route> stats_routes() {
  return {
      {"GET", "/api/v1/stats/overview", roles::kCommandScreen, overview},
      {"GET", "/api/v1/stats/services", roles::kCommandScreen, services},
      {"GET", "/api/v1/stats/firms", roles::kLeague, firms},
  };
}

}  // namespace vnh::hotline
