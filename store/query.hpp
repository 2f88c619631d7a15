#pragma once
// Helpers for repositories: run a prepared statement and map its rows with a reader
// function, to zero or one value (query_one) or a vector (query_all); scalar reads.
#include <optional>
#include <type_traits>
#include <vector>

#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

template <class T, class F>
Result<std::optional<T>> query_one(Result<Statement> st, F&& read) {
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  return std::optional<T>(read(*st));
}

template <class T, class F>
Result<std::vector<T>> query_all(Result<Statement> st, F&& read) {
  if (!st.ok()) return st.status();
  std::vector<T> out;
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read(*st));
  }
  return out;
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
