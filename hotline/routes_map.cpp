// The command screen's live map (SPEC §15): workers at their last known positions with what
// they are doing, the open tickets at the elders' homes, the canteens with today's meals. The
// positions then move over the live channel (`map.workers`, once a second at most).
#include <cmath>

#include "common/identity.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "store/map.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// The most open tickets one map shows (a district has a few hundred at a time).
constexpr int kMaxMapTickets = 5000;

// A home shown to a role without a whole view is rounded to about a hundred metres.
double coarse(double v, bool whole) { return whole ? v : std::round(v * 1000) / 1000; }

void map_workers(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& tz = *api.ctx().policy.tz;
    VNH_ASSIGN_OR_RETURN(auto rows, store::map_workers(db));
    json::array a;
    for (const auto& w : rows) {
      a.push_back(json::object{{"staff_code", w.staff_code},
                               {"firm_code", w.firm_code},
                               {"firm_name", w.firm_name},
                               {"name", w.name},
                               {"lat", w.lat},
                               {"lon", w.lon},
                               {"at", format_time(w.at, tz)},
                               {"state", w.state},
                               {"ticket_no", w.ticket_no.empty() ? json::value(nullptr) : json::value(w.ticket_no)},
                               {"item_code", w.item_code.empty() ? json::value(nullptr) : json::value(w.item_code)},
                               {"item_name", w.item_name},
                               {"duration_min", w.duration_min},
                               {"since", time_or_null(w.since, tz)}});
    }
    return json_response(200, json::object{{"workers", std::move(a)}, {"at", format_time(api.ctx().clock.now_ms(), tz)}});
  });
}

void map_tickets(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& tz = *api.ctx().policy.tz;
    const bool whole = sees_whole_names(call.who.role);
    VNH_ASSIGN_OR_RETURN(auto rows, store::map_tickets(db, kMaxMapTickets + 1));
    const bool truncated = rows.size() > static_cast<std::size_t>(kMaxMapTickets);
    if (truncated) rows.pop_back();
    json::array a;
    for (const auto& t : rows) {
      a.push_back(json::object{{"ticket_no", t.ticket_no},
                               {"state", t.state},
                               {"urgency", t.urgency},
                               {"item_code", t.item_code},
                               {"item_name", t.item_name},
                               {"firm_code", t.firm_code.empty() ? json::value(nullptr) : json::value(t.firm_code)},
                               {"community_code", t.community_code},
                               {"elder_name", whole ? t.elder_name : mask_name(t.elder_name)},
                               {"lat", coarse(t.lat, whole)},
                               {"lon", coarse(t.lon, whole)},
                               {"created_at", format_time(t.created_at, tz)},
                               {"unassigned_reason", t.unassigned_reason ? json::value(*t.unassigned_reason) : json::value(nullptr)}});
    }
    return json_response(200, json::object{{"tickets", std::move(a)}, {"truncated", truncated}});
  });
}

void map_canteens(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto rows, store::map_canteens(db, format_date(c.policy.tz->local_date(c.clock.now_ms()))));
    json::array a;
    for (const auto& k : rows) {
      a.push_back(json::object{{"code", k.code}, {"name", k.name}, {"community_code", k.community_code}, {"lat", k.lat},
                               {"lon", k.lon}, {"delivers", k.delivers}, {"meals_today", k.meals_today}});
    }
    return json_response(200, json::object{{"canteens", std::move(a)}});
  });
}

// The open visit exceptions of the last week (at most this many): what went wrong lately, where.
constexpr int kMaxMapExceptions = 1000;
constexpr TimeMs kMapExceptionDays = 7;

void map_exceptions(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    const bool whole = sees_whole_names(call.who.role);
    const TimeMs since = c.clock.now_ms() - kMapExceptionDays * kMsPerDay;
    VNH_ASSIGN_OR_RETURN(auto rows, store::map_exceptions(db, since, kMaxMapExceptions + 1));
    const bool truncated = rows.size() > static_cast<std::size_t>(kMaxMapExceptions);
    if (truncated) rows.pop_back();
    json::array a;
    for (const auto& x : rows) {
      a.push_back(json::object{{"exception_id", x.id},
                               {"type", x.type},
                               {"ticket_no", x.ticket_no},
                               {"firm_code", x.firm_code.empty() ? json::value(nullptr) : json::value(x.firm_code)},
                               {"facts", facts_json(x.facts)},
                               {"raised_at", format_time(x.created_at, *c.policy.tz)},
                               {"lat", coarse(x.lat, whole)},
                               {"lon", coarse(x.lon, whole)}});
    }
    return json_response(200, json::object{{"exceptions", std::move(a)}, {"truncated", truncated}});
  });
}

// The outlines `vnh import area-shapes` loaded, as one GeoJSON FeatureCollection (code, name,
// level in each feature's properties); none loaded: an empty collection.
void map_areas(Api& api, Api::Call&& call) {
  api.read(call.respond, [](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto shapes, store::area_shapes(db));
    std::string body = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const auto& a = shapes[i];
      if (i) body += ',';
      body += R"({"type":"Feature","properties":)";
      body += json::serialize(json::object{{"code", a.code}, {"name", a.name}, {"level", a.level}});
      body += R"(,"geometry":)";
      body += a.geometry;  // checked JSON (the importer wrote it; the column is json_valid)
      body += '}';
    }
    body += "]}";
    net::Response r;
    r.content_type = "application/geo+json";
    r.body = std::move(body);
    return r;
  });
}

// The base map the district configured: tile layers, or none (the map is the points alone).
void map_config(Api& api, Api::Call&& call) {
  const auto& t = api.ctx().map_tiles;
  json::array urls;
  for (const auto& u : t.urls) urls.push_back(json::value(u));
  call.respond(json_response(200, json::object{{"tiles", std::move(urls)},
                                               {"subdomains", t.subdomains},
                                               {"attribution", t.attribution},
                                               {"crs", "wgs84"}}));
}

}  // namespace

std::vector<Api::Route> map_routes() {
  return {
      {"GET", "/api/v1/map/workers", roles::kCommandScreen, map_workers},
      {"GET", "/api/v1/map/tickets", roles::kCommandScreen, map_tickets},
      {"GET", "/api/v1/map/canteens", roles::kCommandScreen, map_canteens},
      {"GET", "/api/v1/map/exceptions", roles::kCommandScreen, map_exceptions},
      {"GET", "/api/v1/map/areas", roles::kCommandScreen, map_areas},
      {"GET", "/api/v1/map/config", roles::kCommandScreen, map_config},
  };
}

}  // namespace vnh::hotline
