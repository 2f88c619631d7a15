#include "store/reference.hpp"

#include "common/identity.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"
#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
Result<Area> read_area(Statement& s) {
  Area a;
  a.code = s.text(0);
  a.name = s.text(1);
  a.parent_code = s.opt_text(2);
  VNH_ASSIGN_OR_RETURN(a.level, enum_column(s, 3, parse_area_level, "areas.level"));
  return a;
}

constexpr const char* kItemCols =
    "id, code, name, category, unit, standard_price_fen, market_price_fen, duration_min, meal, active, meal_slot";
Result<ServiceItem> read_item(Statement& s) {
  ServiceItem i;
  i.id = s.int64(0);
  i.code = s.text(1);
  i.name = s.text(2);
  VNH_ASSIGN_OR_RETURN(i.category, enum_column(s, 3, parse_category, "catalog_items.category"));
  i.unit = s.text(4);
  i.standard_price_fen = s.int64(5);
  i.market_price_fen = s.int64(6);
  i.duration_min = s.int32(7);
  i.meal = s.int32(8) != 0;
  i.active = s.int32(9) != 0;
  if (auto slot = s.opt_text(10)) {
    auto ms = parse_meal_slot(*slot);
    if (!ms) return Status(Code::kInternal, "catalog_items.meal_slot holds '" + *slot + "'");
    i.meal_slot = *ms;
  }
  return i;
}

constexpr const char* kFirmCols = "id, code, name, base_lat, base_lon, daily_capacity, status, next_seq, acked_seq";
Result<Firm> read_firm(Statement& s) {
  Firm f;
  f.id = s.int64(0);
  f.code = s.text(1);
  f.name = s.text(2);
  f.base_lat = s.real(3);
  f.base_lon = s.real(4);
  f.daily_capacity = s.int32(5);
  VNH_ASSIGN_OR_RETURN(f.status, enum_column(s, 6, parse_firm_status, "firms.status"));
  f.next_seq = static_cast<std::uint64_t>(s.int64(7));
  f.acked_seq = static_cast<std::uint64_t>(s.int64(8));
  return f;
}

// A stored skill list: every part must be a category.
Result<std::vector<Category>> read_skills(const std::string& text) {
  std::vector<Category> out;
  for (const auto& part : split(text, '|')) {
    auto c = parse_category(part);
    if (!c) return internal(fmt::format("staff.skills holds '{}', which is not a known category", part));
    out.push_back(*c);
  }
  return out;
}

Result<StaffMember> read_staff(Statement& s) {
  StaffMember m;
  m.id = s.int64(0);
  m.firm_id = s.int64(1);
  m.code = s.text(2);
  m.name = s.text(3);
  m.phone_masked = s.text(4);
  VNH_ASSIGN_OR_RETURN(m.skills, read_skills(s.text(5)));
  m.started_on = s.opt_text(6);
  m.active = s.int32(7) != 0;
  return m;
}
}  // namespace

std::string join_skills(const std::vector<Category>& skills) {
  std::string out;
  for (auto c : skills) {
    if (!out.empty()) out += '|';
    out += to_string(c);
  }
  return out;
}

std::vector<Category> parse_skills(const std::string& s) {
  std::vector<Category> out;
  for (const auto& part : split(s, '|')) {
    if (auto c = parse_category(part)) out.push_back(*c);
  }
  return out;
}

Status insert_area(Database& db, const Area& a) {
  auto st = db.prepare("INSERT INTO areas(code, name, parent_code, level) VALUES (?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(a.code, a.name, a.parent_code, to_string(a.level)).run();
}

Result<std::optional<Area>> find_area(Database& db, const std::string& code) {
  auto st = db.prepare("SELECT code, name, parent_code, level FROM areas WHERE code = ?");
  if (st.ok()) st->bind(1, code);
  return query_one<Area>(std::move(st), read_area);
}

Result<AreaCentroid> area_centroid(Database& db, const std::string& code) {
  auto st = db.prepare(R"(
    WITH RECURSIVE sub(code) AS (SELECT ?1 UNION ALL SELECT a.code FROM areas a JOIN sub ON a.parent_code = sub.code),
    homes(home_enc) AS (SELECT e.home_enc FROM sub JOIN elders e ON e.community_code = sub.code
                        WHERE e.status = 'active' LIMIT 5000)
    SELECT coalesce(avg(vnh_home(home_enc, 0)), 0), coalesce(avg(vnh_home(home_enc, 1)), 0), count(*) FROM homes)");
  if (st.ok()) st->bind(1, code);
  VNH_ASSIGN_OR_RETURN(auto row, query_one<AreaCentroid>(std::move(st), [](Statement& r) {
    return AreaCentroid{r.real(0), r.real(1), r.int64(2)};
  }));
  return row.value_or(AreaCentroid{});
}

Result<std::vector<Area>> list_areas(Database& db) {
  return query_all<Area>(db.prepare("SELECT code, name, parent_code, level FROM areas ORDER BY code"), read_area);
}

Result<std::vector<Area>> child_areas(Database& db, const std::optional<std::string>& parent) {
  auto st = db.prepare(parent ? "SELECT code, name, parent_code, level FROM areas WHERE parent_code = ? ORDER BY code"
                              : "SELECT code, name, parent_code, level FROM areas WHERE parent_code IS NULL ORDER BY code");
  if (st.ok() && parent) st->bind(1, *parent);
  return query_all<Area>(std::move(st), read_area);
}

Result<std::int64_t> insert_item(Database& db, const ServiceItem& i) {
  auto st = db.prepare(
      "INSERT INTO catalog_items(code, name, category, unit, standard_price_fen, market_price_fen, duration_min, "
      "meal, active, meal_slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  std::optional<std::string> slot;
  if (i.meal) slot = std::string(to_string(i.meal_slot));
  VNH_RETURN_IF_ERROR(st->bind_all(i.code, i.name, to_string(i.category), i.unit, i.standard_price_fen,
                                   i.market_price_fen, i.duration_min, i.meal ? 1 : 0, i.active ? 1 : 0, slot)
                          .run());
  return db.last_insert_rowid();
}

Result<std::optional<ServiceItem>> find_item(Database& db, const std::string& code) {
  auto st = db.prepare(std::string("SELECT ") + kItemCols + " FROM catalog_items WHERE code = ?");
  if (st.ok()) st->bind(1, code);
  return query_one<ServiceItem>(std::move(st), read_item);
}

Result<std::optional<ServiceItem>> item_by_id(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kItemCols + " FROM catalog_items WHERE id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<ServiceItem>(std::move(st), read_item);
}

Result<std::vector<ServiceItem>> list_items(Database& db) {
  return query_all<ServiceItem>(db.prepare(std::string("SELECT ") + kItemCols + " FROM catalog_items ORDER BY code"),
                          read_item);
}

Result<std::int64_t> insert_firm(Database& db, const Firm& f, std::int64_t now) {
  auto st = db.prepare(
      "INSERT INTO firms(code, name, base_lat, base_lon, daily_capacity, status, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(
      st->bind_all(f.code, f.name, f.base_lat, f.base_lon, f.daily_capacity, to_string(f.status), now).run());
  return db.last_insert_rowid();
}

Result<std::optional<Firm>> find_firm(Database& db, const std::string& code) {
  auto st = db.prepare(std::string("SELECT ") + kFirmCols + " FROM firms WHERE code = ?");
  if (st.ok()) st->bind(1, code);
  return query_one<Firm>(std::move(st), read_firm);
}

Result<std::optional<Firm>> firm_by_id(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kFirmCols + " FROM firms WHERE id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<Firm>(std::move(st), read_firm);
}

Result<std::vector<Firm>> list_firms(Database& db) {
  return query_all<Firm>(db.prepare(std::string("SELECT ") + kFirmCols + " FROM firms ORDER BY code"), read_firm);
}

Status set_firm_status(Database& db, std::int64_t firm_id, FirmStatus s) {
  auto st = db.prepare("UPDATE firms SET status = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(to_string(s), firm_id).run();
}

Status set_firm_token(Database& db, std::int64_t firm_id, const std::string& token_hash, std::int64_t now) {
  auto st = db.prepare("UPDATE firms SET token_hash = ?, token_issued_at = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  if (token_hash.empty()) {
    st->bind(1, std::nullopt);
  } else {
    st->bind(1, Blob{token_hash});
  }
  return st->bind(2, now).bind(3, firm_id).run();
}

Result<std::string> issue_firm_token(Database& db, const Firm& firm, const std::string& actor, std::int64_t now,
                                     bool revoke) {
  std::string token = revoke ? "" : random_token();
  VNH_RETURN_IF_ERROR(set_firm_token(db, firm.id, revoke ? "" : sha256_raw(token), now));
  VNH_RETURN_IF_ERROR(
      append_audit(db, now, {actor, revoke ? "firm.token_revoke" : "firm.token_issue", "firm:" + firm.code, "{}"}));
  return token;
}

Result<std::vector<FirmStanding>> firm_standings(Database& db) {
  return query_all<FirmStanding>(db.prepare("SELECT id, code, coalesce(token_hash, x''), status FROM firms ORDER BY id"),
                                 [](Statement& r) -> Result<FirmStanding> {
                                   FirmStanding f{r.int64(0), r.text(1), r.text(2), {}};
                                   VNH_ASSIGN_OR_RETURN(f.status, enum_column(r, 3, domain::parse_firm_status, "firms.status"));
                                   return f;
                                 });
}

Result<std::optional<Firm>> find_firm_by_token(Database& db, const std::string& token_hash) {
  auto st = db.prepare(std::string("SELECT ") + kFirmCols + " FROM firms WHERE token_hash = ?");
  if (st.ok()) st->bind(1, Blob{token_hash});
  return query_one<Firm>(std::move(st), read_firm);
}

Status insert_firm_area(Database& db, const FirmArea& fa) {
  auto st = db.prepare("INSERT INTO firm_areas(firm_id, area_code, category) VALUES (?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(fa.firm_id, fa.area_code, to_string(fa.category)).run();
}

Result<std::vector<FirmArea>> list_firm_areas(Database& db) {
  return query_all<FirmArea>(db.prepare("SELECT firm_id, area_code, category FROM firm_areas ORDER BY firm_id, area_code"),
                       [](Statement& s) -> Result<FirmArea> {
                         VNH_ASSIGN_OR_RETURN(auto c, enum_column(s, 2, parse_category, "firm_areas.category"));
                         return FirmArea{s.int64(0), s.text(1), c};
                       });
}

Result<std::int64_t> insert_staff(Database& db, const FieldCrypto& crypto, const StaffMember& m,
                                  const std::string& phone) {
  auto st = db.prepare(
      "INSERT INTO staff(firm_id, code, name, phone_enc, phone_masked, skills, started_on, active) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  std::string enc = crypto.encrypt("staff.phone", phone);
  VNH_RETURN_IF_ERROR(st->bind_all(m.firm_id, m.code, m.name, Blob{enc}, mask_phone(phone), join_skills(m.skills),
                                   m.started_on, m.active ? 1 : 0)
                          .run());
  return db.last_insert_rowid();
}

Result<std::optional<StaffMember>> find_staff(Database& db, std::int64_t firm_id, const std::string& code) {
  auto st = db.prepare(
      "SELECT id, firm_id, code, name, phone_masked, skills, started_on, active FROM staff WHERE firm_id = ? AND "
      "code = ?");
  if (st.ok()) st->bind_all(firm_id, code);
  return query_one<StaffMember>(std::move(st), read_staff);
}

Result<std::vector<StaffMember>> list_staff(Database& db, std::int64_t firm_id) {
  auto st = db.prepare(
      "SELECT id, firm_id, code, name, phone_masked, skills, started_on, active FROM staff WHERE firm_id = ? ORDER "
      "BY code");
  if (st.ok()) st->bind(1, firm_id);
  return query_all<StaffMember>(std::move(st), read_staff);
}

Result<bool> update_staff_location(Database& db, std::int64_t firm_id, const std::string& staff_code, double lat,
                                   double lon, TimeMs at) {
  auto st = db.prepare("UPDATE staff SET last_lat = ?, last_lon = ?, last_seen_at = ? WHERE firm_id = ? AND code = ?");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(lat, lon, at, firm_id, staff_code).run());
  return db.changes() > 0;
}

}  // namespace vnh::store
