#include <catch2/catch.hpp>

#include "domain/elder.hpp"

using namespace vnh;
using namespace vnh::domain;

namespace {
ElderDraft good() {
  ElderDraft d;
  d.id_number = "620102195810100019";
  d.name = "张三明";
  d.phones = {"139-7024-1505", "0931 8123456"};
  d.community_code = "620102005001";
  d.lat = 36.059707;
  d.lon = 103.814348;
  d.category = "A";
  d.registered_on = {2026, 1, 5};
  return d;
}
const Date kToday{2026, 11, 23};
}  // namespace

TEST_CASE("a valid elder is normalised", "[elder]") {
  Policy p;
  auto v = validate_elder(good(), p, kToday);
  REQUIRE(v.ok());
  CHECK(v->phones == std::vector<std::string>{"13970241505", "09318123456"});
  CHECK(v->category == ElderCategory::kA);
  CHECK(v->id.birth_date == Date{1958, 10, 10});
}

TEST_CASE("elder validation names the field at fault", "[elder]") {
  Policy p;
  auto field_of = [&](ElderDraft d) { return validate_elder(d, p, kToday).status().field(); };
  ElderDraft d = good();
  d.id_number = "620102195810100018";
  CHECK(field_of(d) == "id_number");
  d = good();
  d.name = "";
  CHECK(field_of(d) == "name");
  d = good();
  d.phones = {"12"};
  CHECK(field_of(d) == "phone");
  d = good();
  d.community_code = "620102005";
  CHECK(field_of(d) == "community_code");
  d = good();
  d.category = "E";
  CHECK(field_of(d) == "category");
  d = good();
  d.lat = 91;
  CHECK(field_of(d) == "lat");
  // (0, 0), swapped or sign-lost coordinates are not a home in China.
  for (auto [lat, lon] : {std::pair{0.0, 0.0}, {103.83, 36.06}, {-36.06, 103.83}, {36.06, -103.83}}) {
    d = good();
    d.lat = lat;
    d.lon = lon;
    INFO(lat << "," << lon);
    CHECK(field_of(d) == "lat");
  }
  d = good();
  d.birth_date = Date{1958, 10, 11};
  CHECK(field_of(d) == "birth_date");
  d = good();
  d.sex = "F";
  CHECK(field_of(d) == "sex");
  d = good();
  d.registered_on = {2027, 1, 1};
  CHECK(field_of(d) == "registered_on");
}

TEST_CASE("eligibility age is checked on the registration day", "[elder]") {
  Policy p;
  ElderDraft d = good();  // born 1958-10-10
  d.registered_on = {2023, 10, 9};
  auto r = validate_elder(d, p, kToday);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "not_eligible");
  d.registered_on = {2023, 10, 10};
  CHECK(validate_elder(d, p, kToday).ok());
}
