#include "store/stats.hpp"

#include "store/query.hpp"

#include <algorithm>

namespace vnh::store {

Result<std::map<std::int64_t, std::int64_t>> accepted_since_by_firm(Database& db, TimeMs since) {
  auto st = db.prepare(
      "SELECT firm_id, count(*) FROM tickets WHERE accepted_at >= ? AND firm_id IS NOT NULL AND state <> 'cancelled' "
      "GROUP BY firm_id");
  if (st.ok()) st->bind(1, since);
  std::map<std::int64_t, std::int64_t> out;
  VNH_RETURN_IF_ERROR(for_each_row(std::move(st), [&](Statement& r) { out[r.int64(0)] = r.int64(1); }));
  return out;
}

Result<std::map<std::int64_t, std::int64_t>> orders_since_by_item(Database& db, TimeMs since) {
  auto st = db.prepare("SELECT item_id, count(*) FROM tickets WHERE created_at >= ? GROUP BY item_id");
  if (st.ok()) st->bind(1, since);
  std::map<std::int64_t, std::int64_t> out;
  VNH_RETURN_IF_ERROR(for_each_row(std::move(st), [&](Statement& r) { out[r.int64(0)] = r.int64(1); }));
  return out;
}

Result<Headline> headline(Database& db, TimeMs since) {
  Headline h;
  auto created = db.prepare("SELECT count(*) FROM tickets WHERE created_at >= ?");
  if (created.ok()) created->bind(1, since);
  VNH_ASSIGN_OR_RETURN(h.tickets_created_since, query_int(std::move(created)));
  VNH_ASSIGN_OR_RETURN(h.open_exceptions, query_int(db.prepare("SELECT count(*) FROM visit_exceptions WHERE status = 'open'")));
  VNH_ASSIGN_OR_RETURN(h.active_elders, query_int(db.prepare("SELECT count(*) FROM elders WHERE status = 'active'")));
  return h;
}

Result<std::int64_t> count_rows(Database& db, SeededTable table) {
  switch (table) {
    case SeededTable::kAreas: return query_int(db.prepare("SELECT count(*) FROM areas"));
    case SeededTable::kCatalogItems: return query_int(db.prepare("SELECT count(*) FROM catalog_items"));
    case SeededTable::kTickets: return query_int(db.prepare("SELECT count(*) FROM tickets"));
  }
  return internal("unknown table");
}

Result<std::int64_t> max_elder_id(Database& db) { return query_int(db.prepare("SELECT max(id) FROM elders")); }
Result<std::int64_t> max_item_id(Database& db) { return query_int(db.prepare("SELECT max(id) FROM catalog_items")); }

Status create_probe_table(Database& db) { return db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"); }

Status insert_probe_row(Database& db) {
  VNH_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  auto st = db.prepare("INSERT INTO t(payload) VALUES (?)");
  Status r = st.ok() ? st->bind(1, "a ticket-sized row of about a hundred bytes of payload, roughly like a ticket's columns").run()
                     : st.status();
  Status c = db.exec(r.ok() ? "COMMIT" : "ROLLBACK");
  return r.ok() ? c : r;
}

namespace sql {
// Every statement reads a summary's primary key by its range of days: a range of seven years is
// 2,555 rows per key.
const char kStatsDays[] =
    "SELECT day, created, completed, cancelled, unassigned, emergencies, emergencies_60s, checkins, on_time "
    "FROM stats_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day";
const char kStatsAccept[] =
    "SELECT seconds, sum(n) FROM stats_accept WHERE day BETWEEN ?1 AND ?2 GROUP BY seconds ORDER BY seconds";
const char kStatsEvents[] =
    "SELECT coalesce(sum(visits_with_exceptions), 0), coalesce(sum(callbacks), 0), coalesce(sum(callbacks_reached), 0), "
    "coalesce(sum(rating_sum), 0), coalesce(sum(complaints), 0), coalesce(sum(complaints_substantiated), 0) "
    "FROM stats_events WHERE day BETWEEN ?1 AND ?2";
const char kStatsMeals[] =
    "SELECT coalesce(sum(served), 0), coalesce(sum(subsidised), 0) FROM stats_meals WHERE day BETWEEN ?1 AND ?2";
const char kStatsByItem[] =
    "SELECT c.code, sum(s.n) FROM stats_tickets s JOIN catalog_items c ON c.id = CAST(s.key AS INTEGER) "
    "WHERE s.dim = 'item' AND s.day BETWEEN ?1 AND ?2 GROUP BY c.code";
const char kStatsByCategory[] =
    "SELECT c.category, sum(s.n) FROM stats_tickets s JOIN catalog_items c ON c.id = CAST(s.key AS INTEGER) "
    "WHERE s.dim = 'item' AND s.day BETWEEN ?1 AND ?2 GROUP BY c.category";
const char kStatsByFirm[] =
    "SELECT coalesce(f.code, ''), sum(s.n) FROM stats_tickets s LEFT JOIN firms f ON s.key <> '' AND f.id = CAST(s.key AS INTEGER) "
    "WHERE s.dim = 'firm' AND s.day BETWEEN ?1 AND ?2 GROUP BY 1";
const char kStatsByKey[] =
    "SELECT key, sum(n) FROM stats_tickets WHERE dim = ?3 AND day BETWEEN ?1 AND ?2 GROUP BY key";
const char kActiveEldersByStreet[] =
    "SELECT substr(community_code, 1, 9), count(*) FROM elders WHERE status = 'active' GROUP BY 1";
const char kStatsOffers[] =
    "SELECT firm_id, sum(offers), sum(accepted) FROM stats_offers WHERE day BETWEEN ?1 AND ?2 GROUP BY firm_id";
}  // namespace sql

namespace {

Result<Statement> days_statement(Database& db, const char* text, const StatsRange& r) {
  auto st = db.prepare(text);
  if (st.ok()) st->bind(1, r.first_day).bind(2, r.last_day);
  return st;
}

// The smallest number of seconds at or below which at least `share` (per thousand) of the
// accepted offers fall.
std::optional<std::int64_t> percentile(const std::vector<std::pair<std::int64_t, std::int64_t>>& hist,
                                       std::int64_t total, int per_mille) {
  if (total == 0) return std::nullopt;
  const std::int64_t rank = (total * per_mille + 999) / 1000;  // the rank-th smallest, 1-based
  std::int64_t seen = 0;
  for (const auto& [seconds, n] : hist) {
    seen += n;
    if (seen >= rank) return seconds;
  }
  return hist.back().first;
}

}  // namespace

Result<StatsOverview> stats_overview(Database& db, const StatsRange& r) {
  StatsOverview o;
  VNH_RETURN_IF_ERROR(for_each_row(days_statement(db, sql::kStatsDays, r), [&](Statement& s) {
    o.days.push_back({s.int64(0), s.int64(1), s.int64(2)});
    o.created += s.int64(1);
    o.completed += s.int64(2);
    o.cancelled += s.int64(3);
    o.unassigned += s.int64(4);
    o.emergencies += s.int64(5);
    o.emergencies_60s += s.int64(6);
    o.checkins += s.int64(7);
    o.checkins_on_time += s.int64(8);
  }));
  std::vector<std::pair<std::int64_t, std::int64_t>> hist;
  VNH_RETURN_IF_ERROR(for_each_row(days_statement(db, sql::kStatsAccept, r), [&](Statement& s) {
    hist.emplace_back(s.int64(0), s.int64(1));
    o.accepts_timed += s.int64(1);
  }));
  o.accept_median_s = percentile(hist, o.accepts_timed, 500);
  o.accept_p90_s = percentile(hist, o.accepts_timed, 900);
  VNH_RETURN_IF_ERROR(for_each_row(days_statement(db, sql::kStatsEvents, r), [&](Statement& s) {
    o.visits_with_exceptions = s.int64(0);
    o.callbacks = s.int64(1);
    o.callbacks_reached = s.int64(2);
    o.rating_sum = s.int64(3);
    o.complaints = s.int64(4);
    o.complaints_substantiated = s.int64(5);
  }));
  VNH_RETURN_IF_ERROR(for_each_row(days_statement(db, sql::kStatsMeals, r), [&](Statement& s) {
    o.meals_served = s.int64(0);
    o.meals_subsidised = s.int64(1);
  }));
  return o;
}

Result<std::vector<StatsCount>> stats_services(Database& db, StatsDim by, const StatsRange& r) {
  const char* text = sql::kStatsByKey;
  const char* dim = "";
  switch (by) {
    case StatsDim::kCategory: text = sql::kStatsByCategory; break;
    case StatsDim::kItem: text = sql::kStatsByItem; break;
    case StatsDim::kFirm: text = sql::kStatsByFirm; break;
    case StatsDim::kStreet: dim = "street"; break;
    case StatsDim::kHour: dim = "hour"; break;
    case StatsDim::kChannel: dim = "channel"; break;
  }
  auto st = days_statement(db, text, r);
  if (st.ok() && *dim) st->bind(3, dim);
  VNH_ASSIGN_OR_RETURN(auto rows, query_all<StatsCount>(std::move(st), [](Statement& s) {
    return StatsCount{s.text(0), s.int64(1)};
  }));
  std::erase_if(rows, [](const StatsCount& c) { return c.tickets == 0; });
  return rows;
}

Result<std::map<std::int64_t, FirmOffers>> stats_firm_offers(Database& db, const StatsRange& r) {
  std::map<std::int64_t, FirmOffers> out;
  VNH_RETURN_IF_ERROR(for_each_row(days_statement(db, sql::kStatsOffers, r), [&](Statement& s) {
    out[s.int64(0)] = {s.int64(1), s.int64(2)};
  }));
  return out;
}

Result<std::map<std::string, std::int64_t>> active_elders_by_street(Database& db) {
  std::map<std::string, std::int64_t> out;
  VNH_RETURN_IF_ERROR(for_each_row(
      db.prepare(sql::kActiveEldersByStreet),
      [&](Statement& s) { out[s.text(0)] = s.int64(1); }));
  return out;
}

}  // namespace vnh::store
