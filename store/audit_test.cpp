#include <catch2/catch.hpp>

#include "store/audit.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

TEST_CASE("the audit chain verifies and detects edits and deletions", "[audit]") {
  testing::TempDir dir;
  StoreOptions o;
  o.path = dir.file("a.db");
  o.start_writer = false;
  auto s = std::move(*Store::open(o));
  auto& db = s->db();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(append_audit(db, 1000 + i, {"alice", "elder.view_whole", "elder:E" + std::to_string(i), "{}"}).ok());
  }
  auto ok = verify_audit(db);
  REQUIRE(ok.ok());
  CHECK(ok->intact);
  CHECK(ok->entries == 5);
  CHECK(ok->head_hash_hex.size() == 64);
  SECTION("updates and deletes are refused by the schema") {
    CHECK_FALSE(db.exec("UPDATE audit_log SET actor='mallory' WHERE id=3").ok());
    CHECK_FALSE(db.exec("DELETE FROM audit_log WHERE id=3").ok());
  }
  SECTION("an edit made around the triggers is detected") {
    REQUIRE(db.exec("DROP TRIGGER audit_log_append_only_u").ok());
    REQUIRE(db.exec("UPDATE audit_log SET actor='mallory' WHERE id=3").ok());
    auto r = verify_audit(db);
    CHECK_FALSE(r->intact);
    CHECK(r->first_bad_id == 3);
    CHECK(r->problem.find("changed") != std::string::npos);
  }
  SECTION("a deletion made around the triggers is detected") {
    REQUIRE(db.exec("DROP TRIGGER audit_log_append_only_d").ok());
    REQUIRE(db.exec("DELETE FROM audit_log WHERE id=2").ok());
    auto r = verify_audit(db);
    CHECK_FALSE(r->intact);
    CHECK(r->first_bad_id == 3);
  }
}
