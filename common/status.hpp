#pragma once
// Status and Result<T>: the error currency of domain and storage code (tier 2 of the error
// rules in docs/architecture.md). A Status carries a canonical code (as in absl/gRPC), a
// human message, the input field it concerns (for API and CSV errors) and an optional
// machine-readable reason ("illegal_transition"). Values are cheap to move; not thread-bound.
#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/reasons.hpp"

namespace vnh {

enum class Code {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kAborted,
  kUnavailable,
  kDeadlineExceeded,
  kInternal,
};

// snake_case name used in JSON error bodies and partner CommandResult codes.
std::string_view code_name(Code c);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = {}, Reason reason = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)), reason_(reason.code()) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  // Specific machine reason when the canonical code is too coarse (common/reasons.hpp);
  // empty otherwise.
  const std::string& reason() const { return reason_; }
  // Uniform accessor so VNH_RETURN_IF_ERROR works for Status and Result alike.
  const Status& status() const& { return *this; }
  Status status() && { return std::move(*this); }
  Status with_field(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  std::string reason_;
};

inline Status invalid(std::string field, std::string message, Reason reason = {}) {
  return Status(Code::kInvalidArgument, std::move(message), std::move(field), std::move(reason));
}
inline Status not_found(std::string message, std::string field = {}) {
  return Status(Code::kNotFound, std::move(message), std::move(field));
}
inline Status precondition(std::string message, Reason reason = {}) {
  return Status(Code::kFailedPrecondition, std::move(message), {}, std::move(reason));
}
inline Status internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT
  bool ok() const { return v_.index() == 0; }
  const Status& status() const& {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  Status status() && { return ok() ? Status() : std::get<Status>(std::move(v_)); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vnh

#define VNH_CONCAT_INNER_(a, b) a##b
#define VNH_CONCAT_(a, b) VNH_CONCAT_INNER_(a, b)
#define VNH_RETURN_IF_ERROR(expr)                 \
  do {                                            \
    auto&& vnh_st_ = (expr);                      \
    if (!vnh_st_.ok()) return vnh_st_.status();   \
  } while (0)
#define VNH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()
#define VNH_ASSIGN_OR_RETURN(lhs, expr) \
  VNH_ASSIGN_OR_RETURN_IMPL_(VNH_CONCAT_(vnh_res_, __LINE__), lhs, expr)
