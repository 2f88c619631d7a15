#include "store/map.hpp"

#include "store/query.hpp"

namespace vnh::store {

namespace sql {
// A worker's open assignment comes from tickets_staff_open (schema 18); a worker on two at once
// shows the one in service, else the earliest accepted.
const char kMapWorkers[] =
      "SELECT s.code, f.code, f.name, s.name, s.last_lat, s.last_lon, s.last_seen_at, "
      "       t.ticket_no, t.state, t.accepted_at, t.checkin_at, c.code, c.name, c.duration_min "
      "FROM staff s JOIN firms f ON f.id = s.firm_id "
      "LEFT JOIN tickets t ON t.firm_id = s.firm_id AND t.staff_code = s.code "
      "     AND t.staff_code IS NOT NULL AND (t.state = 'accepted' OR t.state = 'in_service') "
      "LEFT JOIN catalog_items c ON c.id = t.item_id "
      "WHERE s.active = 1 AND s.last_seen_at IS NOT NULL AND f.status = 'active' "
      "ORDER BY f.code, s.code, t.state = 'in_service' DESC, t.accepted_at";
// The open tickets through tickets_state (only the open states' keys are read, never the
// history's), emergencies first, then the oldest.
const char kMapTickets[] =
      "SELECT t.ticket_no, t.state, t.urgency, c.code, c.name, coalesce(f.code, ''), e.community_code, e.name, "
      "       t.unassigned_reason, t.created_at, vnh_home(e.home_enc, 0), vnh_home(e.home_enc, 1) "
      "FROM tickets t "
      "JOIN elders e ON e.id = t.elder_id JOIN catalog_items c ON c.id = t.item_id "
      "LEFT JOIN firms f ON f.id = t.firm_id "
      "WHERE t.state IN ('created', 'offered', 'accepted', 'in_service', 'unassigned') "
      "ORDER BY t.urgency = 'emergency' DESC, t.created_at LIMIT ?1";
// Through visit_exceptions_status (status, created_at): the open ones of the last days only.
const char kMapExceptions[] =
      "SELECT v.id, v.type, t.ticket_no, coalesce(f.code, ''), v.facts, v.created_at, "
      "       vnh_home(e.home_enc, 0), vnh_home(e.home_enc, 1) "
      "FROM visit_exceptions v JOIN tickets t ON t.id = v.ticket_id JOIN elders e ON e.id = t.elder_id "
      "LEFT JOIN firms f ON f.id = t.firm_id "
      "WHERE v.status = 'open' AND v.created_at >= ?1 ORDER BY v.created_at DESC LIMIT ?2";
}  // namespace sql

Result<std::vector<MapException>> map_exceptions(Database& db, TimeMs since, int limit) {
  auto st = db.prepare(sql::kMapExceptions);
  if (st.ok()) st->bind_all(since, limit);
  return query_all<MapException>(std::move(st), [](Statement& r) {
    MapException x;
    x.id = r.int64(0);
    x.type = r.text(1);
    x.ticket_no = r.text(2);
    x.firm_code = r.text(3);
    x.facts = r.text(4);
    x.created_at = r.int64(5);
    x.lat = r.real(6);
    x.lon = r.real(7);
    return x;
  });
}

Status put_area_shape(Database& db, const std::string& code, const std::string& geometry, TimeMs now) {
  auto st = db.prepare(
      "INSERT INTO area_shapes(code, geometry, loaded_at) VALUES (?, ?, ?) "
      "ON CONFLICT(code) DO UPDATE SET geometry = excluded.geometry, loaded_at = excluded.loaded_at");
  if (!st.ok()) return st.status();
  return st->bind_all(code, geometry, now).run();
}

Result<std::vector<AreaShape>> area_shapes(Database& db) {
  return query_all<AreaShape>(
      db.prepare("SELECT a.code, a.name, a.level, s.geometry FROM area_shapes s JOIN areas a ON a.code = s.code "
                 "ORDER BY length(a.code), a.code"),
      [](Statement& r) { return AreaShape{r.text(0), r.text(1), r.text(2), r.text(3)}; });
}

Result<std::vector<MapWorker>> map_workers(Database& db) {
  auto st = db.prepare(sql::kMapWorkers);
  if (!st.ok()) return st.status();
  std::vector<MapWorker> out;
  VNH_RETURN_IF_ERROR(for_each_row(std::move(st), [&](Statement& r) {
    if (!out.empty() && out.back().staff_code == r.text(0) && out.back().firm_code == r.text(1)) return;
    MapWorker w;
    w.staff_code = r.text(0);
    w.firm_code = r.text(1);
    w.firm_name = r.text(2);
    w.name = r.text(3);
    w.lat = r.real(4);
    w.lon = r.real(5);
    w.at = r.int64(6);
    if (auto no = r.opt_text(7)) {
      w.ticket_no = *no;
      const bool in_service = r.text(8) == "in_service";
      w.state = in_service ? "in_service" : "en_route";
      w.since = in_service ? r.opt_int64(10) : r.opt_int64(9);
      w.item_code = r.text(11);
      w.item_name = r.text(12);
      w.duration_min = r.int32(13);
    } else {
      w.state = "idle";
    }
    out.push_back(std::move(w));
  }));
  return out;
}

Result<std::vector<MapTicket>> map_tickets(Database& db, int limit) {
  auto st = db.prepare(sql::kMapTickets);
  if (!st.ok()) return st.status();
  st->bind(1, limit);
  return query_all<MapTicket>(std::move(st), [](Statement& r) {
    MapTicket t;
    t.ticket_no = r.text(0);
    t.state = r.text(1);
    t.urgency = r.text(2);
    t.item_code = r.text(3);
    t.item_name = r.text(4);
    t.firm_code = r.text(5);
    t.community_code = r.text(6);
    t.elder_name = r.text(7);
    t.unassigned_reason = r.opt_text(8);
    t.created_at = r.int64(9);
    t.lat = r.real(10);
    t.lon = r.real(11);
    return t;
  });
}

Result<std::vector<MapCanteen>> map_canteens(Database& db, const std::string& day) {
  auto st = db.prepare(
      "SELECT k.code, k.name, k.community_code, k.lat, k.lon, k.delivers, "
      "       (SELECT count(*) FROM meals m WHERE m.canteen_id = k.id AND m.day = ?1) "
      "FROM canteens k WHERE k.status = 'active' ORDER BY k.code");
  if (!st.ok()) return st.status();
  st->bind(1, day);
  return query_all<MapCanteen>(std::move(st), [](Statement& r) {
    return MapCanteen{r.text(0), r.text(1), r.text(2), r.real(3), r.real(4), r.int32(5) != 0, r.int64(6)};
  });
}

}  // namespace vnh::store
