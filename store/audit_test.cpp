#include <catch2/catch.hpp>

#include "store/audit.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
std::unique_ptr<Store> open_store(const std::string& path) {
  StoreOptions o;
  o.path = path;
  o.start_writer = false;
  auto s = Store::open(o);
  REQUIRE(s.ok());
  return std::move(*s);
}
}  // namespace

TEST_CASE("the audit chain verifies and detects edits and deletions", "[audit]") {
  testing::TempDir dir;
  auto s = open_store(dir.file("a.db"));
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

TEST_CASE("an entry forged by someone without the key does not verify, even with a recomputed hash", "[audit]") {
  testing::TempDir dir;
  auto s = open_store(dir.file("a.db"));
  auto& db = s->db();
  for (int i = 0; i < 3; ++i) REQUIRE(append_audit(db, 1000 + i, {"alice", "ticket.create", "ticket:T1", "{}"}).ok());
  // What the unkeyed chain allowed: append an entry whose SHA-256 is right for its place.
  auto last = db.prepare("SELECT hash FROM audit_log WHERE id = 3");
  REQUIRE(*last->step());
  std::string prev = last->blob(0);
  last->reset();
  AuditEntry forged{"admin", "user.disable", "user:alice", "{}"};
  auto st = db.prepare(
      "INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (4, 2000, ?, ?, ?, ?, ?, ?)");
  REQUIRE(st->bind_all(forged.actor, forged.action, forged.subject, forged.detail, Blob{prev},
                       Blob{legacy_audit_hash(prev, 4, 2000, forged)})
              .run()
              .ok());
  auto r = verify_audit(db);
  REQUIRE(r.ok());
  CHECK_FALSE(r->intact);
  CHECK(r->first_bad_id == 4);
  REQUIRE(r->first_bad);
  CHECK(r->first_bad->entry.actor == "admin");
  CHECK(r->first_bad->entry.action == "user.disable");
  CHECK(r->problem.find("without the key") != std::string::npos);
  CHECK(r->entries == 3);
  CHECK(r->head_id == 3);
  auto h3 = audit_hash_of(db, 3);
  REQUIRE(h3.ok());
  CHECK(**h3 == r->head_hash_hex);
}

TEST_CASE("the audit log cannot be written or verified without the data key", "[audit]") {
  testing::TempDir dir;
  const std::string path = dir.file("a.db");
  {
    auto s = open_store(path);
    REQUIRE(append_audit(s->db(), 1000, {"alice", "logout", "user:alice", "{}"}).ok());
  }
  auto plain = std::move(*Database::open(path, {}));
  CHECK_FALSE(append_audit(*plain, 1001, {"mallory", "logout", "user:alice", "{}"}).ok());
  CHECK_FALSE(verify_audit(*plain).ok());
}
