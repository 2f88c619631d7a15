#include <fmt/format.h>

#include "app/cli.hpp"
#include "data/embedded.hpp"
#include "store/policies.hpp"

namespace vnh::app {

Result<domain::Policy> resolve_policy(store::Database& db, const std::optional<std::string>& file, YearMonth month) {
  if (file) return domain::load_policy_file(*file);
  auto stored = store::policy_for_month(db, month);
  if (!stored.ok()) return stored.status();
  if (*stored) return domain::load_policy((*stored)->body, (*stored)->source);
  return domain::load_policy(data::default_policy_text(), "built-in data/policy.toml");
}

YearMonth current_month(TimeMs now) {
  static const auto kShanghai = TimeZone::fixed("Asia/Shanghai", 8 * 3600);
  return kShanghai->local_month(now);
}

int fail(const std::string& cmd, const std::string& message, int code) {
  fmt::print(stderr, "vnh {}: {}\n", cmd, message);
  return code;
}

}  // namespace vnh::app
