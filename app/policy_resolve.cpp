#include <fmt/format.h>

#include "app/cli.hpp"
#include "data/embedded.hpp"
#include "settlement/settlement.hpp"

namespace vnh::app {

Result<domain::Policy> resolve_policy(store::Database& db, const std::optional<std::string>& file, YearMonth month) {
  if (file) return domain::load_policy_file(*file);
  auto built_in = domain::load_policy(data::default_policy_text(), "built-in data/policy.toml");
  if (!built_in.ok()) return built_in.status();
  return settlement::policy_for_month(db, month, *built_in);
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
