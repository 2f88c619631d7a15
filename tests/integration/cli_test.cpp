// The command line end to end: `vnh import` the worked month file by file, `vnh settle` it,
// and compare the CSV byte for byte; bad files exit 2 with file:line: column: reason.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

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
                           "complaints", "inspections"}) {
    auto r = run_vnh({"import", kind, (kSample / (std::string(kind) + ".csv")).string(), "--db", db});
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
  }
  auto s = run_vnh({"settle", "--month", "2026-10", "--db", db, "--out", dir.file("out")});
  INFO(s.out);
  REQUIRE(s.exit_code == 0);
  CHECK(read(dir.file("out") + "/settlement-2026-10.csv") == read(kSample / "expected-settlement-2026-10.csv"));
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
