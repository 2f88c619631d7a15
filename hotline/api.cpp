#include "hotline/api.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/log.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

net::Response json_response(int status, const json::value& v) {
  net::Response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

net::Response error_response(const Status& st) {
  int http = 500;
  switch (st.code()) {
    case Code::kOk: http = 200; break;
    case Code::kInvalidArgument: http = st.reason() == "malformed_json" ? 400 : 422; break;
    case Code::kNotFound: http = 404; break;
    case Code::kAlreadyExists: http = 409; break;
    case Code::kFailedPrecondition: http = 409; break;
    case Code::kPermissionDenied: http = 403; break;
    case Code::kUnauthenticated: http = 401; break;
    case Code::kResourceExhausted: http = 429; break;
    case Code::kAborted: http = 409; break;
    case Code::kUnavailable: http = 503; break;
    case Code::kDeadlineExceeded: http = 504; break;
    case Code::kInternal: http = 500; break;
  }
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

Result<json::object> parse_object(const std::string& body) {
  if (body.empty()) return Status(Code::kInvalidArgument, "a JSON object body is required", "body", "malformed_json");
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    return Status(Code::kInvalidArgument, "the body is not valid JSON: " + ec.message(), "body", "malformed_json");
  }
  if (!v.is_object()) return Status(Code::kInvalidArgument, "the body must be a JSON object", "body", "malformed_json");
  return std::move(v.as_object());
}

Result<std::optional<std::string>> opt_string(const json::object& o, const char* field, std::size_t max_len) {
  auto* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return invalid(field, "must be a string");
  std::string s(v->as_string());
  if (!valid_utf8(s)) return invalid(field, "is not valid UTF-8");
  if (code_points(s).size() > max_len) return invalid(field, fmt::format("is longer than {} characters", max_len));
  return std::optional<std::string>(std::move(s));
}

Result<std::string> req_string(const json::object& o, const char* field, std::size_t max_len) {
  auto s = opt_string(o, field, max_len);
  if (!s.ok()) return s.status();
  if (!*s || trim(**s).empty()) return invalid(field, "is required");
  return std::move(**s);
}

Result<std::optional<double>> opt_number(const json::object& o, const char* field) {
  auto* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<double>();
  if (v->is_double()) return std::optional<double>(v->as_double());
  if (v->is_int64()) return std::optional<double>(static_cast<double>(v->as_int64()));
  if (v->is_uint64()) return std::optional<double>(static_cast<double>(v->as_uint64()));
  if (v->is_string()) {
    auto d = parse_double(std::string(v->as_string()));
    if (!d.ok()) return invalid(field, d.status().message());
    return std::optional<double>(*d);
  }
  return invalid(field, "must be a number");
}

Result<std::optional<std::int64_t>> opt_int(const json::object& o, const char* field) {
  auto* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->as_uint64()));
  }
  if (v->is_double() && std::floor(v->as_double()) == v->as_double() && std::fabs(v->as_double()) < 9e15) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->as_double()));
  }
  if (v->is_string()) {
    auto i = parse_int(std::string(v->as_string()));
    if (!i.ok()) return invalid(field, i.status().message());
    return std::optional<std::int64_t>(*i);
  }
  return invalid(field, "must be an integer");
}

Result<std::optional<bool>> opt_bool(const json::object& o, const char* field) {
  auto* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<bool>();
  if (v->is_bool()) return std::optional<bool>(v->as_bool());
  if (v->is_int64() && (v->as_int64() == 0 || v->as_int64() == 1)) return std::optional<bool>(v->as_int64() == 1);
  if (v->is_string() && (v->as_string() == "0" || v->as_string() == "1")) {
    return std::optional<bool>(v->as_string() == "1");
  }
  return invalid(field, "must be true or false (or 1/0)");
}

Result<std::optional<TimeMs>> opt_time(const json::object& o, const char* field) {
  auto s = opt_string(o, field, 40);
  if (!s.ok()) return s.status();
  if (!*s || (*s)->empty()) return std::optional<TimeMs>();
  auto t = parse_time(**s);
  if (!t.ok()) return invalid(field, t.status().message());
  return std::optional<TimeMs>(*t);
}

json::array unknown_fields(const json::object& o, std::initializer_list<const char*> known) {
  json::array out;
  for (const auto& [k, v] : o) {
    bool found = false;
    for (const char* f : known) found = found || k == f;
    if (!found) out.push_back(json::value(k));
  }
  return out;
}

Result<int> limit_param(const net::Request& r, int def) {
  auto v = r.query_param("limit");
  if (!v) return def;
  auto n = parse_int(*v);
  if (!n.ok() || *n < 1 || *n > 500) return invalid("limit", "must be an integer from 1 to 500");
  return static_cast<int>(*n);
}

void Api::route(net::Router& r, const std::string& method, const std::string& pattern, std::vector<Role> roles,
                Handler h) {
  r.add(method, pattern, [this, roles = std::move(roles), h = std::move(h)](net::Request&& req, net::Respond respond) {
    auto token = req.bearer();
    if (!token) return respond(error_response(Status(Code::kUnauthenticated, "send Authorization: Bearer <token> (POST /api/v1/login)", "", "unauthenticated")));
    Result<Principal> who = internal("not authenticated");
    const TimeMs now = c_.clock.now_ms();
    if (auto known = sessions_.find(*token, now)) {
      who = std::move(*known);
    } else {
      const auto generation = sessions_.generation();
      auto db = c_.store.read();  // released before the handler takes a lease of its own
      if (!db.ok()) return respond(error_response(db.status()));
      who = authenticate(**db, *token, now);
      if (who.ok()) sessions_.remember(*who, generation);
    }
    if (!who.ok()) return respond(error_response(who.status()));
    // Fail closed: a route without roles is open to nobody.
    if (std::find(roles.begin(), roles.end(), who->role) == roles.end()) {
      return respond(error_response(Status(Code::kPermissionDenied,
                                           fmt::format("the {} role may not {} {}", domain::to_string(who->role),
                                                       req.method, req.path),
                                           "", "forbidden")));
    }
    h(Call{std::move(req), std::move(respond), std::move(*who)});
  });
}

void Api::read(const net::Respond& respond, const std::function<Result<net::Response>(store::Database&)>& fn) {
  auto db = c_.store.read();
  if (!db.ok()) return respond(error_response(db.status()));
  Result<net::Response> r = internal("no response");
  try {
    r = fn(**db);
  } catch (const std::exception& e) {
    r = internal(e.what());
  }
  respond(r.ok() ? std::move(*r) : error_response(r.status()));
}

}  // namespace vnh::hotline

