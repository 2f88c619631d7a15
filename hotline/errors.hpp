#pragma once
// The one place a Status becomes an HTTP answer (SPEC §8): the status code for each canonical
// code and the JSON error body {"error":{"code","message","field"}}, where "code" is the
// status's machine reason when it has one ("illegal_transition", "locked", …). Internal errors
// are logged and answered without their detail.
#include <boost/json.hpp>

#include "common/status.hpp"
#include "importer/importer.hpp"
#include "net/router.hpp"

namespace vnh::hotline {

// The HTTP status for a Status (400 malformed JSON, 422 invalid, 404, 409, 401, 403, 429, 503, …).
int http_status(const Status& st);
net::Response error_response(const Status& st);
net::Response json_response(int status, const boost::json::value& v);
// A CSV download (UTF-8) saved as `filename`.
net::Response csv_response(std::string body, const std::string& filename);
// An import refused row by row (422 rows_rejected), every error with its line and column.
net::Response rows_rejected(const importer::ImportReport& report, const std::string& file_name);

}  // namespace vnh::hotline
