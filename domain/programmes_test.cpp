#include <catch2/catch.hpp>

#include "domain/policy.hpp"
#include "domain/programmes.hpp"

using namespace vnh;
using namespace vnh::domain;

namespace {

Programme minutes_from_80() {
  Programme p;
  p.code = "SY_80";
  p.name = "高龄老人免费服务";
  p.unit = GrantUnit::kMinutes;
  p.monthly = 180;
  p.min_age = 80;
  p.item_categories = {Category::kLifeCare};
  return p;
}

Programme b_credit() { return Policy::default_programmes()[0]; }

const Date kOct15{2026, 10, 15};

}  // namespace

TEST_CASE("a minutes grant covers tickets whole while it lasts, then the share its minutes cover", "[programmes]") {
  std::vector<Programme> ps{minutes_from_80()};
  GrantLedger ledger(ps);
  GrantHolder elder{ElderCategory::kC, {1940, 3, 1}, 0};  // 86
  // 4000 fen for a 60-minute clean: the first two are covered whole (60 + 60 minutes used).
  auto a = ledger.draw(1, elder, kOct15, Category::kLifeCare, 4000, 60);
  auto b = ledger.draw(1, elder, kOct15, Category::kLifeCare, 4000, 60);
  CHECK(a.covered == 4000);
  CHECK(b.covered == 4000);
  REQUIRE(b.draws.size() == 1);
  CHECK(b.draws[0].used == 60);
  // 60 minutes left for a 90-minute bath at 6000 fen: 60/90 of the price = 4000 fen.
  auto c = ledger.draw(1, elder, kOct15, Category::kLifeCare, 6000, 90);
  CHECK(c.covered == 4000);
  CHECK(c.draws[0].used == 60);
  // Nothing left: the elder is in the programme but it covers nothing more.
  auto d = ledger.draw(1, elder, kOct15, Category::kLifeCare, 4000, 60);
  CHECK(d.covered == 0);
  CHECK(d.in_any);
  CHECK(d.draws.empty());
  auto bal = ledger.balances(1, elder, kOct15);
  REQUIRE(bal.size() == 1);
  CHECK(bal[0].used == 180);
  CHECK(bal[0].left == 0);

  SECTION("a part of the price is rounded down to the fen") {
    GrantLedger l2(ps);
    l2.draw(2, elder, kOct15, Category::kLifeCare, 4000, 160);  // 160 of 180 minutes
    // 20 minutes of a 45-minute item at 5000 fen: 20 × 5000 / 45 = 2222.2… → 2222.
    auto e = l2.draw(2, elder, kOct15, Category::kLifeCare, 5000, 45);
    CHECK(e.covered == 2222);
    CHECK(e.draws[0].used == 20);
  }
  SECTION("it pays only for the item categories it names") {
    GrantLedger l3(ps);
    auto m = l3.draw(3, elder, kOct15, Category::kMedicalCare, 4000, 60);
    CHECK(m.covered == 0);
    CHECK_FALSE(m.in_any);
  }
}

TEST_CASE("two programmes are drawn in the policy's order, the second covering what the first left", "[programmes]") {
  std::vector<Programme> ps{b_credit(), minutes_from_80()};
  GrantLedger ledger(ps);
  GrantHolder elder{ElderCategory::kB, {1944, 1, 1}, 0};  // B, 82
  // 6000 fen, 60 minutes: B's 5000, then 1000 fen = 10 of the 80-plus minutes.
  auto a = ledger.draw(7, elder, kOct15, Category::kLifeCare, 6000, 60);
  CHECK(a.covered == 6000);
  REQUIRE(a.draws.size() == 2);
  CHECK(a.draws[0].covered == 5000);
  CHECK(a.draws[1].covered == 1000);
  CHECK(a.draws[1].used == 10);
  CHECK(programme_codes(ps, a) == "B_credit+SY_80");
  // B is used up: a 3000-fen 30-minute visit comes from the minutes alone.
  auto b = ledger.draw(7, elder, kOct15, Category::kLifeCare, 3000, 30);
  CHECK(b.covered == 3000);
  REQUIRE(b.draws.size() == 1);
  CHECK(programme_codes(ps, b) == "SY_80");
  auto bal = ledger.balances(7, elder, kOct15);
  REQUIRE(bal.size() == 2);
  CHECK(bal[0].left == 0);
  CHECK(bal[1].used == 40);
  CHECK(bal[1].left == 140);
  // A preview of the next ticket draws nothing.
  auto p = ledger.preview(7, elder, kOct15, Category::kLifeCare, 12000, 120);
  CHECK(p.covered == 12000);
  CHECK(ledger.balances(7, elder, kOct15)[1].left == 140);
}

TEST_CASE("a fen grant runs out part-way through a ticket and then covers nothing", "[programmes]") {
  std::vector<Programme> ps{b_credit()};
  GrantLedger ledger(ps);
  GrantHolder b{ElderCategory::kB, {1950, 1, 1}, 0};
  CHECK(ledger.draw(1, b, kOct15, Category::kLifeCare, 3200, 60).covered == 3200);  // firm 1
  CHECK(ledger.draw(1, b, kOct15, Category::kMedicalCare, 3200, 60).covered == 1800);  // firm 2: what is left
  CHECK(ledger.draw(1, b, kOct15, Category::kLifeCare, 2000, 60).covered == 0);
  // Another elder has a grant of their own; a C elder none.
  CHECK(ledger.draw(2, b, kOct15, Category::kLifeCare, 3200, 60).covered == 3200);
  GrantHolder c{ElderCategory::kC, {1950, 1, 1}, 0};
  CHECK_FALSE(ledger.draw(3, c, kOct15, Category::kLifeCare, 3200, 60).in_any);
}

TEST_CASE("an elder turning 80 mid-month is in the programme from the birthday, with the whole month's grant",
          "[programmes]") {
  std::vector<Programme> ps{minutes_from_80()};
  GrantLedger ledger(ps);
  GrantHolder elder{ElderCategory::kC, {1946, 10, 15}, 0};
  CHECK(ledger.balances(1, elder, {2026, 10, 14}).empty());
  CHECK(ledger.draw(1, elder, {2026, 10, 14}, Category::kLifeCare, 4000, 60).covered == 0);
  auto on = ledger.draw(1, elder, {2026, 10, 15}, Category::kLifeCare, 4000, 60);
  CHECK(on.covered == 4000);
  auto bal = ledger.balances(1, elder, {2026, 10, 31});
  REQUIRE(bal.size() == 1);
  CHECK(bal[0].left == 120);
}

TEST_CASE("care flags and categories decide who is in a programme", "[programmes]") {
  Programme p;
  p.code = "TS_hardship";
  p.unit = GrantUnit::kFen;
  p.monthly = 10000;
  p.care_flags = care_flag_bit(CareFlag::kLowIncome) | care_flag_bit(CareFlag::kSpecialFamily);
  CHECK(p.includes(ElderCategory::kC, 70, care_flag_bit(CareFlag::kLowIncome) | care_flag_bit(CareFlag::kLivesAlone)));
  CHECK_FALSE(p.includes(ElderCategory::kC, 70, care_flag_bit(CareFlag::kLivesAlone)));
  CHECK_FALSE(p.includes(ElderCategory::kC, 70, 0));
  p.categories = {ElderCategory::kA};
  CHECK_FALSE(p.includes(ElderCategory::kC, 70, care_flag_bit(CareFlag::kLowIncome)));
  CHECK(parse_care_flags("lives_alone|low_income") ==
        (care_flag_bit(CareFlag::kLivesAlone) | care_flag_bit(CareFlag::kLowIncome)));
  CHECK_FALSE(parse_care_flags("lives_alone|lives_alone"));
  CHECK_FALSE(parse_care_flags("alone"));
  CHECK(format_care_flags(care_flag_bit(CareFlag::kLowIncome) | care_flag_bit(CareFlag::kLivesAlone)) ==
        "lives_alone|low_income");
}

TEST_CASE("the policy reads programmes, and the first version's credit as the one programme", "[programmes][policy]") {
  SECTION("[[programmes]]") {
    auto p = load_policy(R"(
[[programmes]]
code = "B_credit"
name = "重点优抚服务额度"
monthly = 5000
categories = ["B"]

[[programmes]]
code = "SY_80"
name = "高龄老人免费服务"
unit = "minutes"
monthly = 180
min_age = 80
care_flags = ["lives_alone"]
item_categories = ["life_care"]
)",
                         "p.toml");
    REQUIRE(p.ok());
    REQUIRE(p->programmes.size() == 2);
    CHECK(p->programmes[1].unit == GrantUnit::kMinutes);
    CHECK(p->programmes[1].min_age == 80);
    CHECK(p->programmes[1].care_flags == care_flag_bit(CareFlag::kLivesAlone));
  }
  SECTION("the legacy credit") {
    auto p = load_policy("[subsidy]\ncredit_categories = [\"B\", \"C\"]\nmonthly_credit_fen = 3000\n", "old.toml");
    REQUIRE(p.ok());
    REQUIRE(p->programmes.size() == 1);
    CHECK(p->programmes[0].monthly == 3000);
    CHECK(p->programmes[0].categories.size() == 2);
  }
  SECTION("none at all") {
    auto p = load_policy("programmes = []\n", "none.toml");
    REQUIRE(p.ok());
    CHECK(p->programmes.empty());
  }
  SECTION("errors say where") {
    auto both = load_policy("[subsidy]\nmonthly_credit_fen = 3000\n[[programmes]]\ncode = \"X\"\nname = \"x\"\nmonthly = 1\n", "b.toml");
    REQUIRE_FALSE(both.ok());
    CHECK_THAT(both.status().message(), Catch::Contains("b.toml:") && Catch::Contains("remove them from [subsidy]"));
    auto unit = load_policy("[[programmes]]\ncode = \"X\"\nname = \"x\"\nunit = \"hours\"\nmonthly = 1\n", "u.toml");
    REQUIRE_FALSE(unit.ok());
    CHECK_THAT(unit.status().message(), Catch::Contains("u.toml:4:") && Catch::Contains("programmes.unit"));
    auto dup = load_policy("[[programmes]]\ncode = \"X\"\nname = \"x\"\nmonthly = 1\n[[programmes]]\ncode = \"X\"\nname = \"y\"\nmonthly = 2\n", "d.toml");
    REQUIRE_FALSE(dup.ok());
    CHECK_THAT(dup.status().message(), Catch::Contains("two programmes"));
    auto flag = load_policy("[[programmes]]\ncode = \"X\"\nname = \"x\"\nmonthly = 1\ncare_flags = [\"alone\"]\n", "f.toml");
    REQUIRE_FALSE(flag.ok());
    CHECK_THAT(flag.status().message(), Catch::Contains("lives_alone"));
    auto monthly = load_policy("[[programmes]]\ncode = \"X\"\nname = \"x\"\n", "m.toml");
    REQUIRE_FALSE(monthly.ok());
    CHECK_THAT(monthly.status().message(), Catch::Contains("monthly"));
  }
}
