#include "registry/elders.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cctype>

#include "common/identity.hpp"
#include "common/reasons.hpp"
#include "store/audit.hpp"
#include "store/reference.hpp"

namespace vnh::registry {
using namespace vnh::domain;

Result<ElderCard> load_card(store::Database& db, std::int64_t elder_id) {
  auto e = store::get_elder(db, elder_id);
  if (!e.ok()) return e.status();
  if (!*e) return not_found(fmt::format("no elder {}", store::elder_public_id(elder_id)), "elder_id");
  ElderCard card;
  card.elder = std::move(**e);
  VNH_ASSIGN_OR_RETURN(card.open_tickets, store::open_tickets_of_elder(db, elder_id));
  VNH_ASSIGN_OR_RETURN(card.recent_services, store::recent_completed_of_elder(db, elder_id, kRecentServices));
  return card;
}

Result<std::vector<ElderCard>> cards_for_phone(store::Database& db, const FieldCrypto& crypto, const std::string& phone) {
  auto ids = store::find_elders_by_phone(db, crypto, phone);
  if (!ids.ok()) return ids.status();
  std::vector<ElderCard> out;
  for (auto id : *ids) {
    auto card = load_card(db, id);
    if (card.status().code() == Code::kNotFound) continue;
    if (!card.ok()) return card.status();
    out.push_back(std::move(*card));
  }
  return out;
}

namespace {
Status add_elder(store::Database& db, std::int64_t id, std::vector<store::ElderRow>& rows) {
  auto e = store::get_elder(db, id);
  if (!e.ok()) return e.status();
  if (*e) rows.push_back(std::move(**e));
  return Status::Ok();
}
}  // namespace

Result<std::vector<store::ElderRow>> search(store::Database& db, const FieldCrypto& crypto, const ElderQuery& q,
                                            const Policy& policy) {
  std::vector<store::ElderRow> rows;
  if (q.phone) {
    VNH_ASSIGN_OR_RETURN(auto phone, normalize_phone(*q.phone, policy.default_area_code));
    VNH_ASSIGN_OR_RETURN(auto ids, store::find_elders_by_phone(db, crypto, phone));
    for (auto id : ids) VNH_RETURN_IF_ERROR(add_elder(db, id, rows));
    return rows;
  }
  if (q.id_number) {
    VNH_ASSIGN_OR_RETURN(auto idn, parse_id_number(*q.id_number));
    VNH_ASSIGN_OR_RETURN(auto id, store::find_elder_by_id_number(db, crypto, idn.normalized));
    if (id) VNH_RETURN_IF_ERROR(add_elder(db, *id, rows));
    return rows;
  }
  std::string tail = q.id_tail;
  for (auto& ch : tail) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (q.name.empty() && tail.empty()) return invalid("phone", "search by phone, id_number, name or id_tail");
  if (!tail.empty() && tail.size() != 4) return invalid("id_tail", "is the last 4 characters of the ID number");
  return store::search_elders(db, q.name, tail, q.limit);
}

Result<std::optional<AreaPoint>> area_point(store::Database& db, const std::string& code) {
  VNH_ASSIGN_OR_RETURN(auto area, store::find_area(db, code));
  if (!area) return not_found(fmt::format("unknown area {}", code), "community_code");
  for (int depth = 0; area && depth < 8; ++depth) {
    VNH_ASSIGN_OR_RETURN(auto c, store::area_centroid(db, area->code));
    if (c.elders > 0) return std::optional<AreaPoint>(AreaPoint{c.lat, c.lon, area->code, c.elders});
    if (!area->parent_code) break;
    VNH_ASSIGN_OR_RETURN(area, store::find_area(db, *area->parent_code));
  }
  return std::optional<AreaPoint>();
}

Status Elders::require_community(store::Database& db, const std::string& code) {
  auto area = store::find_area(db, code);
  if (!area.ok()) return area.status();
  if (!*area || (*area)->level != AreaLevel::kCommunity) {
    return not_found(fmt::format("unknown community {}", code), "community_code");
  }
  return Status::Ok();
}

Result<std::int64_t> Elders::register_elder(store::WriteTx& tx, const ElderDraft& draft,
                                            const std::vector<store::EmergencyContactInput>& contacts,
                                            const Actor& actor) {
  auto& db = tx.db();
  const TimeMs now = clock_.now_ms();
  VNH_ASSIGN_OR_RETURN(auto valid, validate_elder(draft, policy_, policy_.tz->local_date(now)));
  VNH_RETURN_IF_ERROR(require_community(db, valid.community_code));
  VNH_ASSIGN_OR_RETURN(auto id, store::insert_elder(db, crypto_, valid, now));
  if (!contacts.empty()) VNH_RETURN_IF_ERROR(store::replace_contacts(db, crypto_, id, contacts));
  VNH_RETURN_IF_ERROR(store::append_audit(db, now, {actor.name, "elder.register", "elder:" + store::elder_public_id(id), "{}"}));
  return id;
}

Status Elders::update(store::WriteTx& tx, std::int64_t elder_id, const ElderChanges& changes, const Actor& actor) {
  auto& db = tx.db();
  const TimeMs now = clock_.now_ms();
  auto cur = store::get_elder(db, elder_id);
  if (!cur.ok()) return cur.status();
  if (!*cur) return not_found("no such elder", "elder_id");
  VNH_ASSIGN_OR_RETURN(auto secrets, store::decrypt_elder(db, crypto_, elder_id));
  // Start from the stored values and apply the given fields, then validate the whole.
  ElderDraft d;
  d.id_number = secrets.id_number;
  d.name = changes.name.value_or((*cur)->name);
  d.phones = changes.phones.value_or(secrets.phones);
  d.community_code = changes.community_code.value_or((*cur)->community_code);
  d.lat = changes.lat.value_or((*cur)->lat);
  d.lon = changes.lon.value_or((*cur)->lon);
  d.category = changes.category.value_or(std::string(to_string((*cur)->category)));
  VNH_ASSIGN_OR_RETURN(d.registered_on, parse_date((*cur)->registered_on));
  d.address = changes.address.value_or(secrets.address);
  // Eligibility was checked at registration; an update must not re-judge it.
  Policy lenient = policy_;
  lenient.eligibility_min_age = 0;
  VNH_ASSIGN_OR_RETURN(auto valid, validate_elder(d, lenient, policy_.tz->local_date(now)));
  VNH_RETURN_IF_ERROR(store::update_elder(db, crypto_, elder_id, valid, now));
  if (changes.contacts) VNH_RETURN_IF_ERROR(store::replace_contacts(db, crypto_, elder_id, *changes.contacts));
  boost::json::array fields;
  for (const auto& f : changes.fields) fields.push_back(boost::json::value(f));
  return store::append_audit(db, now,
                             {actor.name, "elder.update", "elder:" + store::elder_public_id(elder_id),
                              boost::json::serialize(boost::json::object{{"fields", fields}})});
}

Status Elders::set_active(store::WriteTx& tx, std::int64_t elder_id, bool active, const std::string& reason,
                          const Actor& actor) {
  auto& db = tx.db();
  auto cur = store::get_elder(db, elder_id);
  if (!cur.ok()) return cur.status();
  if (!*cur) return not_found("no such elder", "elder_id");
  if ((*cur)->status == ElderStatus::kDeceased) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} died on {}", store::elder_public_id(elder_id), (*cur)->died_on.value_or("?")),
                  "elder_id", reason::kElderDeceased);
  }
  const TimeMs now = clock_.now_ms();
  VNH_RETURN_IF_ERROR(
      store::set_elder_status(db, elder_id, active ? ElderStatus::kActive : ElderStatus::kInactive, reason, now));
  return store::append_audit(db, now,
                             {actor.name, active ? "elder.reactivate" : "elder.deactivate",
                              "elder:" + store::elder_public_id(elder_id), store::json_detail({{"reason", reason}})});
}

Result<store::ElderSecrets> Elders::reveal(store::WriteTx& tx, std::int64_t elder_id, const std::string& reason,
                                           const Actor& actor) {
  VNH_ASSIGN_OR_RETURN(auto secrets, store::decrypt_elder(tx.db(), crypto_, elder_id));
  VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), clock_.now_ms(),
                                          {actor.name, "elder.view_whole", "elder:" + store::elder_public_id(elder_id),
                                           store::json_detail({{"reason", reason}})}));
  return secrets;
}

}  // namespace vnh::registry
