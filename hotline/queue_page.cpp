#include "hotline/queue_page.hpp"

#include <fmt/format.h>

#include "common/text.hpp"
#include "hotline/request.hpp"
#include "store/reference.hpp"

namespace vnh::hotline {

Result<store::QueuePage> queue_page(store::Database& db, const net::Request& req, TimeMs now, bool newest, int def) {
  store::QueuePage q;
  q.newest_first = newest;
  VNH_ASSIGN_OR_RETURN(q.limit, limit_param(req, def));
  if (auto v = req.query_param("firm"); v && !v->empty()) {
    VNH_ASSIGN_OR_RETURN(auto f, store::find_firm(db, *v));
    if (!f) return invalid("firm", fmt::format("no firm '{}'", *v));
    q.firm_id = f->id;
  }
  if (auto v = req.query_param("street"); v && !v->empty()) {
    if (v->size() != 9 || v->find_first_not_of("0123456789") != std::string::npos) {
      return invalid("street", "must be a 9-digit street code");
    }
    q.street = *v;
  }
  if (auto v = req.query_param("min_age_h"); v && !v->empty()) {
    auto h = parse_int(*v);
    if (!h.ok() || *h < 0 || *h > 24 * 3660) return invalid("min_age_h", "must be a number of hours");
    q.before = now - *h * 3'600'000 + 1;
  }
  if (auto v = req.query_param("sort"); v && !v->empty()) {
    if (*v != "oldest" && *v != "newest") return invalid("sort", "must be oldest or newest");
    q.newest_first = *v == "newest";
  }
  if (auto v = req.query_param("cursor"); v && !v->empty()) {
    const auto dot = v->find('.');
    auto ms = parse_int(v->substr(0, dot));
    auto id = dot == std::string::npos ? Result<std::int64_t>(invalid("cursor", "")) : parse_int(v->substr(dot + 1));
    if (!ms.ok() || !id.ok()) return invalid("cursor", "is not a cursor this queue gave");
    q.after = std::pair{*ms, *id};
  }
  return q;
}

boost::json::value next_cursor(std::size_t rows, int limit, TimeMs last_ms, std::int64_t last_id) {
  if (static_cast<int>(rows) != limit) return nullptr;
  return boost::json::value(fmt::format("{}.{}", last_ms, last_id));
}

}  // namespace vnh::hotline
