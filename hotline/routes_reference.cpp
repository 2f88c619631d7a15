// Reference data: the service catalog, the areas (districts, streets, communities) and the
// error codes.
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "store/reference.hpp"
#include "store/stats.hpp"
#include "registry/elders.hpp"

namespace vnh::hotline {
namespace json = boost::json;

namespace {

// The catalog, each item with how often it was ordered in the last 30 days (`orders_30d`): the
// console's item search ranks equal matches by it.
void catalog(Api& api, Api::Call&& call) {
  const TimeMs since = api.ctx().clock.now_ms() - 30 * kMsPerDay;
  api.read(call.respond, [since](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto items, store::list_items(db));
    VNH_ASSIGN_OR_RETURN(auto orders, store::orders_since_by_item(db, since));
    json::array a;
    for (const auto& i : items) {
      auto o = item_json(i);
      auto n = orders.find(i.id);
      o["orders_30d"] = n == orders.end() ? 0 : n->second;
      a.push_back(std::move(o));
    }
    return json_response(200, json::object{{"items", std::move(a)}});
  });
}

void areas(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto rows, store::child_areas(db, call.req.query_param("parent")));
    json::array a;
    for (const auto& r : rows) {
      a.push_back(json::object{{"code", r.code},
                               {"name", r.name},
                               {"parent_code", r.parent_code ? json::value(*r.parent_code) : json::value(nullptr)},
                               {"level", std::string(domain::to_string(r.level))}});
    }
    return json_response(200, json::object{{"areas", std::move(a)}});
  });
}

// The point a registration without coordinates takes in this area (registry::area_point).
void area_point(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto code = call.req.params.at("code");
    VNH_ASSIGN_OR_RETURN(auto p, registry::area_point(db, code));
    if (!p) return json_response(200, json::object{{"code", code}, {"lat", nullptr}, {"lon", nullptr}, {"from_code", nullptr}, {"elders", 0}});
    return json_response(200, json::object{{"code", code}, {"lat", p->lat}, {"lon", p->lon}, {"from_code", p->from_code}, {"elders", p->elders}});
  });
}

// Every code an error body or a CommandResult can carry (common/reasons.hpp), so that a
// client can hold its words for each.
void error_codes(Api&, Api::Call&& call) {
  json::array a, u;
  for (auto c : all_error_codes()) a.push_back(json::value(c));
  for (auto c : all_unassigned_reasons()) u.push_back(json::value(c));
  call.respond(json_response(200, json::object{{"codes", std::move(a)}, {"unassigned_reasons", std::move(u)}}));
}

}  // namespace

std::vector<Api::Route> reference_routes() {
  return {
      {"GET", "/api/v1/catalog", roles::kReference, catalog},
      {"GET", "/api/v1/areas", roles::kReference, areas},
      {"GET", "/api/v1/areas/{code}/point", roles::kElderDesk, area_point},
      {"GET", "/api/v1/error-codes", roles::kAnyRole, error_codes},
  };
}

}  // namespace vnh::hotline
