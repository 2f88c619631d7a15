#pragma once
// Fixtures for unit tests on a real database file with the real migrations:
//  - TestStore: an empty store (no writer thread, synchronous=OFF), the default policy, CSV
//    loading through the real importer, a transaction helper like one Writer job; and the
//    worked month of tests/data/month-2026-10 (load_month_sample).
//  - World: a TestStore with a small hand-made district for the ticket flow: one street with
//    two communities, three firms at known distances from the elders, staff, a few catalog
//    items.
// Everything goes through the real importer, so tests exercise the real schema and rules.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

#include "data/embedded.hpp"
#include "domain/policy.hpp"
#include "importer/importer.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace vnh::testing {

struct TestStore {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  domain::Policy policy = *domain::load_policy(data::default_policy_text(), "policy.toml");
  // The time imports are stamped with.
  TimeMs import_time = 1'790'000'000'000;

  explicit TestStore(const std::string& file = "w.db") {
    store::StoreOptions o;
    o.path = dir.file(file);
    o.start_writer = false;
    o.open.synchronous = "OFF";
    store = std::move(*store::Store::open(o));
  }

  // Loads one CSV kind; every row must be accepted.
  void load(importer::Kind k, const std::string& csv, const std::string& file = "world") {
    importer::ImportContext ctx{policy, store->crypto(), import_time, "import", file};
    auto r = importer::import_csv(store->db(), k, csv, ctx);
    REQUIRE(r.ok());
    INFO(r->format_errors(file + ".csv"));
    REQUIRE(r->ok());
  }

  // The worked month of tests/data/month-2026-10: every kind in dependency order, or those
  // up to and including `last`.
  void load_month_sample(std::optional<importer::Kind> last = std::nullopt) {
    using importer::Kind;
    for (auto [k, f] : {std::pair{Kind::kAreas, "areas.csv"}, {Kind::kCatalog, "catalog.csv"},
                        {Kind::kElders, "elders.csv"}, {Kind::kFirms, "firms.csv"}, {Kind::kFirmAreas, "firm-areas.csv"},
                        {Kind::kStaff, "staff.csv"}, {Kind::kTickets, "tickets.csv"}, {Kind::kCallbacks, "callbacks.csv"},
                        {Kind::kComplaints, "complaints.csv"}, {Kind::kInspections, "inspections.csv"},
                        {Kind::kCanteens, "canteens.csv"}, {Kind::kMealCards, "meal-cards.csv"}, {Kind::kMeals, "meals.csv"}}) {
      load(k, month_sample(f), f);
      if (k == last) return;
    }
  }
  static std::string month_sample(const std::string& name) {
    return slurp(std::string(VNH_SOURCE_DIR) + "/tests/data/month-2026-10/" + name);
  }

  // Runs `f` in a transaction on the store's database (like one Writer job).
  template <class F>
  Status tx(F&& f) {
    return store::run_transaction(store->db(), [&](store::WriteTx& t) { return f(t); });
  }
};

struct World : TestStore {
  World() {
    // Elders live at (36.0600, 103.8300). F_NEAR is ~1.1 km away, F_MID ~3.3 km, F_FAR ~8.9 km.
    load(importer::Kind::kAreas,
         "code,name,parent_code,level\r\n620102,城关区,,district\r\n620102001,酒泉路街道,620102,street\r\n"
         "620102001001,畅家巷社区,620102001,community\r\n620102001002,张家园社区,620102001,community\r\n"
         "620102002,张掖路街道,620102,street\r\n620102002001,金塔巷社区,620102002,community\r\n");
    load(importer::Kind::kCatalog,
         "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\n"
         "LC001,老年助餐午餐,life_care,份,1500,1900,20,1\r\nLC010,助浴,life_care,次,4800,6000,60,0\r\n"
         "MC001,测量血压,medical_care,次,800,1000,15,0\r\nEA001,跌倒应急救助,emergency_aid,次,6400,8000,45,0\r\n");
    load(importer::Kind::kElders,
         "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n"
         "620102195810100019,张三明,13970241505,620102001001,36.0600,103.8300,A,2026-01-05\r\n"
         "62010219511015004X,李四芳,13955650450|0931-8123456,620102001002,36.0600,103.8300,B,2026-01-05\r\n"
         "620102193806200050,王五,0931-8123456,620102002001,36.0600,103.8300,C,2026-01-05\r\n");
    load(importer::Kind::kFirms,
         "code,name,base_lat,base_lon,daily_capacity,status\r\n"
         "F_NEAR,近邻家政,36.0700,103.8300,2,active\r\nF_MID,中和护理,36.0900,103.8300,50,active\r\n"
         "F_FAR,远方养老,36.1400,103.8300,50,active\r\nF_OFF,停业企业,36.0600,103.8300,50,suspended\r\n");
    load(importer::Kind::kFirmAreas,
         "firm_code,area_code,category\r\nF_NEAR,620102001,life_care\r\nF_NEAR,620102001,emergency_aid\r\n"
         "F_MID,620102,life_care\r\nF_MID,620102,medical_care\r\nF_MID,620102,emergency_aid\r\n"
         "F_FAR,620102,life_care\r\nF_FAR,620102,emergency_aid\r\nF_OFF,620102,life_care\r\n");
    load(importer::Kind::kStaff,
         "firm_code,code,name,phone,skills\r\nF_NEAR,N1,赵工,13800000001,life_care|emergency_aid\r\n"
         "F_MID,M1,钱工,13800000002,life_care|medical_care|emergency_aid\r\nF_FAR,R1,孙工,13800000003,life_care\r\n");
  }
};

}  // namespace vnh::testing
