#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include "store/map.hpp"
#include "store/meals.hpp"
#include "store/query.hpp"
#include "store/settlement.hpp"
#include "store/stats.hpp"
#include "store/tickets.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
std::unique_ptr<Store> open_store(const testing::TempDir& dir) {
  StoreOptions o;
  o.path = dir.file("s.db");
  o.readers = 1;  // one pooled connection: every lease below reuses it
  auto s = Store::open(o);
  REQUIRE(s.ok());
  auto& st = **s;
  REQUIRE(st.writer().run([](WriteTx& tx) { return tx.db().exec("CREATE TABLE kv(k INTEGER PRIMARY KEY)"); }).ok());
  return std::move(*s);
}
Status add(Store& s, int k) {
  return s.writer().run([k](WriteTx& tx) { return tx.db().prepare("INSERT INTO kv(k) VALUES (?)")->bind(1, k).run(); });
}
std::int64_t rows(Database& db) { return *query_int(db.prepare("SELECT count(*) FROM kv")); }
}  // namespace

TEST_CASE("a read lease is one snapshot until it ends or is refreshed", "[store]") {
  testing::TempDir dir;
  auto s = open_store(dir);
  REQUIRE(add(*s, 1).ok());
  sqlite3_stmt* open_statement = nullptr;
  {
    auto lease = s->read();
    REQUIRE(lease.ok());
    CHECK(rows(**lease) == 1);
    REQUIRE(add(*s, 2).ok());
    CHECK(rows(**lease) == 1);  // the commit after its first read is not in its snapshot
    lease->refresh();
    CHECK(rows(**lease) == 2);
    SECTION("a lease given back with a statement still stepping leaves a usable connection") {
      REQUIRE(sqlite3_prepare_v2((*lease)->handle(), "SELECT k FROM kv ORDER BY k", -1, &open_statement, nullptr) ==
              SQLITE_OK);
      REQUIRE(sqlite3_step(open_statement) == SQLITE_ROW);  // one row read, the statement still open
    }
  }
  REQUIRE(add(*s, 3).ok());
  auto next = s->read();  // the same pooled connection, its transaction ended
  REQUIRE(next.ok());
  CHECK(rows(**next) == 3);
  CHECK_FALSE(sqlite3_get_autocommit((*next)->handle()));  // in its own read transaction
  if (open_statement) {
    CHECK_FALSE(sqlite3_stmt_busy(open_statement));  // reset when its lease ended
    sqlite3_finalize(open_statement);
  }
}

TEST_CASE("a new database, its WAL and its key are readable by their owner only", "[store][security]") {
  testing::TempDir dir;
  const mode_t old_umask = ::umask(022);  // the usual umask would leave a plain file 0644
  {
    auto s = open_store(dir);
    REQUIRE(add(*s, 1).ok());
    auto mode = [&](const std::string& name) {
      struct stat sb{};
      REQUIRE(::stat(dir.file(name).c_str(), &sb) == 0);
      return sb.st_mode & 0777;
    };
    CHECK(mode("s.db") == 0600);
    CHECK(mode("s.db-wal") == 0600);
    CHECK(mode("s.db-shm") == 0600);
    CHECK(mode("s.db.key") == 0600);
  }
  ::umask(old_umask);
}

// The live map's statements (SPEC §15) must never read the ticket history: a worker's open
// assignment through the partial index of open assignments, the open tickets through the
// state index. A later change of schema or statement that falls back to a scan fails here.
namespace {
// An empty store of the current schema whose db() is this thread's (no writer).
Result<std::unique_ptr<Store>> plans_store(testing::TempDir& dir) {
  StoreOptions o;
  o.path = dir.file("plans.db");
  o.start_writer = false;
  auto s = Store::open(o);
  REQUIRE(s.ok());
  return s;
}

std::string plan_of(Database& db, const std::string& sql) {
  auto st = db.prepare("EXPLAIN QUERY PLAN " + sql);
  REQUIRE(st.ok());
  std::string plan;
  REQUIRE(for_each_row(std::move(st), [&](Statement& r) { plan += r.text(3) + "\n"; }).ok());
  return plan;
}
}  // namespace

TEST_CASE("the live map's statements read open tickets through their indexes, never the history", "[store][plans]") {
  testing::TempDir dir;
  auto s = plans_store(dir);
  auto& db = (*s)->db();
  const std::string workers = plan_of(db, sql::kMapWorkers);
  INFO(workers);
  CHECK(workers.find("tickets_staff_open") != std::string::npos);
  CHECK(workers.find("SCAN t") == std::string::npos);
  const std::string tickets = plan_of(db, sql::kMapTickets);
  INFO(tickets);
  CHECK(tickets.find("USING INDEX tickets_state (state=?)") != std::string::npos);
  CHECK(tickets.find("SCAN t") == std::string::npos);
  // The week's open exceptions from the (status, created_at) index, never every exception.
  const std::string exceptions = plan_of(db, sql::kMapExceptions);
  INFO(exceptions);
  CHECK(exceptions.find("USING INDEX visit_exceptions_status (status=? AND created_at>?)") != std::string::npos);
  CHECK(exceptions.find("SCAN") == std::string::npos);
}

TEST_CASE("whether a meal ticket took the day's subsidised lunch is read from the elder's own tickets", "[store][plans]") {
  testing::TempDir dir;
  auto s = plans_store(dir);
  const std::string plan = plan_of((*s)->db(), sql::kMealTicketPlace);
  INFO(plan);
  CHECK(plan.find("USING INDEX tickets_elder (elder_id=?)") != std::string::npos);
  CHECK(plan.find("tickets_state") == std::string::npos);
}

// The statistics (SPEC §15) read the per-day summaries by their keys' ranges of days, and the
// active elders by street from an index: on seven years of a district none of them may read a
// whole table.
TEST_CASE("the statistics read their summaries by a range of days, never a whole table", "[store][plans]") {
  testing::TempDir dir;
  auto s = plans_store(dir);
  auto& db = (*s)->db();
  const std::vector<std::pair<const char*, const char*>> expected = {
      {sql::kStatsDays, "SEARCH stats_days USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"},
      {sql::kStatsAccept, "SEARCH stats_accept USING PRIMARY KEY (day>? AND day<?)"},
      {sql::kStatsEvents, "SEARCH stats_events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"},
      {sql::kActiveEldersByStreet, "SEARCH elders USING COVERING INDEX elders_status_community (status=?)"},
      {sql::kStatsMeals, "SEARCH stats_meals USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"},
      {sql::kStatsByItem, "SEARCH s USING PRIMARY KEY (dim=? AND day>? AND day<?)"},
      {sql::kStatsByCategory, "SEARCH s USING PRIMARY KEY (dim=? AND day>? AND day<?)"},
      {sql::kStatsByFirm, "SEARCH s USING PRIMARY KEY (dim=? AND day>? AND day<?)"},
      {sql::kStatsByKey, "SEARCH stats_tickets USING PRIMARY KEY (dim=? AND day>? AND day<?)"},
      {sql::kStatsOffers, "SEARCH stats_offers USING PRIMARY KEY (day>? AND day<?)"},
  };
  for (const auto& [statement, search] : expected) {
    const std::string plan = plan_of(db, statement);
    INFO(statement << "\n" << plan);
    CHECK(plan.find(search) != std::string::npos);
    CHECK(plan.find("SCAN") == std::string::npos);
  }
}

TEST_CASE("the month's callback ratings read the month's tickets by check-out, never every completed ticket", "[store][plans]") {
  testing::TempDir dir;
  auto s = plans_store(dir);
  const std::string plan = plan_of((*s)->db(), sql::kCallbackRatingsByFirm);
  INFO(plan);
  CHECK(plan.find("tickets_checkout (checkout_at>? AND checkout_at<?)") != std::string::npos);
  CHECK(plan.find("tickets_state") == std::string::npos);
}

TEST_CASE("a page of the open exceptions and its count read one index range of the open ones, whatever the filter", "[store][plans]") {
  testing::TempDir dir;
  auto s = plans_store(dir);
  auto& db = (*s)->db();
  ExceptionQuery none, by_type, by_firm, by_street, newest_after;
  by_type.type = domain::VisitExceptionType::kDistance;
  by_firm.firm_id = 7;
  by_street.street = "620102001";
  newest_after.newest_first = true;
  newest_after.after = std::pair<TimeMs, std::int64_t>{1, 2};
  const std::vector<std::pair<ExceptionQuery, const char*>> cases = {
      {none, "visit_exceptions_status"}, {by_type, "visit_exceptions_open_type"}, {by_firm, "visit_exceptions_open_firm"},
      {by_street, "visit_exceptions_open_street"}, {newest_after, "visit_exceptions_status"}};
  for (const auto& [q, index] : cases) {
    for (bool count : {false, true}) {
      const std::string plan = plan_of(db, sql::open_exceptions(q, count));
      INFO(sql::open_exceptions(q, count) << "\n" << plan);
      CHECK((plan.find(std::string("INDEX ") + index + " ") != std::string::npos || plan.find(std::string("INDEX ") + index + "\n") != std::string::npos));
      CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // in the queue's order, no sort
      CHECK(plan.find("SCAN v\n") == std::string::npos);
    }
  }
}
