#pragma once
// Helpers for repositories: run a prepared statement and map its rows with a reader
// function, to zero or one value (query_one) or a vector (query_all); scalar reads. A reader
// returns T, or Result<T> when a row can be refused (a column holding a value the code does
// not know is a corrupt row, reported as kInternal, never read as a default).
#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

namespace detail {
template <class X>
struct is_result : std::false_type {};
template <class X>
struct is_result<Result<X>> : std::true_type {};
}  // namespace detail

template <class T, class F>
Result<std::optional<T>> query_one(Result<Statement> st, F&& read) {
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  if constexpr (detail::is_result<decltype(read(*st))>::value) {
    auto v = read(*st);
    if (!v.ok()) return v.status();
    return std::optional<T>(std::move(*v));
  } else {
    return std::optional<T>(read(*st));
  }
}

template <class T, class F>
Result<std::vector<T>> query_all(Result<Statement> st, F&& read) {
  if (!st.ok()) return st.status();
  std::vector<T> out;
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if constexpr (detail::is_result<decltype(read(*st))>::value) {
      auto v = read(*st);
      if (!v.ok()) return v.status();
      out.push_back(std::move(*v));
    } else {
      out.push_back(read(*st));
    }
  }
  return out;
}

// Column `col` read through `parse` (one of domain's parse_* functions). A spelling `parse`
// does not know fails the read with kInternal naming `column` ("tickets.state") and the value.
template <class Parse>
auto enum_column(Statement& s, int col, Parse&& parse, const char* column)
    -> Result<typename decltype(parse(std::string_view()))::value_type> {
  const std::string text = s.text(col);
  auto v = parse(text);
  if (!v) return internal(fmt::format("{} holds '{}', which is not a known value", column, text));
  return *v;
}

// Runs `st` and calls `fn(row)` for every row; `fn` returns void, or a Status that stops the
// iteration when not ok.
template <class F>
Status for_each_row(Result<Statement> st, F&& fn) {
  if (!st.ok()) return st.status();
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    if constexpr (std::is_same_v<decltype(fn(*st)), void>) {
      fn(*st);
    } else {
      Status s = fn(*st);
      if (!s.ok()) return s;
    }
  }
}

// First column of the first row as int64, or `fallback` when there is no row or it is NULL.
inline Result<std::int64_t> query_int(Result<Statement> st, std::int64_t fallback = 0) {
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row || st->is_null(0)) return fallback;
  return st->int64(0);
}

}  // namespace vnh::store
