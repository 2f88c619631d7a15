#include "store/elders.hpp"

#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/reasons.hpp"
#include "store/personal.hpp"
#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

std::string elder_public_id(std::int64_t id) { return fmt::format("E{}", id); }

std::optional<std::int64_t> parse_elder_public_id(const std::string& s) {
  if (s.size() < 2 || s.size() > 19 || s[0] != 'E') return std::nullopt;
  std::int64_t v = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

namespace {
Status insert_phones(Database& db, const FieldCrypto& crypto, std::int64_t id, const std::vector<std::string>& phones) {
  auto del = db.prepare("DELETE FROM elder_phones WHERE elder_id = ?");
  if (!del.ok()) return del.status();
  VNH_RETURN_IF_ERROR(del->bind(1, id).run());
  int pos = 0;
  for (const auto& p : phones) {
    auto st = db.prepare(
        "INSERT INTO elder_phones(elder_id, phone_bidx, phone_enc, phone_masked, position) VALUES (?, ?, ?, ?, ?)");
    if (!st.ok()) return st.status();
    std::string bidx = crypto.blind_index("phone", p);
    std::string enc = crypto.encrypt("elder_phones.phone", p);
    VNH_RETURN_IF_ERROR(st->bind_all(id, Blob{bidx}, Blob{enc}, mask_phone(p), pos++).run());
  }
  return Status::Ok();
}

// An elder row with the names of its community and street: `SELECT kElderCols FROM kElderFrom
// WHERE …` (the elder's own columns as e.*). The birth date comes out of the encrypted ID
// number and the home out of its ciphertext (store/personal.hpp); sex is the parity of the
// masked copy's 17th character (odd is male, GB 11643; unicode('0') is 48, even).
const char* kElderCols =
    "e.id, e.id_number_masked, e.name, vnh_birth_date(e.id_number_enc), "
    "CASE unicode(substr(e.id_number_masked, 17, 1)) % 2 WHEN 1 THEN 'M' ELSE 'F' END, "
    "e.community_code, vnh_home(e.home_enc, 0), vnh_home(e.home_enc, 1), e.category, "
    "e.registered_on, e.status, e.status_reason, e.address_enc IS NOT NULL, e.created_at, e.updated_at, "
    "c.name, s.code, s.name, s.parent_code, e.died_on";
const char* kElderFrom =
    "elders e LEFT JOIN areas c ON c.code = e.community_code LEFT JOIN areas s ON s.code = c.parent_code";

Result<ElderRow> read_elder(Statement& s) {
  ElderRow e;
  e.id = s.int64(0);
  e.id_number_masked = s.text(1);
  e.name = s.text(2);
  e.birth_date = s.text(3);
  e.sex = s.text(4);
  e.community_code = s.text(5);
  e.lat = s.real(6);
  e.lon = s.real(7);
  VNH_ASSIGN_OR_RETURN(e.category, enum_column(s, 8, parse_elder_category, "elders.category"));
  e.registered_on = s.text(9);
  VNH_ASSIGN_OR_RETURN(e.status, enum_column(s, 10, parse_elder_status, "elders.status"));
  e.status_reason = s.text(11);
  e.has_address = s.int32(12) != 0;
  e.created_at = s.int64(13);
  e.updated_at = s.int64(14);
  e.community_name = s.text(15);
  e.street_code = s.text(16);
  e.street_name = s.text(17);
  e.district_code = s.text(18);
  e.died_on = s.opt_text(19);
  return e;
}

Status load_children(Database& db, ElderRow& e) {
  auto ph = db.prepare("SELECT phone_masked, position FROM elder_phones WHERE elder_id = ? ORDER BY position");
  if (ph.ok()) ph->bind(1, e.id);
  auto phones = query_all<ElderPhone>(std::move(ph), [](Statement& s) { return ElderPhone{s.text(0), s.int32(1)}; });
  if (!phones.ok()) return phones.status();
  e.phones = std::move(*phones);
  auto ct = db.prepare("SELECT name, relation, phone_masked FROM emergency_contacts WHERE elder_id = ? ORDER BY id");
  if (ct.ok()) ct->bind(1, e.id);
  auto contacts = query_all<EmergencyContact>(
      std::move(ct), [](Statement& s) { return EmergencyContact{s.text(0), s.text(1), s.text(2)}; });
  if (!contacts.ok()) return contacts.status();
  e.contacts = std::move(*contacts);
  return Status::Ok();
}
}  // namespace

Result<std::int64_t> insert_elder(Database& db, const FieldCrypto& crypto, const ValidElder& e, std::int64_t now) {
  auto st = db.prepare(
      "INSERT INTO elders(id_number_enc, id_number_bidx, id_number_masked, id_tail, name, "
      "community_code, home_enc, address_enc, category, registered_on, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  const std::string& idn = e.id.normalized;
  std::string enc = crypto.encrypt("elders.id_number", idn);
  std::string bidx = crypto.blind_index("id_number", idn);
  std::optional<std::string> addr;
  if (!e.address.empty()) addr = crypto.encrypt("elders.address", e.address);
  st->bind_all(Blob{enc}, Blob{bidx}, mask_id_number(idn), idn.substr(14), e.name, e.community_code,
               Blob{seal_home(crypto, e.home.lat, e.home.lon)});
  if (addr) {
    st->bind(8, Blob{*addr});
  } else {
    st->bind(8, std::nullopt);
  }
  st->bind(9, to_string(e.category)).bind(10, format_date(e.registered_on)).bind(11, now).bind(12, now);
  auto r = st->run();
  if (!r.ok()) {
    if (r.code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists, "an elder with this ID number is already registered", "id_number",
                    reason::kDuplicate);
    }
    return r;
  }
  std::int64_t id = db.last_insert_rowid();
  VNH_RETURN_IF_ERROR(insert_phones(db, crypto, id, e.phones));
  return id;
}

Status update_elder(Database& db, const FieldCrypto& crypto, std::int64_t id, const ValidElder& e, std::int64_t now) {
  auto st = db.prepare(
      "UPDATE elders SET name = ?, community_code = ?, home_enc = ?, category = ?, address_enc = ?, "
      "updated_at = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(e.name, e.community_code, Blob{seal_home(crypto, e.home.lat, e.home.lon)}, to_string(e.category));
  if (e.address.empty()) {
    st->bind(5, std::nullopt);
  } else {
    st->bind(5, Blob{crypto.encrypt("elders.address", e.address)});
  }
  st->bind(6, now).bind(7, id);
  VNH_RETURN_IF_ERROR(st->run());
  return insert_phones(db, crypto, id, e.phones);
}

Status set_elder_status(Database& db, std::int64_t id, ElderStatus status, const std::string& reason,
                        std::int64_t now) {
  auto st = db.prepare("UPDATE elders SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(to_string(status), reason, now, id).run();
}

Status replace_contacts(Database& db, const FieldCrypto& crypto, std::int64_t id,
                        const std::vector<EmergencyContactInput>& contacts) {
  auto del = db.prepare("DELETE FROM emergency_contacts WHERE elder_id = ?");
  if (!del.ok()) return del.status();
  VNH_RETURN_IF_ERROR(del->bind(1, id).run());
  for (const auto& c : contacts) {
    auto st = db.prepare(
        "INSERT INTO emergency_contacts(elder_id, name, relation, phone_enc, phone_masked) VALUES (?, ?, ?, ?, ?)");
    if (!st.ok()) return st.status();
    std::string enc = crypto.encrypt("emergency_contacts.phone", c.phone);
    VNH_RETURN_IF_ERROR(st->bind_all(id, c.name, c.relation, Blob{enc}, mask_phone(c.phone)).run());
  }
  return Status::Ok();
}

Result<std::optional<std::int64_t>> find_elder_by_id_number(Database& db, const FieldCrypto& crypto,
                                                            const std::string& normalized_id) {
  auto st = db.prepare("SELECT id FROM elders WHERE id_number_bidx = ?");
  if (!st.ok()) return st.status();
  std::string bidx = crypto.blind_index("id_number", normalized_id);
  st->bind(1, Blob{bidx});
  return query_one<std::int64_t>(std::move(st), [](Statement& s) { return s.int64(0); });
}

Result<std::vector<std::int64_t>> find_elders_by_phone(Database& db, const FieldCrypto& crypto,
                                                       const std::string& normalized_phone) {
  auto st = db.prepare("SELECT DISTINCT elder_id FROM elder_phones WHERE phone_bidx = ? ORDER BY elder_id");
  if (!st.ok()) return st.status();
  std::string bidx = crypto.blind_index("phone", normalized_phone);
  st->bind(1, Blob{bidx});
  return query_all<std::int64_t>(std::move(st), [](Statement& s) { return s.int64(0); });
}

Result<std::optional<ElderRow>> get_elder_core(Database& db, std::int64_t id) {
  static const std::string sql = fmt::format("SELECT {} FROM {} WHERE e.id = ?", kElderCols, kElderFrom);
  auto st = db.prepare(sql);
  if (st.ok()) st->bind(1, id);
  return query_one<ElderRow>(std::move(st), read_elder);
}

Result<ElderRow> elder_named(Database& db, const FieldCrypto& crypto, const std::optional<std::string>& id_number,
                             const std::optional<std::string>& elder_id) {
  std::optional<std::int64_t> id;
  if (elder_id) {
    id = parse_elder_public_id(*elder_id);
    if (!id) return invalid("elder_id", fmt::format("'{}' is not an elder id (E123)", *elder_id));
  }
  if (id_number) {
    auto idn = parse_id_number(*id_number);
    if (!idn.ok()) return idn.status();
    auto elder = find_elder_core_by_id_number(db, crypto, idn->normalized);  // one statement
    if (!elder.ok()) return elder.status();
    if (!*elder) return not_found("no elder is registered with this ID number", "id_number");
    if (id && *id != (*elder)->id) return invalid("elder_id", "does not match id_number");
    return std::move(**elder);
  }
  if (!id) return invalid("elder_id", "give the elder's id_number or elder_id");
  auto elder = get_elder_core(db, *id);
  if (!elder.ok()) return elder.status();
  if (!*elder) return not_found(fmt::format("no elder {}", elder_public_id(*id)), "elder_id");
  return std::move(**elder);
}

Result<std::optional<ElderLabel>> get_elder_label(Database& db, std::int64_t id) {
  auto st = db.prepare("SELECT name, community_code FROM elders WHERE id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<ElderLabel>(std::move(st), [](Statement& r) { return ElderLabel{r.text(0), r.text(1)}; });
}

Result<std::optional<ElderRow>> find_elder_core_by_id_number(Database& db, const FieldCrypto& crypto,
                                                             const std::string& normalized_id) {
  static const std::string sql = fmt::format("SELECT {} FROM {} WHERE e.id_number_bidx = ?", kElderCols, kElderFrom);
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  std::string bidx = crypto.blind_index("id_number", normalized_id);
  st->bind(1, Blob{bidx});
  return query_one<ElderRow>(std::move(st), read_elder);
}

Result<std::optional<ElderRow>> get_elder(Database& db, std::int64_t id) {
  auto r = get_elder_core(db, id);
  if (!r.ok() || !r->has_value()) return r;
  VNH_RETURN_IF_ERROR(load_children(db, **r));
  return r;
}

Result<std::vector<ElderRow>> search_elders(Database& db, const std::string& name_prefix, const std::string& id_tail,
                                            int limit) {
  std::string sql = fmt::format("SELECT {} FROM {} WHERE 1=1", kElderCols, kElderFrom);
  if (!name_prefix.empty()) sql += " AND e.name >= ?1 AND e.name < ?1 || x'f48fbfbf'";
  if (!id_tail.empty()) sql += " AND e.id_tail = ?2";
  sql += " ORDER BY e.status = 'active' DESC, e.name, e.id LIMIT ?3";
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  if (!name_prefix.empty()) st->bind(1, name_prefix);
  if (!id_tail.empty()) st->bind(2, id_tail);
  st->bind(3, limit);
  auto rows = query_all<ElderRow>(std::move(st), read_elder);
  if (!rows.ok()) return rows;
  for (auto& e : *rows) VNH_RETURN_IF_ERROR(load_children(db, e));
  return rows;
}

Result<ElderSecrets> decrypt_elder(Database& db, const FieldCrypto& crypto, std::int64_t id) {
  ElderSecrets out;
  auto st = db.prepare("SELECT id_number_enc, address_enc FROM elders WHERE id = ?");
  if (!st.ok()) return st.status();
  st->bind(1, id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return not_found("no such elder");
  auto idn = crypto.decrypt("elders.id_number", st->blob(0));
  if (!idn.ok()) return idn.status();
  out.id_number = *idn;
  if (!st->is_null(1)) {
    auto a = crypto.decrypt("elders.address", st->blob(1));
    if (!a.ok()) return a.status();
    out.address = *a;
  }
  auto ph = db.prepare("SELECT phone_enc FROM elder_phones WHERE elder_id = ? ORDER BY position");
  if (!ph.ok()) return ph.status();
  ph->bind(1, id);
  while (true) {
    auto r = ph->step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    auto p = crypto.decrypt("elder_phones.phone", ph->blob(0));
    if (!p.ok()) return p.status();
    out.phones.push_back(*p);
  }
  auto ct = db.prepare("SELECT name, relation, phone_enc FROM emergency_contacts WHERE elder_id = ? ORDER BY id");
  if (!ct.ok()) return ct.status();
  ct->bind(1, id);
  while (true) {
    auto r = ct->step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    auto p = crypto.decrypt("emergency_contacts.phone", ct->blob(2));
    if (!p.ok()) return p.status();
    out.contacts.push_back({ct->text(0), ct->text(1), *p});
  }
  return out;
}

Status require_active_elder(const ElderRow& e) {
  if (e.status == domain::ElderStatus::kDeceased || e.died_on) {
    return Status(Code::kFailedPrecondition, fmt::format("the elder died on {}", e.died_on.value_or("?")), "elder_id",
                  reason::kElderDeceased);
  }
  if (e.status != domain::ElderStatus::kActive) {
    return Status(Code::kFailedPrecondition, "the elder's registration is inactive", "elder_id", reason::kElderInactive);
  }
  return Status::Ok();
}

Result<std::optional<DeathRow>> get_death(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(
      "SELECT elder_id, died_on, source, reported_by, informant, note, recorded_at FROM deaths WHERE elder_id = ?");
  if (st.ok()) st->bind_all(elder_id);
  return query_one<DeathRow>(std::move(st), [](Statement& r) {
    return DeathRow{r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.int64(6)};
  });
}

Status put_death(Database& db, const DeathRow& d) {
  auto st = db.prepare(
      "INSERT OR REPLACE INTO deaths(elder_id, died_on, source, reported_by, informant, note, recorded_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(d.elder_id, d.died_on, d.source, d.reported_by, d.informant, d.note, d.recorded_at).run());
  auto up = db.prepare(
      "UPDATE elders SET status = 'deceased', status_reason = 'deceased', died_on = ?, updated_at = ? WHERE id = ?");
  if (!up.ok()) return up.status();
  return up->bind_all(d.died_on, d.recorded_at, d.elder_id).run();
}

Result<std::vector<ElderBirthday>> active_elder_birthdays(Database& db, const std::string& community_prefix) {
  auto st = db.prepare(
      "SELECT e.id, e.name, e.community_code, coalesce(a.name, ''), vnh_birth_date(e.id_number_enc), e.category, "
      "coalesce(c.flags, '') FROM elders e LEFT JOIN areas a ON a.code = e.community_code "
      "LEFT JOIN care_targets c ON c.elder_id = e.id WHERE e.status = 'active' "
      "AND (? = '' OR substr(e.community_code, 1, length(?)) = ?) ORDER BY e.community_code, e.id");
  if (st.ok()) st->bind_all(community_prefix, community_prefix, community_prefix);
  return query_all<ElderBirthday>(std::move(st), [](Statement& r) -> Result<ElderBirthday> {
    ElderBirthday b{r.int64(0), r.text(1), r.text(2), r.text(3), {}, ElderCategory::kC, 0};
    auto d = parse_date(r.text_view(4));
    if (!d.ok()) return internal(fmt::format("elder {} has a bad birth date", b.id));
    b.birth = *d;
    VNH_ASSIGN_OR_RETURN(b.category, enum_column(r, 5, parse_elder_category, "elders.category"));
    auto flags = parse_care_flags(r.text_view(6));
    if (!flags) return internal(fmt::format("elder {} has bad care flags", b.id));
    b.flags = *flags;
    return b;
  });
}

Status mark_entitlement_change(Database& db, std::int64_t elder_id, const std::string& day, const std::string& gains, TimeMs now) {
  auto st = db.prepare("INSERT OR IGNORE INTO entitlement_changes(elder_id, day, gains, created_at) VALUES (?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(elder_id, day, gains, now).run();
}

Result<std::optional<std::string>> entitlement_change_on(Database& db, std::int64_t elder_id, const std::string& day) {
  auto st = db.prepare("SELECT gains FROM entitlement_changes WHERE elder_id = ? AND day = ?");
  if (st.ok()) st->bind_all(elder_id, day);
  return query_one<std::string>(std::move(st), [](Statement& r) { return r.text(0); });
}

Result<domain::CareFlags> elder_care_flags(Database& db, std::int64_t id) {
  auto st = db.prepare("SELECT flags FROM care_targets WHERE elder_id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(id);
  VNH_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return domain::CareFlags{0};
  auto flags = domain::parse_care_flags(st->text_view(0));
  if (!flags) return internal(fmt::format("elder {} has bad care flags", id));
  return *flags;
}

}  // namespace vnh::store
