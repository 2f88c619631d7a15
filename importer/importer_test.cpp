#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "data/embedded.hpp"
#include "importer/importer.hpp"
#include "store/query.hpp"
#include "store/store.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
using namespace vnh::importer;

namespace {


struct Fixture : testing::TestStore {
  Fixture() : TestStore("i.db") { import_time = *parse_time("2026-11-23T10:00:00+08:00"); }
  // One file through the importer; the report may hold refused rows.
  ImportReport run(Kind k, const std::string& csv) {
    ImportContext ctx{policy, store->crypto(), import_time, "import", "x.csv"};
    auto r = import_csv(store->db(), k, csv, ctx);
    REQUIRE(r.ok());
    return *r;
  }
  std::int64_t count(const std::string& table) {
    return *store::query_int(store->db().prepare("SELECT count(*) FROM " + table));
  }
  // Imports the sample files up to and including `last`.
  void load_until(Kind last) { load_month_sample(last); }
};

const char* table_of(Kind k) {
  switch (k) {
    case Kind::kAreas: return "areas";
    case Kind::kCatalog: return "catalog_items";
    case Kind::kElders: return "elders";
    case Kind::kFirms: return "firms";
    case Kind::kFirmAreas: return "firm_areas";
    case Kind::kStaff: return "staff";
    case Kind::kTickets: return "tickets";
    case Kind::kCallbacks: return "callbacks";
    case Kind::kComplaints: return "complaints";
    case Kind::kInspections: return "inspections";
    case Kind::kCanteens: return "canteens";
    case Kind::kMealCards: return "meal_cards";
    case Kind::kMeals: return "meals";
    case Kind::kDeaths: return "deaths";
    case Kind::kCareTargets: return "care_targets";
    case Kind::kAreaShapes: return "area_shapes";
  }
  return "";
}

Kind before(Kind k) { return static_cast<Kind>(static_cast<int>(k) - 1); }

}  // namespace

TEST_CASE("the worked month imports completely, deriving exceptions and disputes", "[import]") {
  Fixture f;
  f.load_until(Kind::kMeals);
  CHECK(f.count("areas") == 26);
  CHECK(f.count("catalog_items") == 26);
  CHECK(f.count("elders") == 60);
  CHECK(f.count("firms") == 8);
  CHECK(f.count("firm_areas") == 32);
  CHECK(f.count("staff") == 24);
  CHECK(f.count("tickets") == 460);
  CHECK(f.count("callbacks") == 96);
  CHECK(f.count("complaints") == 30);
  CHECK(f.count("inspections") == 8);
  CHECK(f.count("canteens") == 3);
  CHECK(f.count("meal_cards") == 50);
  CHECK(f.count("meals") == 289);
  // Hand-checked against the rules: 33 tickets with a visit exception, 10 disputed (the
  // callbacks that found the service not received).
  CHECK(*store::query_int(f.store->db().prepare("SELECT count(DISTINCT ticket_id) FROM visit_exceptions")) == 33);
  CHECK(*store::query_int(f.store->db().prepare("SELECT count(*) FROM tickets WHERE state = 'disputed'")) == 10);
  // The meals: 72 identified by a typed ID number; 244 took their day's subsidised place (the
  // expected canteen CSV's meals_subsidised of October, 85 + 78 + 80, and the lunch of 1
  // November); the catalog's breakfast is a breakfast.
  CHECK(*store::query_int(f.store->db().prepare("SELECT count(*) FROM meals WHERE identified_by = 'id_number'")) == 72);
  CHECK(*store::query_int(f.store->db().prepare("SELECT count(*) FROM meals WHERE takes_place = 1")) == 244);
  CHECK(*store::query_int(f.store->db().prepare("SELECT count(*) FROM meals WHERE rule = 'second_meal'")) > 0);
  CHECK(*store::query_int(f.store->db().prepare("SELECT count(*) FROM catalog_items WHERE meal_slot = 'breakfast'")) == 1);
  CHECK(*store::query_int(f.store->db().prepare(
            "SELECT count(*) FROM visit_exceptions v JOIN tickets t ON t.id = v.ticket_id "
            "WHERE t.ticket_no = 'T000412'")) == 2);  // too far and too short
}

TEST_CASE("the shipped reference data imports", "[import]") {
  Fixture f;
  auto areas = f.run(Kind::kAreas, std::string(data::areas_csv()));
  INFO(areas.format_errors("data/areas.csv"));
  REQUIRE(areas.ok());
  CHECK(f.count("areas") > 1000);
  auto catalog = f.run(Kind::kCatalog, std::string(data::catalog_csv()));
  INFO(catalog.format_errors("data/catalog.csv"));
  REQUIRE(catalog.ok());
  CHECK(f.count("catalog_items") >= 150);
  CHECK(*store::query_int(f.store->db().prepare(
            "SELECT count(*) FROM catalog_items WHERE meal = 1 AND standard_price_fen = 1500")) >= 1);
  for (const char* cat : {"life_care", "medical_care", "emotional_comfort", "emergency_aid"}) {
    auto st = f.store->db().prepare("SELECT count(*) FROM catalog_items WHERE category = ?");
    st->bind(1, cat);
    CHECK(*store::query_int(std::move(st)) >= 20);
  }
}

// One bad file per kind and per kind of badness; each must be refused with its line and
// column, and leave the database exactly as it was.
TEST_CASE("bad rows are refused with file:line: column: reason and change nothing", "[import]") {
  struct Case {
    Kind kind;
    std::string what;
    std::string csv;
    std::size_t line;
    std::string column;
    std::string reason_part;
  };
  const std::vector<Case> cases = {
      // areas
      {Kind::kAreas, "missing column", "code,name,level\r\n620103,七里河区,district\r\n", 1, "parent_code", "missing column"},
      {Kind::kAreas, "extra column", "code,name,parent_code,level,x\r\n620103,七里河区,,district,1\r\n", 1, "x", "unexpected column"},
      {Kind::kAreas, "bad type", "code,name,parent_code,level\r\n62010A,x,,district\r\n", 2, "code", "area code"},
      {Kind::kAreas, "unknown reference", "code,name,parent_code,level\r\n620103001,x,620103,street\r\n", 2, "parent_code", "unknown area"},
      {Kind::kAreas, "duplicate key", "code,name,parent_code,level\r\n620102,城关区,,district\r\n", 2, "code", "duplicate"},
      // catalog
      {Kind::kCatalog, "missing column", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min\r\nX1,x,life_care,次,800,1000,30\r\n", 1, "meal", "missing column"},
      {Kind::kCatalog, "extra column", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal,y\r\nX1,x,life_care,次,800,1000,30,0,1\r\n", 1, "y", "unexpected"},
      {Kind::kCatalog, "bad type", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nX1,x,life_care,次,8.5,1000,30,0\r\n", 2, "standard_price_fen", "not an integer"},
      {Kind::kCatalog, "price rule", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nX1,x,life_care,次,801,1000,30,0\r\n", 2, "standard_price_fen", "80%"},
      {Kind::kCatalog, "unknown reference", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nX1,x,gardening,次,800,1000,30,0\r\n", 2, "category", "not one of"},
      {Kind::kCatalog, "duplicate key", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nS001,x,life_care,次,800,1000,30,0\r\n", 2, "code", "duplicate"},
      // control characters in codes and names (SPEC §9): a quoted line break, a NUL, a DEL
      {Kind::kCatalog, "line break in a name", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nX2,\"助\n浴\",life_care,次,800,1000,30,0\r\n", 2, "name", "control character U+000A"},
      {Kind::kCatalog, "NUL in a code", std::string("code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\nX") + '\0' + "3,x,life_care,次,800,1000,30,0\r\n", 2, "code", "U+0000"},
      {Kind::kAreas, "DEL in a name", "code,name,parent_code,level\r\n620104,西固\x7f区,,district\r\n", 2, "name", "U+007F"},
      // elders
      {Kind::kElders, "missing column", "id_number,name,phone,community_code,lat,lon,category\r\n", 1, "registered_on", "missing column"},
      {Kind::kElders, "extra column", "id_number,name,phone,community_code,lat,lon,category,registered_on,address\r\n", 1, "address", "unexpected"},
      {Kind::kElders, "bad check digit", "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n620102195001010018,张三,13900000000,620102001001,36.05,103.8,C,2026-01-05\r\n", 2, "id_number", "check digit"},
      {Kind::kElders, "bad type", "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n620102195001010013,张三,13900000000,620102001001,north,103.8,C,2026-01-05\r\n", 2, "lat", "not a decimal"},
      {Kind::kElders, "unknown reference", "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n620102195001010013,张三,13900000000,620102009001,36.05,103.8,C,2026-01-05\r\n", 2, "community_code", "unknown community"},
      {Kind::kElders, "duplicate key", "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n620102195810100019,张三,13900000000,620102001001,36.05,103.8,C,2026-01-05\r\n", 2, "id_number", "duplicate"},
      {Kind::kElders, "too young", "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n620102196501010014,张三,13900000000,620102001001,36.05,103.8,C,2026-01-05\r\n", 2, "id_number", "eligible age"},
      // firms
      {Kind::kFirms, "missing column", "code,name,base_lat,base_lon,daily_capacity\r\n", 1, "status", "missing column"},
      {Kind::kFirms, "extra column", "code,name,base_lat,base_lon,daily_capacity,status,z\r\n", 1, "z", "unexpected"},
      {Kind::kFirms, "bad type", "code,name,base_lat,base_lon,daily_capacity,status\r\nF100,x,36,103,many,active\r\n", 2, "daily_capacity", "not an integer"},
      {Kind::kFirms, "unknown status", "code,name,base_lat,base_lon,daily_capacity,status\r\nF100,x,36,103,10,closed\r\n", 2, "status", "not one of"},
      {Kind::kFirms, "duplicate key", "code,name,base_lat,base_lon,daily_capacity,status\r\nF001,x,36,103,10,active\r\n", 2, "code", "duplicate"},
      // firm-areas
      {Kind::kFirmAreas, "missing column", "firm_code,area_code\r\n", 1, "category", "missing column"},
      {Kind::kFirmAreas, "extra column", "firm_code,area_code,category,q\r\n", 1, "q", "unexpected"},
      {Kind::kFirmAreas, "bad type", "firm_code,area_code,category\r\nF001,620102,cooking\r\n", 2, "category", "not one of"},
      {Kind::kFirmAreas, "unknown reference", "firm_code,area_code,category\r\nF999,620102,life_care\r\n", 2, "firm_code", "unknown firm"},
      {Kind::kFirmAreas, "duplicate key", "firm_code,area_code,category\r\nF001,620102,life_care\r\n", 2, "area_code", "duplicate"},
      // staff
      {Kind::kStaff, "missing column", "firm_code,code,name,phone\r\n", 1, "skills", "missing column"},
      {Kind::kStaff, "extra column", "firm_code,code,name,phone,skills,age\r\n", 1, "age", "unexpected"},
      {Kind::kStaff, "bad type", "firm_code,code,name,phone,skills\r\nF001,W9,x,12345,life_care\r\n", 2, "phone", "neither a mobile"},
      {Kind::kStaff, "unknown reference", "firm_code,code,name,phone,skills\r\nF999,W9,x,13800000000,life_care\r\n", 2, "firm_code", "unknown firm"},
      {Kind::kStaff, "duplicate key", "firm_code,code,name,phone,skills\r\nF001,W0011,x,13800000000,life_care\r\n", 2, "code", "duplicate"},
      // tickets
      {Kind::kTickets, "missing column", "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code\r\n", 1, "state", "missing column"},
      {Kind::kTickets, "extra column", "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state,price\r\n", 1, "price", "unexpected"},
      {Kind::kTickets, "bad type", "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\nT9,620102195810100019,S001,F001,normal,2026-10-09 07:04,2026-10-09T08:26:00+08:00,2026-10-08T22:04:00+08:00,2026-10-09T07:46:00+08:00,36.059707,103.814348,2026-10-09T08:37:00+08:00,36.059707,103.814348,W0011,completed\r\n", 2, "window_start", "ISO 8601"},
      {Kind::kTickets, "unknown reference", "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\nT9,620102195810100019,Z999,F001,normal,2026-10-09T07:04:00+08:00,2026-10-09T08:26:00+08:00,2026-10-08T22:04:00+08:00,2026-10-09T07:46:00+08:00,36.059707,103.814348,2026-10-09T08:37:00+08:00,36.059707,103.814348,W0011,completed\r\n", 2, "item_code", "unknown service item"},
      {Kind::kTickets, "duplicate key", "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\nT000001,620102195810100019,S001,F001,normal,2026-10-09T07:04:00+08:00,2026-10-09T08:26:00+08:00,2026-10-08T22:04:00+08:00,2026-10-09T07:46:00+08:00,36.059707,103.814348,2026-10-09T08:37:00+08:00,36.059707,103.814348,W0011,completed\r\n", 2, "ticket_no", "duplicate"},
      {Kind::kTickets, "missing check-out", "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\nT9,620102195810100019,S001,F001,normal,2026-10-09T07:04:00+08:00,2026-10-09T08:26:00+08:00,2026-10-08T22:04:00+08:00,2026-10-09T07:46:00+08:00,36.059707,103.814348,,,,W0011,completed\r\n", 2, "checkout_at", "required for a completed"},
      // callbacks
      {Kind::kCallbacks, "missing column", "ticket_no,called_at,reached,rating\r\n", 1, "service_received", "missing column"},
      {Kind::kCallbacks, "extra column", "ticket_no,called_at,reached,rating,service_received,comment\r\n", 1, "comment", "unexpected"},
      {Kind::kCallbacks, "bad type", "ticket_no,called_at,reached,rating,service_received\r\nT000001,2026-10-10T10:00:00+08:00,1,6,1\r\n", 2, "rating", "out of range"},
      {Kind::kCallbacks, "field that does not apply", "ticket_no,called_at,reached,rating,service_received\r\nT000001,2026-10-10T10:00:00+08:00,0,4,\r\n", 2, "rating", "must be empty"},
      {Kind::kCallbacks, "unknown reference", "ticket_no,called_at,reached,rating,service_received\r\nT999999,2026-10-10T10:00:00+08:00,1,4,1\r\n", 2, "ticket_no", "unknown ticket"},
      // complaints
      {Kind::kComplaints, "missing column", "ticket_no,filed_at\r\n", 1, "status", "missing column"},
      {Kind::kComplaints, "extra column", "ticket_no,filed_at,status,who\r\n", 1, "who", "unexpected"},
      {Kind::kComplaints, "bad type", "ticket_no,filed_at,status\r\nT000001,yesterday,open\r\n", 2, "filed_at", "ISO 8601"},
      {Kind::kComplaints, "unknown reference", "ticket_no,filed_at,status\r\nT999999,2026-10-10T10:00:00+08:00,open\r\n", 2, "ticket_no", "unknown ticket"},
      // inspections
      {Kind::kInspections, "missing column", "firm_code,month,enterprise_building,service_norms\r\n", 1, "staff_management", "missing column"},
      {Kind::kInspections, "extra column", "firm_code,month,enterprise_building,service_norms,staff_management,total\r\n", 1, "total", "unexpected"},
      {Kind::kInspections, "bad type", "firm_code,month,enterprise_building,service_norms,staff_management\r\nF001,2026-11,92.555,80,80\r\n", 2, "enterprise_building", "at most 2 decimals"},
      {Kind::kInspections, "out of range", "firm_code,month,enterprise_building,service_norms,staff_management\r\nF001,2026-11,92.5,100.01,80\r\n", 2, "service_norms", "outside 0..100"},
      {Kind::kInspections, "unknown reference", "firm_code,month,enterprise_building,service_norms,staff_management\r\nF999,2026-11,90,80,80\r\n", 2, "firm_code", "unknown firm"},
      {Kind::kInspections, "duplicate key", "firm_code,month,enterprise_building,service_norms,staff_management\r\nF001,2026-10,90,80,80\r\n", 2, "month", "duplicate"},
      // canteens
      {Kind::kCanteens, "missing column", "code,name,firm_code,community_code,lat,lon,status,delivers\r\n", 1, "daily_capacity", "missing column"},
      {Kind::kCanteens, "bad type", "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\nK9,x,,620102001001,36,103,active,yes,10\r\n", 2, "delivers", "not a flag"},
      {Kind::kCanteens, "not a community", "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\nK9,x,,620102001,36,103,active,1,10\r\n", 2, "community_code", "not a community"},
      {Kind::kCanteens, "unknown status", "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\nK9,x,,620102001001,36,103,open,1,10\r\n", 2, "status", "not one of"},
      {Kind::kCanteens, "duplicate key", "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\nK001,x,,620102001001,36,103,active,1,10\r\n", 2, "code", "duplicate"},
      // meal cards
      {Kind::kMealCards, "extra column", "card_no,id_number,issued_on,status,pin\r\n", 1, "pin", "unexpected"},
      {Kind::kMealCards, "unknown reference", "card_no,id_number,issued_on,status\r\n99990000,620102195001010013,2026-01-10,active\r\n", 2, "id_number", "no elder registered"},
      {Kind::kMealCards, "duplicate key", "card_no,id_number,issued_on,status\r\n62011000000,620102195110030021,2026-01-10,lost\r\n", 2, "card_no", "duplicate"},
      {Kind::kMealCards, "a second active card", "card_no,id_number,issued_on,status\r\n99990000,620102195810100019,2026-01-10,active\r\n", 2, "status", "already has an active card"},
      // meals
      {Kind::kMeals, "missing column", "canteen_code,id_number,slot,served_at,mode,price_fen\r\n", 1, "identified_by", "missing column"},
      {Kind::kMeals, "bad type", "canteen_code,id_number,slot,served_at,mode,price_fen,identified_by\r\nK001,620102195810100019,lunch,2026-10-20T11:00:00+08:00,dine_in,15.00,card\r\n", 2, "price_fen", "not an integer"},
      {Kind::kMeals, "unknown reference", "canteen_code,id_number,slot,served_at,mode,price_fen,identified_by\r\nK404,620102195810100019,lunch,2026-10-20T11:00:00+08:00,dine_in,1500,card\r\n", 2, "canteen_code", "unknown canteen"},
      {Kind::kMeals, "unknown slot", "canteen_code,id_number,slot,served_at,mode,price_fen,identified_by\r\nK001,620102195810100019,supper,2026-10-20T11:00:00+08:00,dine_in,1500,card\r\n", 2, "slot", "not one of"},
      // deaths
      {Kind::kDeaths, "missing column", "id_number\r\n", 1, "died_on", "missing column"},
      {Kind::kDeaths, "bad type", "id_number,died_on\r\n620102195810100019,2026-13-01\r\n", 2, "died_on", ""},
      {Kind::kDeaths, "unknown reference", "id_number,died_on\r\n620102195001010013,2026-10-01\r\n", 2, "id_number", "no elder registered"},
      {Kind::kDeaths, "in the future", "id_number,died_on\r\n620102195810100019,2027-01-01\r\n", 2, "died_on", "after today"},
      // care targets
      {Kind::kCareTargets, "extra column", "id_number,flags,tier,care_worker,phone\r\n", 1, "phone", "unexpected"},
      {Kind::kCareTargets, "unknown flag", "id_number,flags,tier,care_worker\r\n620102195810100019,lives_alone|alone,high,\r\n", 2, "flags", "lives_alone"},
      {Kind::kCareTargets, "unknown tier", "id_number,flags,tier,care_worker\r\n620102195810100019,lives_alone,urgent,\r\n", 2, "tier", "not one of"},
      {Kind::kCareTargets, "unknown care worker", "id_number,flags,tier,care_worker\r\n620102195810100019,lives_alone,high,nobody\r\n", 2, "care_worker", "no user"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(to_string(c.kind) << ": " << c.what) {
      Fixture f;
      f.load_until(Kind::kMeals);
      const char* table = table_of(c.kind);
      auto rows_before = f.count(table);
      auto audit_before = f.count("audit_log");
      // A good row first, so the bad one must also undo it.
      auto rep = f.run(c.kind, c.csv);
      INFO(rep.format_errors("bad.csv"));
      REQUIRE_FALSE(rep.ok());
      CHECK(rep.errors.front().line == c.line);
      CHECK(rep.errors.front().column == c.column);
      CHECK(rep.errors.front().reason.find(c.reason_part) != std::string::npos);
      CHECK(f.count(table) == rows_before);
      CHECK(f.count("audit_log") == audit_before);
      CHECK(rep.format_errors("bad.csv").rfind("bad.csv:" + std::to_string(c.line) + ": " + c.column + ": ", 0) == 0);
    }
  }
  (void)before;
}

TEST_CASE("a good row before a bad one is rolled back with it", "[import]") {
  Fixture f;
  f.load_until(Kind::kStaff);
  auto rep = f.run(Kind::kFirms,
                   "code,name,base_lat,base_lon,daily_capacity,status\r\n"
                   "F100,新企业,36.05,103.8,50,active\r\n"
                   "F101,坏企业,36.05,103.8,-1,active\r\n");
  REQUIRE(rep.errors.size() == 1);
  CHECK(rep.errors[0].line == 3);
  CHECK(f.count("firms") == 8);
}

TEST_CASE("rows with the wrong number of fields name the first missing column", "[import]") {
  Fixture f;
  auto rep = f.run(Kind::kAreas, "code,name,parent_code,level\r\n620103,七里河区\r\n");
  REQUIRE(rep.errors.size() == 1);
  CHECK(rep.errors[0].column == "parent_code");
  CHECK(rep.errors[0].reason.find("2 fields") != std::string::npos);
}

TEST_CASE("areas may come in any order: parents are inserted first", "[import]") {
  Fixture f;
  auto rep = f.run(Kind::kAreas,
                   "code,name,parent_code,level\r\n"
                   "620103001001,社区,620103001,community\r\n"
                   "620103001,街道,620103,street\r\n"
                   "620103,七里河区,,district\r\n");
  INFO(rep.format_errors("a.csv"));
  CHECK(rep.ok());
  CHECK(f.count("areas") == 3);
}

TEST_CASE("area shapes: outlines of known areas are stored; a bad file names each problem by line and JSON path "
          "and stores nothing", "[import][map]") {
  Fixture f;
  f.load_until(Kind::kAreas);
  auto code_at = [&](const char* level) {
    // The first area of a level, by code (codes are digits: read as a number).
    auto st = f.store->db().prepare("SELECT CAST(code AS INTEGER) FROM areas WHERE level = ? ORDER BY code LIMIT 1");
    st->bind(1, std::string(level));
    return std::to_string(*store::query_int(std::move(st)));
  };
  const std::string street = code_at("street"), community = code_at("community");
  const std::string square = "[[[103.80,36.05],[103.82,36.05],[103.82,36.07],[103.80,36.07],[103.80,36.05]]]";
  const std::string good = "{\"type\":\"FeatureCollection\",\"features\":[\n"
                           "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + street +
                           "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" + square + "}},\n"
                           "{\"type\":\"Feature\",\"properties\":{\"code\":" + community +
                           "},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[" + square + "]}}\n]}\n";
  auto rep = f.run(Kind::kAreaShapes, "\xEF\xBB\xBF" + good);  // with a byte-order mark, as Windows writes it
  INFO(rep.format_errors("shapes.geojson"));
  CHECK(rep.ok());
  CHECK(rep.rows == 2);
  CHECK(f.count("area_shapes") == 2);

  // Unknown code, an open ring, a point outside China, the same area twice: each by line and path.
  const std::string bad =
      "{\"type\":\"FeatureCollection\",\n\"features\":[\n"
      "{\"type\":\"Feature\",\"properties\":{\"code\":\"620102999\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" + square + "}},\n"
      "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + street + "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
      "[[[103.80,36.05],[103.82,36.05],[103.82,36.07],[103.80,36.07]]]}},\n"
      "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + community + "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
      "[[[36.05,103.80],[36.05,103.82],[36.07,103.82],[36.05,103.80]]]}},\n"
      "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + street + "\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[103.8,36.05]}}\n"
      "]}";
  rep = f.run(Kind::kAreaShapes, bad);
  REQUIRE(rep.errors.size() == 4);
  CHECK(rep.errors[0].line == 3);
  CHECK(rep.errors[0].column == "features[0].properties.code");
  CHECK(rep.errors[0].problem == Problem::kUnknown);
  CHECK(rep.errors[1].line == 4);
  CHECK(rep.errors[1].column == "features[1].geometry.coordinates[0]");
  CHECK(rep.errors[1].reason.find("end where it starts") != std::string::npos);
  CHECK(rep.errors[2].line == 5);
  CHECK(rep.errors[2].column == "features[2].geometry.coordinates[0][0]");
  CHECK(rep.errors[2].problem == Problem::kRange);
  CHECK(rep.errors[3].line == 6);
  CHECK(rep.errors[3].column == "features[3].properties.code");
  CHECK(rep.errors[3].problem == Problem::kDuplicate);
  CHECK(f.count("area_shapes") == 2);

  // Not JSON: the place where reading stopped.
  rep = f.run(Kind::kAreaShapes, "{\"type\":\"FeatureCollection\",\n\"features\":[ {\"type\": Feature} ]}");
  REQUIRE(rep.errors.size() == 1);
  CHECK(rep.errors[0].line == 2);
  CHECK(rep.errors[0].problem == Problem::kFile);
}
