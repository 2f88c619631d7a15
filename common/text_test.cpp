#include <catch2/catch.hpp>

#include "common/text.hpp"

using namespace vnh;

TEST_CASE("fixed-point decimals parse exactly", "[text]") {
  CHECK(*parse_fixed("92.55", 2) == 9255);
  CHECK(*parse_fixed("92.5", 2) == 9250);
  CHECK(*parse_fixed("100", 2) == 10000);
  CHECK(*parse_fixed("0.01", 2) == 1);
  CHECK(*parse_fixed("-1.5", 2) == -150);
  CHECK_FALSE(parse_fixed("92.555", 2).ok());
  CHECK_FALSE(parse_fixed("9e1", 2).ok());
  CHECK_FALSE(parse_fixed(" 92.5", 2).ok());
  CHECK_FALSE(parse_fixed("92.", 2).ok());
  CHECK_FALSE(parse_fixed("", 2).ok());
  CHECK(format_fixed(9250, 2) == "92.50");
  CHECK(format_fixed(5, 2) == "0.05");
  CHECK(format_fixed(-5, 2) == "-0.05");
  CHECK(format_fixed(95, 2) == "0.95");
}

TEST_CASE("integers parse strictly", "[text]") {
  CHECK(*parse_int("1500") == 1500);
  CHECK(*parse_int("-3") == -3);
  CHECK_FALSE(parse_int("15.0").ok());
  CHECK_FALSE(parse_int("+3").ok());
  CHECK_FALSE(parse_int("1 5").ok());
  CHECK_FALSE(parse_int("99999999999999999999").ok());
}

TEST_CASE("UTF-8 is validated", "[text]") {
  CHECK(valid_utf8("张三 abc"));
  CHECK_FALSE(valid_utf8("\xC3\x28"));
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));  // surrogate
  CHECK(code_points("张a").size() == 2);
}

TEST_CASE("what is echoed is printable UTF-8", "[text]") {
  CHECK(printable_utf8("no such file: 张三.csv") == "no such file: 张三.csv");
  CHECK(printable_utf8(std::string("/console/\xc0\xae")) == "/console/\\xC0\\xAE");  // overlong '.'
  CHECK(printable_utf8(std::string("a\nb\0c", 5)) == "a\\x0Ab\\x00c");
  CHECK(printable_utf8(std::string("\xe5\xbc")) == "\\xE5\\xBC");  // a cut-off sequence
  CHECK(valid_utf8(printable_utf8(std::string("\xff\xfe\xed\xa0\x80"))));
}

TEST_CASE("amounts in Chinese capital numerals (大写) as a statement writes them", "[text][money]") {
  CHECK(chinese_capital_amount(56110345) == "伍拾陆万壹仟壹佰零叁元肆角伍分");
  CHECK(chinese_capital_amount(0) == "零元整");
  CHECK(chinese_capital_amount(100) == "壹元整");
  CHECK(chinese_capital_amount(5) == "伍分");
  CHECK(chinese_capital_amount(40) == "肆角");
  CHECK(chinese_capital_amount(1005) == "壹拾元零伍分");
  CHECK(chinese_capital_amount(100050000) == "壹佰万零伍佰元整");
  CHECK(chinese_capital_amount(1000000000) == "壹仟万元整");
  CHECK(chinese_capital_amount(10000000500) == "壹亿零伍元整");
  CHECK(chinese_capital_amount(10005000000) == "壹亿零伍万元整");
  CHECK(chinese_capital_amount(101000) == "壹仟零壹拾元整");
  CHECK(chinese_capital_amount(10000100000) == "壹亿零壹仟元整");
  CHECK(chinese_capital_amount(8145000) == "捌万壹仟肆佰伍拾元整");
  CHECK(chinese_capital_amount(-250) == "负贰元伍角");
}

TEST_CASE("text for HTML: & < > and quotes escaped, the rest as it is", "[text]") {
  CHECK(html_escape("张三 <b>&\"x\"</b>") == "张三 &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;");
  CHECK(html_escape("") == "");
}
