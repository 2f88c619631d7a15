#include "hotline/errors.hpp"

#include <fmt/format.h>

#include "common/log.hpp"

namespace vnh::hotline {
namespace json = boost::json;

int http_status(const Status& st) {
  switch (st.code()) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return st.reason() == "malformed_json" ? 400 : 422;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kFailedPrecondition: return 409;
    case Code::kPermissionDenied: return 403;
    case Code::kUnauthenticated: return 401;
    case Code::kResourceExhausted: return 429;
    case Code::kAborted: return 409;
    case Code::kUnavailable: return st.reason() == "pbx_unavailable" ? 502 : 503;
    case Code::kDeadlineExceeded: return 504;
    case Code::kInternal: return 500;
  }
  return 500;
}

net::Response json_response(int status, const json::value& v) {
  net::Response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

net::Response csv_response(std::string body, const std::string& filename) {
  net::Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", filename));
  return r;
}

net::Response error_response(const Status& st) {
  const int http = http_status(st);
  std::string code = st.reason().empty() ? std::string(code_name(st.code())) : st.reason();
  std::string message = st.message();
  if (st.code() == Code::kInternal) {
    log::error("msg=\"internal error\" error={}", log::q(st.message()));
    message = "internal error; it has been logged";
  }
  auto r = net::json_error(http, code, message, st.field());
  if (http == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vnh\"");
  return r;
}

net::Response rows_rejected(const importer::ImportReport& report, const std::string& name) {
  json::array errs;
  for (const auto& e : report.errors) {
    errs.push_back(json::object{{"line", e.line}, {"column", e.column}, {"problem", importer::to_string(e.problem)}, {"reason", e.reason},
                                {"text", fmt::format("{}:{}: {}: {}", name, e.line, e.column, e.reason)}});
  }
  auto res = net::json_error(422, std::string(reason::kRowsRejected.code()),
                             fmt::format("{} rejected ({} errors); nothing was written", name, report.errors.size()),
                             "body");
  auto o = json::parse(res.body).as_object();
  o["errors"] = std::move(errs);
  res.body = json::serialize(o);
  return res;
}

}  // namespace vnh::hotline
