#pragma once
// What every queue of the command screen shares (SPEC §15): filters by firm, street and age,
// the order, and a page after a cursor — the (time, id) of the last row seen, so a page is one
// index range whatever was added or removed meanwhile.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/clock.hpp"

namespace vnh::store {

struct QueuePage {
  std::optional<std::int64_t> firm_id;
  std::optional<std::string> street;  // 9-digit street code
  std::optional<TimeMs> before;       // raised (filed) before: the age filter
  bool newest_first = false;
  std::optional<std::pair<TimeMs, std::int64_t>> after;  // the cursor
  int limit = 100;
};

// " AND (t > ?m OR (t = ?m AND id > ?i))" (or < for newest first) when the page has a cursor;
// `m` and `i` are the parameter numbers.
inline std::string after_clause(const QueuePage& q, const std::string& t, const std::string& id, int m, int i) {
  if (!q.after) return {};
  const char* op = q.newest_first ? "<" : ">";
  return " AND (" + t + " " + op + " ?" + std::to_string(m) + " OR (" + t + " = ?" + std::to_string(m) + " AND " + id +
         " " + op + " ?" + std::to_string(i) + "))";
}

}  // namespace vnh::store
