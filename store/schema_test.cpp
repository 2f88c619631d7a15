#include <catch2/catch.hpp>

#include "store/audit.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
std::unique_ptr<Store> open_store(const testing::TempDir& dir) {
  StoreOptions o;
  o.path = dir.file("s.db");
  o.start_writer = false;
  o.open.synchronous = "OFF";
  auto s = Store::open(o);
  REQUIRE(s.ok());
  return std::move(*s);
}
}  // namespace

TEST_CASE("migrations bring a new file to the latest version and are idempotent", "[schema]") {
  testing::TempDir dir;
  {
    auto s = open_store(dir);
    auto v = s->db().prepare("PRAGMA user_version");
    REQUIRE(*v->step());
    CHECK(v->int64(0) == latest_schema_version());
  }
  auto again = open_store(dir);  // reopening applies nothing new
  CHECK(again->db().exec("SELECT count(*) FROM tickets").ok());
}

TEST_CASE("a database newer than the binary is refused", "[schema]") {
  testing::TempDir dir;
  { auto s = open_store(dir); REQUIRE(s->db().exec("PRAGMA user_version=999").ok()); }
  StoreOptions o;
  o.path = dir.file("s.db");
  auto s = Store::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("newer") != std::string::npos);
}

TEST_CASE("an existing database without its key is refused", "[schema]") {
  testing::TempDir dir;
  { auto s = open_store(dir); }
  std::filesystem::remove(dir.file("s.db.key"));
  StoreOptions o;
  o.path = dir.file("s.db");
  auto s = Store::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("key") != std::string::npos);
}

TEST_CASE("the schema enforces integrity itself", "[schema]") {
  testing::TempDir dir;
  auto s = open_store(dir);
  auto& db = s->db();
  SECTION("standard price above 80% of market is refused") {
    CHECK(db.exec("INSERT INTO catalog_items(code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal)"
                  " VALUES ('X','x','life_care','次',801,1000,30,0)").code() == Code::kFailedPrecondition);
    CHECK(db.exec("INSERT INTO catalog_items(code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal)"
                  " VALUES ('X','x','life_care','次',800,1000,30,0)").ok());
  }
  SECTION("an area's level matches its code length and its parent is a prefix") {
    CHECK(db.exec("INSERT INTO areas VALUES ('620102','城关区',NULL,'district')").ok());
    CHECK_FALSE(db.exec("INSERT INTO areas VALUES ('620102001','x',NULL,'community')").ok());
    CHECK_FALSE(db.exec("INSERT INTO areas VALUES ('620103001','x','620102','street')").ok());
    CHECK_FALSE(db.exec("INSERT INTO areas VALUES ('620102001','x','999999','street')").ok());
    CHECK(db.exec("INSERT INTO areas VALUES ('620102001','x','620102','street')").ok());
  }
  SECTION("ticket events are append-only") {
    REQUIRE(db.exec("INSERT INTO areas VALUES ('620102','城关区',NULL,'district'),"
                    "('620102001','街道','620102','street'),('620102001001','社区','620102001','community')").ok());
    REQUIRE(db.exec("INSERT INTO catalog_items(code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal)"
                    " VALUES ('X','x','life_care','次',800,1000,30,0)").ok());
    REQUIRE(db.exec("INSERT INTO elders(id_number_enc,id_number_bidx,id_number_masked,id_tail,name,birth_date,sex,"
                    "community_code,lat,lon,category,registered_on,created_at,updated_at) VALUES "
                    "(x'00',x'01','m','0019','n','1950-01-01','M','620102001001',36,103,'A','2026-01-01',0,0)").ok());
    REQUIRE(db.exec("INSERT INTO tickets(ticket_no,elder_id,item_id,category,channel,urgency,window_start,window_end,"
                    "state,created_at,created_by,updated_at) VALUES ('T1',1,1,'life_care','hotline','normal',0,1,"
                    "'created',0,'op',0)").ok());
    REQUIRE(db.exec("INSERT INTO ticket_events(ticket_id,at,type,actor) VALUES (1,0,'created','op')").ok());
    CHECK_FALSE(db.exec("UPDATE ticket_events SET type='x'").ok());
    CHECK_FALSE(db.exec("DELETE FROM ticket_events").ok());
    SECTION("a completed ticket must have its check-in and check-out") {
      CHECK_FALSE(db.exec("UPDATE tickets SET state='completed', firm_id=NULL").ok());
    }
    SECTION("an offered ticket names a firm and an expiry") {
      CHECK_FALSE(db.exec("UPDATE tickets SET state='offered'").ok());
    }
  }
}

TEST_CASE("version 3 rebuilds the audit log of a version-2 file with its chain and triggers intact", "[schema]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    // A file as vnh left it before version 3: the first two migrations only, with audit rows.
    auto db = std::move(*Database::open(path, {}));
    int version = 0;
    for (const auto& [name, sql] : migrations::files()) {
      if (++version > 2) break;
      REQUIRE(db->exec(sql).ok());
    }
    REQUIRE(db->exec("PRAGMA user_version=2").ok());
    for (int i = 0; i < 5; ++i) {
      REQUIRE(append_audit(*db, 1000 + i, {"op", "ticket.create", "ticket:T" + std::to_string(i), "{}"}).ok());
    }
  }
  auto db = std::move(*Database::open(path, {}));
  REQUIRE(migrate(*db).ok());
  auto v = db->prepare("PRAGMA user_version");
  REQUIRE(*v->step());
  CHECK(v->int64(0) == latest_schema_version());
  auto report = verify_audit(*db);
  REQUIRE(report.ok());
  CHECK(report->intact);
  CHECK(report->entries == 5);
  CHECK_FALSE(db->exec("UPDATE audit_log SET actor='x'").ok());
  CHECK_FALSE(db->exec("DELETE FROM audit_log").ok());
  // The next entry chains onto the migrated head.
  REQUIRE(append_audit(*db, 2000, {"op", "logout", "user:op", "{}"}).ok());
  report = verify_audit(*db);
  CHECK(report->intact);
  CHECK(report->entries == 6);
}
