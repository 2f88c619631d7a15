#pragma once
// Subcommands of the `vnh` binary. Each takes its arguments after the subcommand name and
// returns the process exit code: 0 success, 1 failure, 2 bad usage or rejected input.
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"
#include "store/sqlite.hpp"

namespace vnh::app {

using Args = std::vector<std::string>;

int cmd_serve(const Args& args);
int cmd_demo(const Args& args);
int cmd_import(const Args& args);
int cmd_settle(const Args& args);
int cmd_user(const Args& args);
int cmd_firm(const Args& args);
int cmd_audit(const Args& args);
int cmd_simulate(const Args& args);
int cmd_partner(const Args& args);

// The policy to use for `month`: the file given with --policy (recorded in the database when
// used), else the newest stored policy in force that month, else the built-in default.
Result<domain::Policy> resolve_policy(store::Database& db, const std::optional<std::string>& file, YearMonth month);

// The business month of an instant, for choosing the policy in force (Asia/Shanghai: the
// policy's own zone is only known once a policy is chosen).
YearMonth current_month(TimeMs now);

// Prints "vnh <cmd>: message" to stderr and returns `code`.
int fail(const std::string& cmd, const std::string& message, int code = 1);

}  // namespace vnh::app
