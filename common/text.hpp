#pragma once
// Small text helpers shared by parsers: trimming, splitting, strict integer and decimal parsing
// (money is integer fen, scores are exact hundredths), UTF-8 validation and code points.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace vnh {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string to_lower(std::string_view s);

// Strict base-10 integer: optional '-', digits only, no spaces, fits int64.
Result<std::int64_t> parse_int(std::string_view s);
// Decimal with at most `scale` fractional digits as an exact integer multiple of 10^-scale:
// parse_fixed("92.5", 2) == 9250. Rejects exponents, spaces and extra digits.
Result<std::int64_t> parse_fixed(std::string_view s, int scale);
// Formats an integer multiple of 10^-scale: format_fixed(9250, 2) == "92.50".
std::string format_fixed(std::int64_t v, int scale);
// Finite double in plain decimal notation.
Result<double> parse_double(std::string_view s);

bool valid_utf8(std::string_view s);
// `s` made safe to echo: well-formed UTF-8 kept, every other byte and every control character
// written as \xNN (so an answer never carries invalid UTF-8 or a raw newline).
std::string printable_utf8(std::string_view s);
// A free-text field of a request: valid UTF-8, at most `max_chars` characters, and not blank
// when `required`. Errors name `field` ("is required", "is longer than 500 characters").
// A text field as received: valid UTF-8, at most `max_chars`, no control characters — none at
// all when `one_line` (codes and names), tab and line breaks allowed in free text.
Status check_text(std::string_view value, const char* field, std::size_t max_chars, bool required = true,
                  bool one_line = false);
// An amount of fen in Chinese capital numerals as financial documents write it (大写):
// 56110345 → 伍拾陆万壹仟壹佰零叁元肆角伍分, 100 → 壹元整, 5 → 伍分, 0 → 零元整, −250 → 负贰元伍角.
std::string chinese_capital_amount(std::int64_t fen);
// Text for HTML element content and attribute values: & < > " escaped.
std::string html_escape(std::string_view s);
// An Idempotency-Key header: 1 to 128 printable ASCII characters, no spaces.
Status check_idempotency_key(std::string_view key);
std::vector<char32_t> code_points(std::string_view utf8);
std::string utf8_encode(char32_t cp);

}  // namespace vnh
