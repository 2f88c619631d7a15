#include <catch2/catch.hpp>

#include "common/csv.hpp"

using namespace vnh;

TEST_CASE("CSV reader handles quotes, CRLF, BOM and keeps line numbers", "[csv]") {
  auto t = parse_csv("\xEF\xBB\xBF" "a,b\r\n1,\"x, \"\"y\"\"\"\r\n\r\n2,\"multi\nline\"\n3,\n");
  REQUIRE(t.ok());
  CHECK(t->header == std::vector<std::string>{"a", "b"});
  REQUIRE(t->rows.size() == 3);
  CHECK(t->rows[0].fields[1] == "x, \"y\"");
  CHECK(t->rows[0].line == 2);
  CHECK(t->rows[1].line == 4);
  CHECK(t->rows[1].fields[1] == "multi\nline");
  CHECK(t->rows[2].line == 6);
  CHECK(t->rows[2].fields[1].empty());
}

TEST_CASE("CSV reader reports malformed input with its line", "[csv]") {
  auto unterminated = parse_csv("a,b\n1,\"oops\n");
  REQUIRE_FALSE(unterminated.ok());
  CHECK(unterminated.status().field() == "2");
  auto stray = parse_csv("a,b\n1,x\"y\n");
  REQUIRE_FALSE(stray.ok());
  CHECK(stray.status().field() == "2");
  CHECK_FALSE(parse_csv("").ok());
  CHECK_FALSE(parse_csv("a\n\xC3\x28\n").ok());
}

TEST_CASE("CSV writer quotes only when needed and ends lines with CRLF", "[csv]") {
  std::string out;
  csv_append_row(out, {"F001", "张,三", "say \"hi\"", ""});
  CHECK(out == "F001,\"张,三\",\"say \"\"hi\"\"\",\r\n");
}
