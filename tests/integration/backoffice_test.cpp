// The back office of SPEC §15 / issue 22 over real HTTP against the real binary: an inspector
// enters a whole month's scores for all firms in one request (all or none, errors by row, rows
// already stored left alone, a settled month locked) and reads the firms' month beside them; an
// administrator resets a password (every session of the user ends), re-enables a user (their
// failed logins forgiven), reads the policy in force with its history, and a refused CSV answers
// with each error's line, column and kind of problem.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

struct Office {
  TestServer s{TestServer::Options{true, "2026-11-23T09:30:00+08:00", {}}};
  Office() {
    load_small_district(s);
    s.add_user("insp1", "inspector");
    s.add_user("op1", "operator");
    s.add_user("fin1", "finance");
    s.add_user("fin2", "finance");
    s.add_user("admin1", "admin");
    s.start();
  }
};

json::object row(const char* firm, const char* e, const char* n, const char* h) {
  return json::object{{"firm_code", firm}, {"enterprise_building", e}, {"service_norms", n}, {"staff_management", h}};
}

std::string text(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

// The month's inspections as firm → "E/N/H".
std::map<std::string, std::string> scores_of(sim::HttpClient& c, const std::string& month) {
  auto r = c.get("/api/v1/inspections?month=" + month);
  REQUIRE(r.status == 200);
  std::map<std::string, std::string> out;
  const auto body = r.json();
  for (const auto& i : body.at("inspections").as_array()) {
    out[text(i, "firm_code")] =
        text(i, "enterprise_building") + "/" + text(i, "service_norms") + "/" + text(i, "staff_management");
  }
  return out;
}

}  // namespace

TEST_CASE("an inspector enters a month's scores for all firms at once: all or none, errors by row, unchanged rows "
          "left alone, a settled month locked",
          "[backoffice][api]") {
  Office o;
  auto insp = o.s.login("insp1");
  auto put = [&](const std::string& month, json::array rows) {
    return insp.request("PUT", "/api/v1/inspections/" + month, json::serialize(json::object{{"scores", std::move(rows)}}));
  };
  auto r = put("2026-10", json::array{row("F_NEAR", "90", "85.5", "88"), row("F_MID", "70.25", "80", "75")});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("entered").as_int64() == 2);
  CHECK(r.json().at("unchanged").as_int64() == 0);
  CHECK(scores_of(insp, "2026-10") ==
        std::map<std::string, std::string>{{"F_MID", "70.25/80.00/75.00"}, {"F_NEAR", "90.00/85.50/88.00"}});

  // The same table again with one firm changed: one entered, one unchanged (and only one audited).
  r = put("2026-10", json::array{row("F_NEAR", "90", "85.5", "88"), row("F_MID", "71", "80", "75")});
  REQUIRE(r.status == 200);
  CHECK(r.json().at("entered").as_int64() == 1);
  CHECK(r.json().at("unchanged").as_int64() == 1);
  auto admin = o.s.login("admin1");
  auto audit = admin.get("/api/v1/audit?subject=firm:F_NEAR").json();
  int near_entries = 0;
  for (const auto& e : audit.at("entries").as_array()) near_entries += text(e, "action") == "inspection.enter";
  CHECK(near_entries == 1);

  // A bad row refuses the whole table and names its row and field; nothing changes.
  r = put("2026-10", json::array{row("F_NEAR", "10", "10", "10"), row("F_MID", "71", "101", "75")});
  CHECK(r.status == 422);
  CHECK(text(r.json().at("error"), "field") == "scores[1].service_norms");
  r = put("2026-10", json::array{row("F_NEAR", "10", "10", "10"), row("F_NONE", "71", "80", "75")});
  CHECK(r.status == 404);
  CHECK(text(r.json().at("error"), "field") == "scores[1].firm_code");
  r = put("2026-10", json::array{row("F_NEAR", "10", "10", "10"), row("F_NEAR", "71", "80", "75")});
  CHECK(r.status == 422);
  CHECK(text(r.json().at("error"), "field") == "scores[1].firm_code");
  r = put("2026-10", json::array{});
  CHECK(r.status == 422);
  CHECK(text(r.json().at("error"), "field") == "scores");
  r = put("2026-13", json::array{row("F_NEAR", "10", "10", "10")});
  CHECK(r.status == 422);
  CHECK(text(r.json().at("error"), "field") == "month");
  CHECK(scores_of(insp, "2026-10").at("F_NEAR") == "90.00/85.50/88.00");
  CHECK(scores_of(insp, "2026-10").at("F_MID") == "71.00/80.00/75.00");

  // Only inspectors and admins enter scores; the inspector reads the firms' month (the league).
  auto op = o.s.login("op1");
  CHECK(op.request("PUT", "/api/v1/inspections/2026-10", json::serialize(json::object{{"scores", json::array{row("F_NEAR", "1", "1", "1")}}}))
            .status == 403);
  auto league = insp.get("/api/v1/stats/firms?month=2026-10");
  INFO(league.body);
  REQUIRE(league.status == 200);
  CHECK(text(league.json(), "month") == "2026-10");
  CHECK(op.get("/api/v1/stats/firms?month=2026-10").status == 403);

  // An approved month is locked: the table is refused whole.
  auto fin = o.s.login("fin1");
  REQUIRE(put("2026-10", json::array{row("F_FAR", "60", "60", "60")}).status == 200);
  auto run = fin.post("/api/v1/settlements/2026-10", json::object{});
  INFO(run.body);
  REQUIRE(run.status / 100 == 2);
  REQUIRE(o.s.login("fin2").post("/api/v1/settlements/2026-10/approve", json::object{}).status == 200);  // four eyes
  r = put("2026-10", json::array{row("F_NEAR", "90", "85.5", "88"), row("F_MID", "50", "50", "50")});
  CHECK(r.status == 409);
  CHECK(text(r.json().at("error"), "code") == "locked");
  CHECK(scores_of(insp, "2026-10").at("F_MID") == "71.00/80.00/75.00");
}

TEST_CASE("an administrator resets a password: the user's sessions end, the old password fails, the new one works",
          "[backoffice][api][sessions]") {
  Office o;
  auto admin = o.s.login("admin1");
  auto op = o.s.login("op1");
  REQUIRE(op.get("/api/v1/me").status == 200);
  auto r = admin.post("/api/v1/users/op1/password", json::object{{"password", "short"}});
  CHECK(r.status == 422);
  CHECK(text(r.json().at("error"), "field") == "password");
  CHECK(op.get("/api/v1/me").status == 200);  // a refused reset changes nothing
  CHECK(admin.post("/api/v1/users/nobody/password", json::object{{"password", "a-new-password-1"}}).status == 404);
  CHECK(op.post("/api/v1/users/op1/password", json::object{{"password", "a-new-password-1"}}).status == 403);

  r = admin.post("/api/v1/users/op1/password", json::object{{"password", "a-new-password-1"}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(text(r.json(), "username") == "op1");
  CHECK(op.get("/api/v1/me").status == 401);
  sim::HttpClient fresh(o.s.endpoint());
  CHECK(fresh.post("/api/v1/login", json::object{{"username", "op1"}, {"password", "password-123"}}).status == 401);
  CHECK(fresh.post("/api/v1/login", json::object{{"username", "op1"}, {"password", "a-new-password-1"}}).status == 200);
  bool audited = false;
  const auto entries = admin.get("/api/v1/audit?subject=user:op1").json();
  for (const auto& e : entries.at("entries").as_array()) {
    audited = audited || (text(e, "action") == "user.password" && text(e, "actor") == "admin1");
  }
  CHECK(audited);
}

TEST_CASE("a disabled user re-enabled by an administrator can log in again, even after failed attempts",
          "[backoffice][api][sessions]") {
  Office o;
  auto admin = o.s.login("admin1");
  sim::HttpClient desk(o.s.endpoint());
  desk.set_source("127.0.0.2");
  for (int i = 0; i < 5; ++i) desk.post("/api/v1/login", json::object{{"username", "op1"}, {"password", "wrong-guess"}});
  CHECK(desk.post("/api/v1/login", json::object{{"username", "op1"}, {"password", "password-123"}}).status == 429);
  REQUIRE(admin.post("/api/v1/users/op1/disable", json::object{}).status == 200);
  const auto users = admin.get("/api/v1/users").json();
  for (const auto& u : users.at("users").as_array()) {
    if (text(u, "username") == "op1") {
      CHECK_FALSE(u.at("active").as_bool());
      CHECK(u.at("failed_logins").as_int64() == 5);
    }
  }
  auto r = admin.post("/api/v1/users/op1/enable", json::object{});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("active").as_bool());
  // The desk's five failures are forgiven with the re-enabling.
  CHECK(desk.post("/api/v1/login", json::object{{"username", "op1"}, {"password", "password-123"}}).status == 200);
  CHECK(admin.post("/api/v1/users/nobody/enable", json::object{}).status == 404);
}

TEST_CASE("the policy in force and its history; a refused CSV answers each error's line, column and problem",
          "[backoffice][api]") {
  Office o;
  auto admin = o.s.login("admin1");
  auto r = admin.get("/api/v1/policies");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto p = r.json();
  const std::string digest = text(p.at("in_force"), "digest");
  CHECK(digest.size() == 64);
  CHECK(text(p.at("in_force"), "body").find("[dispatch]") != std::string::npos);
  int in_force = 0;
  for (const auto& h : p.at("history").as_array()) {
    if (h.at("in_force").as_bool()) {
      ++in_force;
      CHECK(text(h, "digest") == digest);
    }
  }
  CHECK(in_force == 1);
  CHECK(o.s.login("fin1").get("/api/v1/policies").status == 200);
  CHECK(o.s.login("op1").get("/api/v1/policies").status == 403);

  const std::string bad =
      "code,name,base_lat,base_lon,daily_capacity,status\r\n"
      "F_NEW,新企业,36.07,103.83,40,active\r\n"
      "F_NEAR,重复的企业,36.07,103.83,40,active\r\n"
      "F_X,,36.07,103.83,40,active\r\n"
      "F_Y,坏容量,36.07,103.83,many,active\r\n";
  r = admin.request("POST", "/api/v1/import/firms?file=firms.csv", bad);
  INFO(r.body);
  REQUIRE(r.status == 422);
  const auto errs = r.json().at("errors").as_array();
  REQUIRE(errs.size() == 3);
  CHECK(errs[0].at("line").as_int64() == 3);
  CHECK(text(errs[0], "column") == "code");
  CHECK(text(errs[0], "problem") == "duplicate");
  CHECK(errs[1].at("line").as_int64() == 4);
  CHECK(text(errs[1], "column") == "name");
  CHECK(text(errs[1], "problem") == "required");
  CHECK(errs[2].at("line").as_int64() == 5);
  CHECK(text(errs[2], "column") == "daily_capacity");
  CHECK(text(errs[2], "problem") == "format");
  // Nothing was written: the good first row is not there.
  bool found = false;
  const auto firms = admin.get("/api/v1/firms").json();
  for (const auto& f : firms.at("firms").as_array()) found = found || text(f, "code") == "F_NEW";
  CHECK_FALSE(found);
}
