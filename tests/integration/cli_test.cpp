// The command line end to end: `vnh import` the worked month file by file, `vnh settle` it,
// and compare the CSV byte for byte; bad files exit 2 with file:line: column: reason.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/audit.hpp"
#include "store/store.hpp"
#include "tests/support/test_server.hpp"

using namespace vnh::testing;
namespace fs = std::filesystem;

namespace {
std::string read(const fs::path& p) { return slurp(p); }
const fs::path kSample = fs::path(VNH_SOURCE_DIR) / "tests/data/month-2026-10";
}  // namespace

TEST_CASE("vnh import the worked month, vnh settle it: the expected CSV", "[cli][e2e]") {
  TempDir dir;
  std::string db = dir.file("m.db");
  for (const char* kind : {"areas", "catalog", "elders", "firms", "firm-areas", "staff", "tickets", "callbacks",
                           "complaints", "inspections", "canteens", "meal-cards", "meals"}) {
    auto r = run_vnh({"import", kind, (kSample / (std::string(kind) + ".csv")).string(), "--db", db});
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
  }
  auto s = run_vnh({"settle", "--month", "2026-10", "--db", db, "--out", dir.file("out")});
  INFO(s.out);
  REQUIRE(s.exit_code == 0);
  CHECK(read(dir.file("out") + "/settlement-2026-10.csv") == read(kSample / "expected-settlement-2026-10.csv"));
  CHECK(read(dir.file("out") + "/meals-2026-10.csv") == read(kSample / "expected-meals-2026-10.csv"));
  CHECK(fs::exists(dir.file("out") + "/statements-2026-10/meals-statement-2026-10-K003.csv"));
  CHECK(fs::exists(dir.file("out") + "/settlement-2026-10.html"));
  CHECK(fs::exists(dir.file("out") + "/statements-2026-10/statement-2026-10-F007.csv"));
  SECTION("the audit chain of the imports verifies") {
    auto a = run_vnh({"audit", "verify", "--db", db});
    CHECK(a.exit_code == 0);
    CHECK(a.out.find("intact") != std::string::npos);
  }
}

TEST_CASE("a bad file exits 2, names file:line: column: reason, and writes nothing", "[cli]") {
  TempDir dir;
  std::string db = dir.file("m.db");
  REQUIRE(run_vnh({"import", "areas", (kSample / "areas.csv").string(), "--db", db}).exit_code == 0);
  std::string bad = dir.file("bad.csv");
  std::ofstream(bad) << "code,name,parent_code,level\n620102009,新街道,620102,street\n62010200900X,坏社区,620102009,community\n";
  auto r = run_vnh({"import", "areas", bad, "--db", db});
  CHECK(r.exit_code == 2);
  CHECK(r.out.find(bad + ":3: code: ") != std::string::npos);
  CHECK(r.out.find("nothing was written") != std::string::npos);
  auto again = run_vnh({"import", "areas", (kSample / "areas.csv").string(), "--db", db});
  CHECK(again.exit_code == 2);  // every code is now a duplicate: the first import is intact
  CHECK(run_vnh({"import", "nonsense", bad, "--db", db}).exit_code == 2);
  CHECK(run_vnh({"import", "areas", dir.file("missing.csv"), "--db", db}).exit_code == 2);
}

TEST_CASE("missing inspections stop vnh settle with every missing firm named", "[cli]") {
  TempDir dir;
  std::string db = dir.file("m.db");
  for (const char* kind : {"areas", "catalog", "elders", "firms", "firm-areas", "staff", "tickets"}) {
    REQUIRE(run_vnh({"import", kind, (kSample / (std::string(kind) + ".csv")).string(), "--db", db}).exit_code == 0);
  }
  auto s = run_vnh({"settle", "--month", "2026-10", "--db", db, "--out", dir.file("out")});
  CHECK(s.exit_code != 0);
  for (const char* f : {"F001", "F002", "F003", "F004", "F005", "F006", "F007"}) CHECK(s.out.find(f) != std::string::npos);
  CHECK_FALSE(fs::exists(dir.file("out") + "/settlement-2026-10.csv"));
}

namespace {
// Opens the file as its owner could, key and all, to tamper with it around the triggers.
std::unique_ptr<vnh::store::Store> open_owned(const std::string& db) {
  vnh::store::StoreOptions o;
  o.path = db;
  o.start_writer = false;
  auto s = vnh::store::Store::open(o);
  REQUIRE(s.ok());
  return std::move(*s);
}
}  // namespace

TEST_CASE("vnh audit verify says what broke and never says intact when a check failed; anchors find a shortened log",
          "[cli][audit]") {
  TempDir dir;
  std::string db = dir.file("m.db");
  for (const char* kind : {"areas", "catalog", "elders"}) {
    REQUIRE(run_vnh({"import", kind, (kSample / (std::string(kind) + ".csv")).string(), "--db", db}).exit_code == 0);
  }
  std::string anchors = dir.file("anchors.txt");
  auto a = run_vnh({"audit", "anchor", "--db", db, "--to", anchors});
  INFO(a.out);
  REQUIRE(a.exit_code == 0);
  CHECK(a.out.find("entry 3 head ") != std::string::npos);  // three imports, one entry each
  CHECK(read(anchors).find("entry 3 head ") != std::string::npos);
  CHECK((fs::status(anchors).permissions() & fs::perms::others_read) == fs::perms::none);
  auto ok = run_vnh({"audit", "verify", "--db", db, "--anchors", anchors});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("audit log intact: 4 entries") != std::string::npos);  // the anchor is recorded too

  SECTION("an unknown --expect-head fails and does not print intact") {
    auto r = run_vnh({"audit", "verify", "--db", db, "--expect-head", std::string(64, 'a')});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("intact") == std::string::npos);
    CHECK(r.out.find("BROKEN") != std::string::npos);
    CHECK(r.out.find("not in the log") != std::string::npos);
  }
  SECTION("entries removed from the end: the anchor says so") {
    {
      auto s = open_owned(db);
      REQUIRE(s->db().exec("DROP TRIGGER audit_log_append_only_d; DELETE FROM audit_log WHERE id >= 3").ok());
    }
    auto plain = run_vnh({"audit", "verify", "--db", db});
    CHECK(plain.exit_code == 0);  // a shortened chain is still a chain …
    auto r = run_vnh({"audit", "verify", "--db", db, "--anchors", anchors});
    CHECK(r.exit_code == 1);  // … which only the anchor tells apart
    CHECK(r.out.find("intact") == std::string::npos);
    CHECK(r.out.find("anchored entry 3 is not in the log (it ends at entry 2)") != std::string::npos);
  }
  SECTION("an entry forged with a recomputed unkeyed hash: which entry, what it says") {
    {
      auto s = open_owned(db);
      auto& d = s->db();
      auto last = d.prepare("SELECT hash FROM audit_log WHERE id = 4");
      REQUIRE(*last->step());
      std::string prev = last->blob(0);
      last->reset();
      vnh::store::AuditEntry e{"admin", "user.disable", "user:op1", "{}"};
      auto st = d.prepare("INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) "
                          "VALUES (5, 1796000000000, ?, ?, ?, ?, ?, ?)");
      REQUIRE(st->bind_all(e.actor, e.action, e.subject, e.detail, vnh::store::Blob{prev},
                           vnh::store::Blob{vnh::store::legacy_audit_hash(prev, 5, 1796000000000, e)})
                  .run()
                  .ok());
    }
    auto r = run_vnh({"audit", "verify", "--db", db});
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("intact") == std::string::npos);
    CHECK(r.out.find("entry 5 was changed after it was written, or written without the key") != std::string::npos);
    CHECK(r.out.find("by admin: user.disable user:op1") != std::string::npos);
    CHECK(r.out.find("the 4 entries before it verify") != std::string::npos);
    CHECK(run_vnh({"audit", "anchor", "--db", db}).exit_code != 0);  // a broken log is not anchored
  }
}

TEST_CASE("vnh simulate drives tickets, counters, care rounds and recurring orders, and the books agree", "[cli][simulate]") {
  TempDir dir;
  const std::string report = dir.file("sim.json");
  auto r = run_vnh({"simulate", "--in-process", "--dir", dir.file("city"), "--rate", "4", "--duration", "4", "--firms", "6",
                    "--elders", "300", "--counters", "2", "--meals-rate", "2", "--care-workers", "2", "--care-rate", "3",
                    "--recurrences", "12", "--drain", "60", "--seed", "7", "--json", report});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  auto rep = boost::json::parse(read(report)).as_object();
  CHECK(rep.at("consistent").as_bool());
  const auto& care = rep.at("care").as_object();
  // Every recurring order was set up, each made its first tickets, and the care workers' rounds
  // recorded visits at about 3 a second for 4 seconds with none refused.
  CHECK(care.at("recurrences").as_int64() == 12);
  CHECK(care.at("recurrence_failed").as_int64() == 0);
  CHECK(care.at("visits").as_int64() >= 8);
  CHECK(care.at("visit_failed").as_int64() == 0);
  CHECK(rep.at("counters").as_object().at("recorded").as_int64() > 0);
  CHECK(r.out.find("care: ") != std::string::npos);
}
