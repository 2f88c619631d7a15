#include <catch2/catch.hpp>

#include "common/identity.hpp"

using namespace vnh;

TEST_CASE("GB 11643 ID numbers are validated with the MOD 11-2 check digit", "[id]") {
  SECTION("valid numbers give birth date, sex and area") {
    auto r = parse_id_number("620102195810100019");
    REQUIRE(r.ok());
    CHECK(r->birth_date == Date{1958, 10, 10});
    CHECK(r->sex == Sex::kMale);
    CHECK(r->area_code == "620102");
    auto f = parse_id_number("62010219511015004X");
    REQUIRE(f.ok());
    CHECK(f->sex == Sex::kFemale);
    CHECK(f->birth_date == Date{1951, 10, 15});
  }
  SECTION("a lower-case x is accepted and normalised") {
    auto r = parse_id_number("62010219511015004x");
    REQUIRE(r.ok());
    CHECK(r->normalized == "62010219511015004X");
  }
  SECTION("bad check digit") {
    auto r = parse_id_number("620102195810100018");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "id_checksum");
    CHECK(r.status().field() == "id_number");
    CHECK(r.status().message().find("must be 9") != std::string::npos);
  }
  SECTION("bad birth date") {
    std::string body = "62010219581310001";
    auto r = parse_id_number(body + id_check_char(body));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "id_birth_date");
    std::string feb30 = "62010219580230001";
    CHECK(parse_id_number(feb30 + id_check_char(feb30)).status().reason() == "id_birth_date");
  }
  SECTION("wrong length") {
    CHECK(parse_id_number("62010219581010001").status().reason() == "id_length");
    CHECK(parse_id_number("6201021958101000199").status().reason() == "id_length");
    CHECK(parse_id_number("").status().reason() == "id_length");
  }
  SECTION("X only in the last place") {
    CHECK(parse_id_number("6201021958101000X9").status().reason() == "id_format");
    CHECK(parse_id_number("62010219581010001Y").status().reason() == "id_format");
  }
  SECTION("future birth dates are refused when today is known") {
    std::string body = "62010220300101001";
    Date today{2026, 11, 23};
    CHECK(parse_id_number(body + id_check_char(body), &today).status().reason() == "id_birth_date");
  }
  SECTION("the check character maps 10 to X") {
    CHECK(id_check_char("11010519491231002") == 'X');
  }
}

TEST_CASE("phone numbers are normalised before matching", "[phone]") {
  CHECK(*normalize_phone("13912345678") == "13912345678");
  CHECK(*normalize_phone("+86 139 1234 5678") == "13912345678");
  CHECK(*normalize_phone("0086-139-1234-5678") == "13912345678");
  CHECK(*normalize_phone("8613912345678") == "13912345678");
  CHECK(*normalize_phone("0931-8123456") == "09318123456");
  CHECK(*normalize_phone("(0931) 8123 4567") == "093181234567");
  CHECK(*normalize_phone("8123456") == "09318123456");
  CHECK(*normalize_phone("+86 931 8123456") == "09318123456");
  CHECK(*normalize_phone("81234567", "010") == "01081234567");
  CHECK_FALSE(normalize_phone("12345").ok());
  CHECK_FALSE(normalize_phone("139-1234-567a").ok());
  CHECK_FALSE(normalize_phone("+1 415 555 0100").ok());
  CHECK_FALSE(normalize_phone("").ok());
  // A fuzz finding: 0086 twice normalised to 00860000865, which normalised again to another
  // number (the blind index of one phone must not depend on how often it was cleaned).
  CHECK_FALSE(normalize_phone("008600860000865").ok());
  CHECK_FALSE(normalize_phone("00931 8123456").ok());
  // A date typed into the phone field is refused, not read as the local number 20261345.
  for (const char* date : {"2026-13-45", "1950.01.01", "2026 1 5"}) {
    auto r = normalize_phone(date);
    INFO(date);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("looks like a date") != std::string::npos);
  }
  CHECK(*normalize_phone("8123-4567") == "093181234567");  // two groups: a local number
}

TEST_CASE("personal data is masked for display", "[mask]") {
  CHECK(mask_id_number("62010219511015123X") == "620102********123X");
  CHECK(mask_phone("13956785678") == "139****5678");
  CHECK(mask_phone("09318123456") == "0931***3456");
  CHECK(mask_name("张三明") == "张*明");
  CHECK(mask_name("张三") == "张*");
  CHECK(mask_name("欧阳小明") == "欧**明");
  CHECK(mask_name("李") == "李");
}
