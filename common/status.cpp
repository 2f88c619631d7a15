#include "common/status.hpp"

#include <algorithm>

namespace vnh {

std::string_view code_name(Code c) {
  switch (c) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kResourceExhausted: return "resource_exhausted";
    case Code::kAborted: return "aborted";
    case Code::kUnavailable: return "unavailable";
    case Code::kDeadlineExceeded: return "deadline_exceeded";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string s(code_name(code_));
  if (!field_.empty()) s += " [" + field_ + "]";
  s += ": " + message_;
  return s;
}

std::vector<std::string_view> all_error_codes() {
  std::vector<std::string_view> out;
#define VNH_LIST_REASON(name, text) out.push_back(text);
  VNH_REASONS(VNH_LIST_REASON)
  VNH_TRANSPORT_CODES(VNH_LIST_REASON)
#undef VNH_LIST_REASON
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kInternal); ++c) {
    out.push_back(code_name(static_cast<Code>(c)));
  }
  std::vector<std::string_view> unique;  // in the order declared, each once
  for (auto c : out) {
    if (std::find(unique.begin(), unique.end(), c) == unique.end()) unique.push_back(c);
  }
  return unique;
}

std::vector<std::string_view> all_unassigned_reasons() {
  std::vector<std::string_view> out;
#define VNH_LIST_UNASSIGNED(name, text) out.push_back(text);
  VNH_UNASSIGNED_REASONS(VNH_LIST_UNASSIGNED)
#undef VNH_LIST_UNASSIGNED
  return out;
}

}  // namespace vnh
