#include "net/router.hpp"

#include <boost/json.hpp>

#include "common/reasons.hpp"
#include "common/text.hpp"

namespace vnh::net {

std::optional<std::string> Request::bearer() const {
  auto h = header("authorization");
  if (!h) return std::nullopt;
  constexpr std::string_view kPrefix = "Bearer ";
  if (h->size() <= kPrefix.size() || h->compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  return h->substr(kPrefix.size());
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= q.size()) {
    size_t amp = q.find('&', start);
    std::string_view part = q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k = url_decode(part.substr(0, eq), true);
      std::string v = eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1), true);
      out.emplace(std::move(k), std::move(v));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::vector<std::string> Router::split_path(const std::string& path) {
  std::vector<std::string> segs;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    segs.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return segs;
}

void Router::add(const std::string& method, const std::string& pattern, Handler h) {
  routes_.push_back({method, split_path(pattern), std::move(h)});
}

void Router::add_ws(const std::string& path, WsFactory f) { ws_.emplace_back(path, std::move(f)); }

const WsFactory* Router::ws(const std::string& path) const {
  for (const auto& [p, f] : ws_) {
    if (p == path) return &f;
  }
  return nullptr;
}

void Router::handle(Request&& req, Respond respond) const {
  auto segs = split_path(req.path);
  bool path_matched = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params[p.substr(1, p.size() - 2)] = url_decode(segs[i], false);
      } else {
        ok = p == segs[i];
      }
    }
    if (!ok) continue;
    path_matched = true;
    if (r.method != req.method && !(r.method == "GET" && req.method == "HEAD")) continue;
    req.params = std::move(params);
    r.handler(std::move(req), std::move(respond));
    return;
  }
  if (path_matched) {
    respond(json_error(405, std::string(transport::kMethodNotAllowed), req.method + " is not allowed on " + req.path));
  } else {
    respond(json_error(404, std::string(transport::kNotFound), "no such endpoint: " + req.path));
  }
}

Response json_error(int status, const std::string& code, const std::string& message, const std::string& field) {
  boost::json::object err;
  // What the request sent may be echoed (a path, a field name): never as invalid UTF-8.
  err["code"] = code;
  err["message"] = printable_utf8(message);
  if (!field.empty()) err["field"] = printable_utf8(field);
  boost::json::object o;
  o["error"] = std::move(err);
  Response r;
  r.status = status;
  r.body = boost::json::serialize(o);
  return r;
}

}  // namespace vnh::net
