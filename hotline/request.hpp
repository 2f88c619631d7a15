#pragma once
// Reading a request: the JSON object body and its typed fields, path and query parameters.
// Every error names the field it is about (kInvalidArgument, answered 422; a body that is not
// JSON at all is "malformed_json", answered 400).
#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "net/http.hpp"

namespace vnh::hotline {

Result<boost::json::object> parse_object(const std::string& body);
// The same value written one way only: object keys sorted (by UTF-8 bytes) at every level, no
// spaces. Two bodies that mean the same request give the same bytes (idempotency keys compare
// their SHA-256).
std::string canonical_json(const boost::json::value& v);
// The body as an object, or an empty object when there is no body.
Result<boost::json::object> parse_optional_object(const std::string& body);
Result<std::optional<std::string>> opt_string(const boost::json::object& o, const char* field, std::size_t max_len = 1000);
Result<std::string> req_string(const boost::json::object& o, const char* field, std::size_t max_len = 1000);
Result<std::optional<double>> opt_number(const boost::json::object& o, const char* field);
Result<std::optional<std::int64_t>> opt_int(const boost::json::object& o, const char* field);
Result<std::optional<bool>> opt_bool(const boost::json::object& o, const char* field);
Result<std::optional<TimeMs>> opt_time(const boost::json::object& o, const char* field);
// A score of 0 to 100 with at most two decimals, as hundredths ("87.5" → 8750).
Result<std::int64_t> score_field(const boost::json::object& o, const char* field);
// A list of 1 to `max` distinct positive ids in field `field` ("ids"); `what` names one in the
// errors ("an exception id").
Result<std::vector<std::int64_t>> ids_field(const boost::json::object& o, const char* field, std::size_t max,
                                            const char* what);
// Fields of `o` not in `known`, reported back as "ignored_fields" so typos are visible.
boost::json::array unknown_fields(const boost::json::object& o, std::initializer_list<const char*> known);

// Paging: ?limit= (1..500, default `def`).
Result<int> limit_param(const net::Request& r, int def = 50);
// Paging: ?cursor= (the id of the last row of the previous page), if given.
Result<std::optional<std::int64_t>> cursor_param(const net::Request& r);
// ?field=YYYY-MM-DD and ?field=YYYY-MM: the value when given (and not empty), nothing
// otherwise; a value that is not one names the field.
Result<std::optional<Date>> date_query(const net::Request& r, const char* field);
Result<std::optional<YearMonth>> month_query(const net::Request& r, const char* field);
// The {month} of the path (YYYY-MM).
Result<YearMonth> month_param(const net::Request& r);
// An integer id of the path ({id}), named `what` in the error ("is not a complaint id").
Result<std::int64_t> id_param(const net::Request& r, const char* what);


}  // namespace vnh::hotline
