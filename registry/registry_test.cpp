// The elder and firm registers as services: no HTTP, a real database with the real
// migrations (tests/support/world.hpp).
#include <catch2/catch.hpp>

#include "registry/elders.hpp"
#include "registry/firms.hpp"
#include "store/audit.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
using domain::Actor;

namespace {

struct Rig {
  testing::World w;
  FakeClock clock{*parse_time("2026-11-23T09:00:00+08:00")};
  registry::Elders elders{w.policy, w.store->crypto(), clock};

  domain::ElderDraft draft(const std::string& id_number = "620102194501010015") {
    domain::ElderDraft d;
    d.id_number = id_number;
    d.name = "赵六";
    d.phones = {"139 0931 0001"};
    d.community_code = "620102001001";
    d.lat = 36.06;
    d.lon = 103.83;
    d.category = "C";
    d.registered_on = {2026, 11, 23};
    return d;
  }
  Result<std::int64_t> register_elder(const domain::ElderDraft& d) {
    std::optional<Result<std::int64_t>> out;
    Status st = w.tx([&](store::WriteTx& tx) {
      out.emplace(elders.register_elder(tx, d, {}, Actor::user("op1")));
      return out->status();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }
  std::string last_audit_action(const std::string& subject) {
    auto rows = store::list_audit(w.store->db(), subject, 1);
    REQUIRE(rows.ok());
    REQUIRE_FALSE(rows->empty());
    return rows->front().entry.action;
  }
};

}  // namespace

TEST_CASE("an elder is registered only in a known community, validated, and audited", "[registry][elders]") {
  Rig r;
  auto id = r.register_elder(r.draft());
  INFO(id.status().to_string());
  REQUIRE(id.ok());
  auto card = registry::load_card(r.w.store->db(), *id);
  REQUIRE(card.ok());
  CHECK(card->elder.name == "赵六");
  CHECK(card->elder.birth_date == "1945-01-01");  // derived from the ID number
  CHECK(card->elder.phones.at(0).masked.find('*') != std::string::npos);
  CHECK(card->open_tickets.empty());
  CHECK(r.last_audit_action("elder:" + store::elder_public_id(*id)) == "elder.register");
  SECTION("an unknown community is refused and nothing is written") {
    auto d = r.draft("620102194501020010");
    d.community_code = "620102009009";
    auto bad = r.register_elder(d);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == Code::kNotFound);
    CHECK(bad.status().field() == "community_code");
  }
  SECTION("the same ID number twice is refused") {
    CHECK_FALSE(r.register_elder(r.draft()).ok());
  }
}

TEST_CASE("a change applies only the fields it names and validates the whole again", "[registry][elders]") {
  Rig r;
  auto id = *r.register_elder(r.draft());
  registry::ElderChanges c;
  c.name = "赵六六";
  c.phones = std::vector<std::string>{"13800001111", "0931-8123456"};
  c.fields = {"name", "phones"};
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.elders.update(tx, id, c, Actor::user("op1")); }).ok());
  auto card = *registry::load_card(r.w.store->db(), id);
  CHECK(card.elder.name == "赵六六");
  CHECK(card.elder.community_code == "620102001001");
  CHECK(card.elder.phones.size() == 2);
  auto found = registry::cards_for_phone(r.w.store->db(), r.w.store->crypto(), "09318123456");
  REQUIRE(found.ok());
  bool listed = false;
  for (const auto& f : *found) listed = listed || f.elder.id == id;
  CHECK(listed);  // the landline now names this elder too
  auto audit = store::list_audit(r.w.store->db(), "elder:" + store::elder_public_id(id), 1);
  CHECK(audit->front().entry.detail == R"({"fields":["name","phones"]})");
  SECTION("a change that breaks a rule is refused and changes nothing") {
    registry::ElderChanges bad;
    bad.lat = 95.0;
    bad.fields = {"lat"};
    CHECK_FALSE(r.w.tx([&](store::WriteTx& tx) { return r.elders.update(tx, id, bad, Actor::user("op1")); }).ok());
    CHECK(registry::load_card(r.w.store->db(), id)->elder.lat == Approx(36.06));
  }
}

TEST_CASE("deactivation takes an elder out of intake until reactivated; reveal is audited", "[registry][elders]") {
  Rig r;
  auto id = *r.register_elder(r.draft());
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.elders.set_active(tx, id, false, "moved away", Actor::user("sup")); }).ok());
  auto card = *registry::load_card(r.w.store->db(), id);
  CHECK(card.elder.status == domain::ElderStatus::kInactive);
  CHECK(card.elder.status_reason == "moved away");
  CHECK(r.last_audit_action("elder:" + store::elder_public_id(id)) == "elder.deactivate");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.elders.set_active(tx, id, true, "back home", Actor::user("sup")); }).ok());
  CHECK(registry::load_card(r.w.store->db(), id)->elder.status == domain::ElderStatus::kActive);
  std::optional<store::ElderSecrets> secrets;
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
            auto s = r.elders.reveal(tx, id, "家属来电核实身份", Actor::user("sup"));
            if (s.ok()) secrets = *s;
            return s.status();
          }).ok());
  CHECK(secrets->id_number == "620102194501010015");
  CHECK(secrets->phones.at(0) == "13909310001");
  auto audit = store::list_audit(r.w.store->db(), "elder:" + store::elder_public_id(id), 1);
  CHECK(audit->front().entry.action == "elder.view_whole");
  CHECK(audit->front().entry.detail.find("家属来电核实身份") != std::string::npos);
  CHECK(registry::load_card(r.w.store->db(), 9999).status().code() == Code::kNotFound);
}

TEST_CASE("search goes by phone, whole ID number, or name and ID tail", "[registry][elders]") {
  Rig r;
  auto& db = r.w.store->db();
  const auto& crypto = r.w.store->crypto();
  registry::ElderQuery q;
  q.phone = "0931-8123456";
  auto by_phone = registry::search(db, crypto, q, r.w.policy);
  REQUIRE(by_phone.ok());
  CHECK(by_phone->size() == 2);  // 李四芳 and 王五 share the landline
  q = {};
  q.id_number = "62010219511015004X";
  CHECK(registry::search(db, crypto, q, r.w.policy)->at(0).name == "李四芳");
  q = {};
  q.id_tail = "004x";
  CHECK(registry::search(db, crypto, q, r.w.policy)->at(0).name == "李四芳");
  q = {};
  CHECK(registry::search(db, crypto, q, r.w.policy).status().field() == "phone");
  q.id_tail = "04";
  CHECK(registry::search(db, crypto, q, r.w.policy).status().field() == "id_tail");
}

TEST_CASE("a firm's status and token change through the register, audited", "[registry][firms]") {
  Rig r;
  const TimeMs now = r.clock.now_ms();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
            return registry::set_firm_status(tx, "F_MID", domain::FirmStatus::kSuspended, "资质年检未过",
                                             Actor::user("sup"), now);
          }).ok());
  auto d = registry::firm_detail(r.w.store->db(), "F_MID");
  REQUIRE(d.ok());
  CHECK(d->firm.status == domain::FirmStatus::kSuspended);
  CHECK(d->staff.size() == 1);
  CHECK(d->areas.size() == 3);
  CHECK(r.last_audit_action("firm:F_MID") == "firm.status");
  std::string token;
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
            auto t = registry::issue_firm_token(tx, "F_MID", Actor::user("admin"), now);
            if (t.ok()) token = *t;
            return t.status();
          }).ok());
  CHECK(token.size() == 43);
  CHECK(r.last_audit_action("firm:F_MID") == "firm.token_issue");
  CHECK(registry::firm_detail(r.w.store->db(), "F_NOPE").status().field() == "code");
  auto list = registry::list_firms(r.w.store->db(), *r.w.policy.tz, now);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 4);
  CHECK(list->front().firm.code == "F_FAR");
  CHECK(list->front().accepted_today == 0);
  CHECK_FALSE(list->front().last_score.has_value());
}
