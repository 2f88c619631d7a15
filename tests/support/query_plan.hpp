#pragma once
// The detail lines of SQLite's EXPLAIN QUERY PLAN for a statement, one per line, for tests
// that check which index a query reads.
#include <catch2/catch.hpp>

#include <string>

#include "store/sqlite.hpp"

namespace vnh::testing {

inline std::string query_plan(store::Database& db, const std::string& sql) {
  auto plan = db.prepare("EXPLAIN QUERY PLAN " + sql);
  REQUIRE(plan.ok());
  std::string detail;
  while (*plan->step()) detail += plan->text(3) + "\n";
  return detail;
}

}  // namespace vnh::testing
