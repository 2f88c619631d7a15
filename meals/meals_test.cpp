// The meal rules of SPEC §12 by hand: the default rules at the age edges on the birthday, the
// fully funded categories, breakfast without a subsidy, one subsidised lunch per day across
// canteens and meal tickets, cards that stop working, and the counter's refusals.
#include <catch2/catch.hpp>

#include "meals/meals.hpp"
#include "store/meals.hpp"
#include "store/query.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
using namespace vnh::domain;

namespace {

// The World's district plus two canteens and cards for its three elders:
// 张三明 (A, born 1958-10-10), 李四芳 (B, born 1951-10-15), 王五 (C, born 1938-06-20).
struct MealWorld : testing::World {
  MealWorld() {
    import_time = *parse_time("2026-11-30T12:00:00+08:00");
    load(importer::Kind::kCanteens,
         "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n"
         "K1,畅家巷助餐点,F_NEAR,620102001001,36.0600,103.8300,active,1,200\r\n"
         "K2,金塔巷助餐点,,620102002001,36.0610,103.8310,active,0,100\r\n"
         "K3,停业助餐点,,620102002001,36.0610,103.8310,suspended,0,100\r\n");
    load(importer::Kind::kMealCards,
         "card_no,id_number,issued_on,status\r\n"
         "C0001,620102195810100019,2026-01-10,active\r\n"
         "C0002,62010219511015004X,2026-01-10,active\r\n"
         "C0003,620102193806200050,2026-01-10,lost\r\n");
  }
  meals::Diner diner(const std::string& card) {
    auto d = meals::identify(store->db(), store->crypto(), {card, std::nullopt, false}, at("2026-10-20T11:00:00+08:00"),
                             *policy.tz);
    INFO(d.status().to_string());
    REQUIRE(d.ok());
    return *d;
  }
  static TimeMs at(const char* iso) { return *parse_time(iso); }
  std::int64_t canteen(const char* code) { return (*store::find_canteen(store->db(), code))->id; }
  // Quotes and records a meal as the counter does.
  store::MealRow eat(const meals::Diner& d, const char* canteen_code, MealSlot slot, const char* when,
                     std::optional<Fen> price = std::nullopt) {
    auto q = meals::quote(store->db(), policy, d, slot, price, at(when));
    REQUIRE(q.ok());
    auto m = meals::record(store->db(), d, *q, {canteen(canteen_code), MealMode::kDineIn, at(when), "test", at(when)});
    REQUIRE(m.ok());
    return *m;
  }
};

}  // namespace

TEST_CASE("the default lunch rules at the age edges, on the birthday", "[meals][rules]") {
  const Policy p = *load_policy(data::default_policy_text(), "policy.toml");
  const auto& m = p.meals;
  // Born 1951-10-15: 74 until 2026-10-14, 75 from the birthday on.
  Date birth{1951, 10, 15};
  CHECK(m.split(MealSlot::kLunch, ElderCategory::kC, age_on(birth, {2026, 10, 14}), 1500).government == 900);
  CHECK(m.split(MealSlot::kLunch, ElderCategory::kC, age_on(birth, {2026, 10, 15}), 1500).government == 1000);
  // Born 1961-10-15: 64 the day before, 65 on the birthday.
  Date young{1961, 10, 15};
  auto s64 = m.split(MealSlot::kLunch, ElderCategory::kC, age_on(young, {2026, 10, 14}), 1500);
  CHECK(s64.government == 0);
  CHECK(s64.elder == 1500);
  CHECK(s64.rule == "no_rule");
  auto s65 = m.split(MealSlot::kLunch, ElderCategory::kB, age_on(young, {2026, 10, 15}), 1500);
  CHECK(s65.government == 900);
  CHECK(s65.elder == 600);
  CHECK(s65.rule == "lunch_65_74");
  CHECK(m.split(MealSlot::kLunch, ElderCategory::kC, 74, 1500).elder == 600);
  auto s75 = m.split(MealSlot::kLunch, ElderCategory::kC, 75, 1500);
  CHECK(s75.elder == 500);
  CHECK(s75.rule == "lunch_75_up");
  // A and D: the whole price, whatever it is; the rule is capped at a cheaper price.
  auto a = m.split(MealSlot::kLunch, ElderCategory::kA, 66, 1500);
  CHECK(a.government == 1500);
  CHECK(a.elder == 0);
  CHECK(a.rule == "lunch_A_D_full");
  CHECK(m.split(MealSlot::kLunch, ElderCategory::kD, 90, 1800).government == 1800);
  CHECK(m.split(MealSlot::kLunch, ElderCategory::kC, 80, 800).government == 800);
  // No breakfast or dinner subsidy by default, not even for A.
  CHECK(m.split(MealSlot::kBreakfast, ElderCategory::kA, 80, 600).government == 0);
  CHECK(m.split(MealSlot::kDinner, ElderCategory::kC, 80, 1500).government == 0);
  CHECK(m.price_of(MealSlot::kLunch) == 1500);
  CHECK(m.free_delivery_for(ElderCategory::kD));
  CHECK_FALSE(m.free_delivery_for(ElderCategory::kA));
}

TEST_CASE("meal rules in a policy: first match wins, errors name the key", "[meals][policy]") {
  auto p = load_policy(
      "[meals]\noperating_subsidy_fen = 200\noverride_alert_share = 0.1\norder_cutoff = \"16:30\"\n"
      "[meals.prices]\nbreakfast = 500\n"
      "[[meals.rules]]\nslot = \"breakfast\"\nmin_age = 80\nfen = 300\nname = \"早餐高龄\"\n"
      "[[meals.rules]]\nslot = \"breakfast\"\nfen = 100\n",
      "p.toml");
  INFO(p.status().to_string());
  REQUIRE(p.ok());
  CHECK(p->meals.split(MealSlot::kBreakfast, ElderCategory::kC, 85, 500).government == 300);
  CHECK(p->meals.split(MealSlot::kBreakfast, ElderCategory::kC, 85, 500).rule == "早餐高龄");
  CHECK(p->meals.split(MealSlot::kBreakfast, ElderCategory::kC, 70, 500).government == 100);
  CHECK(p->meals.split(MealSlot::kLunch, ElderCategory::kA, 70, 1500).government == 0);  // rules replaced whole
  CHECK(p->meals.operating_subsidy_fen == 200);
  CHECK(p->meals.override_alert_share == 1000);
  CHECK(p->meals.order_cutoff_min == 16 * 60 + 30);
  CHECK(p->meals.price_of(MealSlot::kBreakfast) == 500);

  auto both = load_policy("[[meals.rules]]\nslot = \"lunch\"\nshare = \"full\"\nfen = 3\n", "q.toml");
  REQUIRE_FALSE(both.ok());
  CHECK(both.status().message().find("q.toml:") == 0);
  auto slot = load_policy("[[meals.rules]]\nslot = \"supper\"\nfen = 3\n", "q.toml");
  REQUIRE_FALSE(slot.ok());
  CHECK(slot.status().message().find("meals.rules.slot") != std::string::npos);
  auto none = load_policy("[[meals.rules]]\nslot = \"lunch\"\n", "q.toml");
  REQUIRE_FALSE(none.ok());
  auto cutoff = load_policy("[meals]\norder_cutoff = \"25:00\"\n", "q.toml");
  REQUIRE_FALSE(cutoff.ok());
  CHECK(cutoff.status().message().find("meals.order_cutoff") != std::string::npos);
  // The first version's meal bands still load (a policy recorded with an old run), as lunch
  // rules after the fully funded categories.
  auto legacy = load_policy("[subsidy]\nmeal_bands = [{min_age = 65, max_age = 74, fen = 900}, {min_age = 75, fen = 1000}]\n",
                            "old.toml");
  REQUIRE(legacy.ok());
  CHECK(legacy->meals.split(MealSlot::kLunch, ElderCategory::kA, 70, 1500).government == 1500);
  CHECK(legacy->meals.split(MealSlot::kLunch, ElderCategory::kC, 70, 1500).government == 900);
  CHECK(legacy->meals.split(MealSlot::kBreakfast, ElderCategory::kC, 70, 600).government == 0);
  auto mixed = load_policy(
      "[subsidy]\nmeal_bands = [{min_age = 65, fen = 900}]\n[[meals.rules]]\nslot = \"lunch\"\nfen = 1\n", "m.toml");
  REQUIRE_FALSE(mixed.ok());
}

TEST_CASE("one subsidised lunch a day, across canteens", "[meals]") {
  MealWorld w;
  auto li = w.diner("C0002");  // B, 75 on 2026-10-15
  auto first = w.eat(li, "K1", MealSlot::kLunch, "2026-10-20T11:05:00+08:00");
  CHECK(first.government_fen == 1000);
  CHECK(first.elder_fen == 500);
  CHECK(first.takes_place);
  CHECK(first.rule == "lunch_75_up");
  // A second lunch at another canteen the same day: full price.
  auto second = w.eat(li, "K2", MealSlot::kLunch, "2026-10-20T12:40:00+08:00");
  CHECK(second.government_fen == 0);
  CHECK(second.elder_fen == 1500);
  CHECK(second.rule == "second_meal");
  CHECK_FALSE(second.takes_place);
  // A breakfast the same day is unsubsidised but does not touch the lunch.
  auto breakfast = w.eat(li, "K1", MealSlot::kBreakfast, "2026-10-21T07:30:00+08:00", 600);
  CHECK(breakfast.government_fen == 0);
  CHECK(breakfast.rule == "no_rule");
  // The next business day starts at midnight in Asia/Shanghai (16:00 UTC).
  auto next = w.eat(li, "K2", MealSlot::kLunch, "2026-10-20T16:00:00Z");
  CHECK(next.day == Date{2026, 10, 21});
  CHECK(next.government_fen == 1000);
  // The day before the 75th birthday: 900.
  auto before = w.eat(li, "K1", MealSlot::kLunch, "2026-10-14T11:00:00+08:00");
  CHECK(before.government_fen == 900);
}

TEST_CASE("a lunch ticket checked out first takes the day's subsidy from a canteen lunch", "[meals][tickets]") {
  MealWorld w;
  w.load(importer::Kind::kTickets,
         "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
         "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n"
         "T1,62010219511015004X,LC001,F_NEAR,normal,2026-10-22T10:00:00+08:00,2026-10-22T12:00:00+08:00,"
         "2026-10-21T09:00:00+08:00,2026-10-22T10:40:00+08:00,36.0600,103.8300,2026-10-22T11:00:00+08:00,36.0600,"
         "103.8300,N1,completed\r\n");
  auto li = w.diner("C0002");
  // The same second as the ticket's check-out: the canteen meal goes first.
  auto same_second = w.eat(li, "K1", MealSlot::kLunch, "2026-10-22T11:00:00.500+08:00");
  CHECK(same_second.government_fen == 1000);
  CHECK(same_second.takes_place);
  // The next day the ticket is earlier: the canteen lunch is a second meal.
  w.load(importer::Kind::kTickets,
         "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
         "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n"
         "T2,62010219511015004X,LC001,F_NEAR,normal,2026-10-23T10:00:00+08:00,2026-10-23T12:00:00+08:00,"
         "2026-10-22T09:00:00+08:00,2026-10-23T10:40:00+08:00,36.0600,103.8300,2026-10-23T11:00:00+08:00,36.0600,"
         "103.8300,N1,completed\r\n");
  auto after = w.eat(li, "K1", MealSlot::kLunch, "2026-10-23T11:00:01+08:00");
  CHECK(after.government_fen == 0);
  CHECK(after.rule == "second_meal");
}

TEST_CASE("cards: a lost card stops at once, an ID number is an override", "[meals][cards]") {
  MealWorld w;
  auto lost = meals::identify(w.store->db(), w.store->crypto(), {"C0003", std::nullopt, false},
                              MealWorld::at("2026-10-20T11:00:00+08:00"), *w.policy.tz);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.status().reason() == "card_not_active");
  auto unknown = meals::identify(w.store->db(), w.store->crypto(), {"C9999", std::nullopt, false},
                                 MealWorld::at("2026-10-20T11:00:00+08:00"), *w.policy.tz);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().reason() == "unknown_card");
  CHECK(unknown.status().code() == Code::kNotFound);

  // 张三明's card reported lost at 12:00: it worked at 11:59, not at 12:00.
  auto card = *store::find_meal_card(w.store->db(), "C0001");
  REQUIRE(store::set_meal_card_status(w.store->db(), card->id, CardStatus::kLost, MealWorld::at("2026-10-20T12:00:00+08:00")).ok());
  CHECK(meals::identify(w.store->db(), w.store->crypto(), {"C0001", std::nullopt, false},
                        MealWorld::at("2026-10-20T11:59:00+08:00"), *w.policy.tz)
            .ok());
  auto after = meals::identify(w.store->db(), w.store->crypto(), {"C0001", std::nullopt, false},
                               MealWorld::at("2026-10-20T12:00:00+08:00"), *w.policy.tz);
  REQUIRE_FALSE(after.ok());
  CHECK(after.status().reason() == "card_not_active");

  // The staff types the ID number instead: recorded, flagged as an override.
  auto typed = meals::identify(w.store->db(), w.store->crypto(), {std::nullopt, "620102195810100019", false},
                               MealWorld::at("2026-10-20T12:10:00+08:00"), *w.policy.tz);
  REQUIRE(typed.ok());
  CHECK(typed->identified_by == IdentifiedBy::kIdNumber);
  auto q = meals::quote(w.store->db(), w.policy, *typed, MealSlot::kLunch, std::nullopt,
                        MealWorld::at("2026-10-20T12:10:00+08:00"));
  REQUIRE(q.ok());
  CHECK(q->split.government == 1500);  // A: the whole lunch
  CHECK(q->flags == std::vector<std::string>{"override"});
}

TEST_CASE("the counter refuses a closed canteen and an inactive or deceased elder", "[meals][counter]") {
  MealWorld w;
  auto k3 = *store::find_canteen(w.store->db(), "K3");
  auto k1 = *store::find_canteen(w.store->db(), "K1");
  auto li = w.diner("C0002");
  auto closed = meals::counter_allows(*k3, li.elder);
  CHECK(closed.reason() == "canteen_not_active");
  CHECK(meals::counter_allows(*k1, li.elder).ok());
  REQUIRE(w.store->db().exec("UPDATE elders SET died_on = '2026-10-18' WHERE id = " + std::to_string(li.elder.id)).ok());
  auto dead = w.diner("C0002");
  CHECK(meals::counter_allows(*k1, dead.elder).reason() == "elder_deceased");
  REQUIRE(w.store->db().exec("UPDATE elders SET died_on = NULL, status = 'inactive' WHERE id = " +
                             std::to_string(li.elder.id)).ok());
  CHECK(meals::counter_allows(*k1, w.diner("C0002").elder).reason() == "elder_inactive");
}

TEST_CASE("imports refuse bad canteens, cards and meals with file:line: column", "[meals][import]") {
  MealWorld w;
  auto bad = [&](importer::Kind k, const std::string& csv) {
    importer::ImportContext ctx{w.policy, w.store->crypto(), w.import_time, "import", "bad"};
    auto r = importer::import_csv(w.store->db(), k, csv, ctx);
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->ok());
    return r->format_errors("bad.csv");
  };
  CHECK(bad(importer::Kind::kCanteens,
            "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n"
            "K9,x,F_NOPE,620102001,36,103,open,2,0\r\n")
            .find("bad.csv:2: firm_code: unknown firm 'F_NOPE'") != std::string::npos);
  std::string two_active = bad(importer::Kind::kMealCards,
                               "card_no,id_number,issued_on,status\r\nC0009,620102195810100019,2026-01-10,active\r\n");
  CHECK(two_active.find("bad.csv:2: status: the elder already has an active card C0001") != std::string::npos);
  std::string meal = bad(importer::Kind::kMeals,
                         "canteen_code,id_number,slot,served_at,mode,price_fen,identified_by\r\n"
                         "K1,620102195810100019,lunch,2026-10-20T11:00:00+08:00,dine_in,1500,card\r\n"
                         "K7,620102195810100019,tea,2026-10-20T11:00:00,eat,-1,face\r\n");
  CHECK(meal.find("bad.csv:3: canteen_code: unknown canteen 'K7'") != std::string::npos);
  CHECK(meal.find("bad.csv:3: slot:") != std::string::npos);
  CHECK(meal.find("bad.csv:3: served_at:") != std::string::npos);
  CHECK(meal.find("bad.csv:3: identified_by:") != std::string::npos);
  // Nothing of the file was written, not even its good first row.
  CHECK(*store::query_int(w.store->db().prepare("SELECT count(*) FROM meals")) == 0);
  // A catalog's meal slot only for a meal item.
  CHECK(bad(importer::Kind::kCatalog,
            "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal,meal_slot\r\n"
            "X1,助浴,life_care,次,800,1000,30,0,lunch\r\n")
            .find("bad.csv:2: meal_slot: must be empty") != std::string::npos);
}
