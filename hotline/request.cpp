#include "hotline/request.hpp"

#include <algorithm>
#include <charconv>
#include <boost/json/basic_parser_impl.hpp>
#include <fmt/format.h>

#include <cmath>
#include <set>
#include <vector>

#include "common/text.hpp"

namespace vnh::hotline {
namespace json = boost::json;

namespace {
// Reads a JSON text only to find a key given twice in one object (Boost.JSON 1.81 keeps one of
// them silently): which value would the caller have meant? (SPEC §9)
struct DuplicateKeys {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  std::vector<std::set<std::string>> open;
  std::string key;
  std::string twice;
  using ec_t = boost::system::error_code;
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_object_begin(ec_t&) { open.emplace_back(); return true; }
  bool on_object_end(std::size_t, ec_t&) { open.pop_back(); return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t, ec_t&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, ec_t&) { key.append(s.data(), s.size()); return true; }
  bool on_key(json::string_view s, std::size_t, ec_t& ec) {
    key.append(s.data(), s.size());
    if (!open.back().insert(key).second) {
      twice = key;
      ec = json::error::syntax;
      return false;
    }
    key.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, ec_t&) { return true; }
  bool on_string(json::string_view, std::size_t, ec_t&) { return true; }
  // Each floating-point number's text, in document order: Boost.JSON 1.81 rounds long
  // mantissas imprecisely (off by an ulp), so parse_object reads them again exactly.
  std::vector<std::string> doubles;
  std::string number;
  bool on_number_part(json::string_view s, ec_t&) { number.append(s.data(), s.size()); return true; }
  bool on_int64(std::int64_t, json::string_view, ec_t&) { number.clear(); return true; }
  bool on_uint64(std::uint64_t, json::string_view, ec_t&) { number.clear(); return true; }
  bool on_double(double, json::string_view s, ec_t&) {
    number.append(s.data(), s.size());
    doubles.push_back(std::move(number));
    number.clear();
    return true;
  }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(json::string_view, ec_t&) { return true; }
  bool on_comment(json::string_view, ec_t&) { return true; }
};

struct Prescan {
  std::optional<std::string> twice;  // a key given twice in some object
  std::vector<std::string> doubles;  // the text of each floating-point number, in order
};
// What the real parse does not tell (a body that is not JSON has nothing here: the real parse
// says what is wrong with it).
Prescan prescan(const std::string& body) {
  json::basic_parser<DuplicateKeys> p(json::parse_options{});
  boost::system::error_code ec;
  p.write_some(false, body.data(), body.size(), ec);
  Prescan out;
  if (!p.handler().twice.empty()) out.twice = p.handler().twice;
  out.doubles = std::move(p.handler().doubles);
  return out;
}

// Puts the correctly rounded value of each number text into the doubles of `v`, in document
// order (objects keep their keys in the order they came). The text of a number too large for
// a double (which Boost would read as infinity), or none when one is out of order.
std::optional<std::string> exact_doubles(json::value& v, const std::vector<std::string>& texts, std::size_t& next) {
  if (v.is_double()) {
    if (next >= texts.size()) return std::string("?");
    const std::string& t = texts[next++];
    double d = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), d);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(d)) {
      // Underflow (1e-400) reads as 0 elsewhere too; only what cannot be a finite double is refused.
      if (r.ec == std::errc::result_out_of_range && std::abs(v.as_double()) < 1) {
        v = 0.0;
        return std::nullopt;
      }
      return t;
    }
    v = d;
  } else if (v.is_array()) {
    for (auto& e : v.as_array()) {
      if (auto bad = exact_doubles(e, texts, next)) return bad;
    }
  } else if (v.is_object()) {
    for (auto& kv : v.as_object()) {
      if (auto bad = exact_doubles(kv.value(), texts, next)) return bad;
    }
  }
  return std::nullopt;
}
}  // namespace

Result<json::object> parse_object(const std::string& body) {
  if (body.empty()) return Status(Code::kInvalidArgument, "a JSON object body is required", "body", reason::kMalformedJson);
  auto scan = prescan(body);
  if (scan.twice) {
    return Status(Code::kInvalidArgument, "the key \"" + *scan.twice + "\" is given twice", *scan.twice,
                  reason::kMalformedJson);
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    return Status(Code::kInvalidArgument, "the body is not valid JSON: " + ec.message(), "body", reason::kMalformedJson);
  }
  std::size_t next = 0;
  if (auto bad = exact_doubles(v, scan.doubles, next)) {
    return Status(Code::kInvalidArgument, "the number " + bad->substr(0, 40) + " is out of range", "body",
                  reason::kMalformedJson);
  }
  if (!v.is_object()) return Status(Code::kInvalidArgument, "the body must be a JSON object", "body", reason::kMalformedJson);
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

Result<std::optional<std::int64_t>> cursor_param(const net::Request& r) {
  auto v = r.query_param("cursor");
  if (!v) return std::optional<std::int64_t>();
  auto n = parse_int(*v);
  if (!n.ok() || *n <= 0) return invalid("cursor", "is not a cursor from a previous page");
  return std::optional<std::int64_t>(*n);
}

Result<json::object> parse_optional_object(const std::string& body) {
  if (body.empty()) return json::object();
  return parse_object(body);
}

Result<std::int64_t> score_field(const json::object& o, const char* field) {
  auto* v = o.if_contains(field);
  if (!v || v->is_null()) return invalid(field, "is required (0 to 100, two decimals)");
  std::string text;
  if (v->is_string()) {
    text = std::string(v->as_string());
  } else if (v->is_int64()) {
    text = std::to_string(v->as_int64());
  } else if (v->is_double()) {
    text = fmt::format("{:.6f}", v->as_double());
    while (!text.empty() && text.back() == '0') text.pop_back();
    if (!text.empty() && text.back() == '.') text.pop_back();
  } else {
    return invalid(field, "must be a number");
  }
  auto h = parse_fixed(text, 2);
  if (!h.ok()) return invalid(field, h.status().message());
  if (*h < 0 || *h > 10000) return invalid(field, "must be between 0 and 100");
  return *h;
}

Result<std::vector<std::int64_t>> ids_field(const boost::json::object& o, const char* field, std::size_t max,
                                            const char* what) {
  const auto* v = o.if_contains(field);
  if (!v || !v->is_array() || v->as_array().empty() || v->as_array().size() > max) {
    return invalid(field, fmt::format("is required: a list of 1 to {} ids", max));
  }
  std::vector<std::int64_t> ids;
  for (const auto& x : v->as_array()) {
    if (!x.is_int64() || x.as_int64() <= 0) return invalid(field, fmt::format("holds something not {}", what));
    if (std::find(ids.begin(), ids.end(), x.as_int64()) != ids.end()) {
      return invalid(field, fmt::format("names {} twice", x.as_int64()));
    }
    ids.push_back(x.as_int64());
  }
  return ids;
}

Result<std::optional<Date>> date_query(const net::Request& req, const char* field) {
  auto v = req.query_param(field);
  if (!v || v->empty()) return std::optional<Date>();
  auto d = parse_date(*v);
  if (!d.ok()) return invalid(field, d.status().message());
  return std::optional<Date>(*d);
}

Result<std::optional<YearMonth>> month_query(const net::Request& req, const char* field) {
  auto v = req.query_param(field);
  if (!v || v->empty()) return std::optional<YearMonth>();
  auto m = parse_year_month(*v);
  if (!m.ok()) return invalid(field, m.status().message());
  return std::optional<YearMonth>(*m);
}

Result<YearMonth> month_param(const net::Request& req) {
  auto m = parse_year_month(req.params.at("month"));
  if (!m.ok()) return invalid("month", m.status().message());
  return *m;
}

Result<std::int64_t> id_param(const net::Request& req, const char* what) {
  auto id = parse_int(req.params.at("id"));
  if (!id.ok()) return invalid("id", std::string("is not ") + what);
  return *id;
}

namespace {
boost::json::value sorted(const boost::json::value& v) {
  if (v.is_array()) {
    boost::json::array a;
    a.reserve(v.as_array().size());
    for (const auto& e : v.as_array()) a.push_back(sorted(e));
    return a;
  }
  if (!v.is_object()) return v;
  std::vector<const boost::json::key_value_pair*> kvs;
  for (const auto& kv : v.as_object()) kvs.push_back(&kv);
  std::sort(kvs.begin(), kvs.end(), [](const auto* a, const auto* b) { return a->key() < b->key(); });
  boost::json::object o;
  o.reserve(kvs.size());
  for (const auto* kv : kvs) o.emplace(kv->key(), sorted(kv->value()));
  return o;
}
}  // namespace

std::string canonical_json(const boost::json::value& v) { return boost::json::serialize(sorted(v)); }

}  // namespace vnh::hotline
