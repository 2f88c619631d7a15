#pragma once
// Statistics repository: the counts the supervisors' screen, the firms list and dispatch's
// capacity read, each one query per fact so that two screens never disagree about it. All
// functions only read.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

// Tickets each firm accepted at or after `since` (the start of the business day) and still
// holds: a cancelled ticket gives its capacity back (SPEC §4.6 "capacity left today"), as the
// dispatcher's live counter does when it is cancelled. Firms with none are absent.
Result<std::map<std::int64_t, std::int64_t>> accepted_since_by_firm(Database& db, TimeMs since);

// Tickets created at or after `since` for each catalog item (how often it is asked for: the
// item search ranks by it). Items with none are absent.
Result<std::map<std::int64_t, std::int64_t>> orders_since_by_item(Database& db, TimeMs since);

// The supervisors' headline figures.
struct Headline {
  std::int64_t tickets_created_since = 0;  // created at or after `since`
  std::int64_t open_exceptions = 0;        // visit exceptions awaiting a decision
  std::int64_t active_elders = 0;
};
Result<Headline> headline(Database& db, TimeMs since);

// Rows in one of the tables a new database is seeded with, and the highest elder id (the demo
// and the benchmarks size their load by them).
enum class SeededTable { kAreas, kCatalogItems, kTickets };
Result<std::int64_t> count_rows(Database& db, SeededTable table);
Result<std::int64_t> max_elder_id(Database& db);
Result<std::int64_t> max_item_id(Database& db);

// The benchmarks' baseline of what SQLite itself does on this disk: a one-column table `t`
// and one ticket-sized row committed in its own IMMEDIATE transaction.
Status create_probe_table(Database& db);
Status insert_probe_row(Database& db);

}  // namespace vnh::store

namespace vnh::store {

// The command screen's statistics (SPEC §15), read from the per-day summaries the writer keeps
// (schema 19: stats_days, stats_tickets, stats_offers, stats_accept, stats_meals). Days are
// days since 1970-01-01 in the business time zone, both ends included; a ticket counts on the
// day it was created, an exception, a callback or a complaint on the day it was raised, made or
// filed (stats_events, schema 21).
struct StatsRange {
  std::int64_t first_day = 0;
  std::int64_t last_day = 0;
};

struct StatsDay {
  std::int64_t day = 0;
  std::int64_t created = 0;
  std::int64_t completed = 0;
};

struct StatsOverview {
  std::int64_t created = 0, completed = 0, cancelled = 0, unassigned = 0;
  std::int64_t emergencies = 0, emergencies_60s = 0;  // not imported; accepted within 60 s of creation
  std::int64_t checkins = 0, checkins_on_time = 0;
  std::int64_t accepts_timed = 0;  // offers accepted with a known offer time
  std::optional<std::int64_t> accept_median_s, accept_p90_s;
  std::int64_t visits_with_exceptions = 0;  // tickets whose first visit exception was raised in the range
  std::int64_t callbacks = 0, callbacks_reached = 0, rating_sum = 0;
  std::int64_t complaints = 0, complaints_substantiated = 0;
  std::int64_t meals_served = 0, meals_subsidised = 0;
  std::vector<StatsDay> days;  // every day of the range that has tickets, in order
};
Result<StatsOverview> stats_overview(Database& db, const StatsRange& r);

// Tickets created in the range by one dimension; `key` is the item code, the street code, the
// hour ("0".."23"), the channel, the category, or the firm code ("" = held by no firm).
enum class StatsDim { kCategory, kItem, kStreet, kFirm, kHour, kChannel };
struct StatsCount {
  std::string key;
  std::int64_t tickets = 0;
};
Result<std::vector<StatsCount>> stats_services(Database& db, StatsDim by, const StatsRange& r);

// Offers made to each firm and accepted by it, of the tickets created in the range.
struct FirmOffers {
  std::int64_t offers = 0;
  std::int64_t accepted = 0;
};
Result<std::map<std::int64_t, FirmOffers>> stats_firm_offers(Database& db, const StatsRange& r);

// Active elders by street (the per-1,000 rates' denominators).
Result<std::map<std::string, std::int64_t>> active_elders_by_street(Database& db);

}  // namespace vnh::store

namespace vnh::store::sql {
extern const char kStatsDays[];
extern const char kStatsAccept[];
extern const char kStatsEvents[];
extern const char kActiveEldersByStreet[];
extern const char kStatsMeals[];
extern const char kStatsByItem[];
extern const char kStatsByCategory[];
extern const char kStatsByFirm[];
extern const char kStatsByKey[];
extern const char kStatsOffers[];
}  // namespace vnh::store::sql
