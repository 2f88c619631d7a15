#pragma once
// Statistics repository: the counts the supervisors' screen, the firms list and dispatch's
// capacity read, each one query per fact so that two screens never disagree about it. All
// functions only read.
#include <cstdint>
#include <map>

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
