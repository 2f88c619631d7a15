#pragma once
// The query string of the command screen's queues (SPEC §15), read once for all of them: the
// firm (a code, looked up), the street, the age, the order, the cursor and the page's size.
#include <boost/json.hpp>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "net/http.hpp"
#include "store/queue.hpp"
#include "store/sqlite.hpp"

namespace vnh::hotline {

// A queue's filters and page from the query string (SPEC §15): firm (code), street (code),
// min_age_h (at least that many hours old), sort (oldest or newest; `newest` unless given),
// cursor (the `next` of the previous page), limit (default `def`).
Result<store::QueuePage> queue_page(store::Database& db, const net::Request& r, TimeMs now, bool newest, int def);
// The `next` cursor of a full page: "ms.id" of its last row; null when the page is not full.
boost::json::value next_cursor(std::size_t rows, int limit, TimeMs last_ms, std::int64_t last_id);

}  // namespace vnh::hotline
