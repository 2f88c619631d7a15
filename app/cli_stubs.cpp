#include "app/cli.hpp"
namespace vnh::app {
int cmd_simulate(const Args&) { return fail("simulate", "being built", 1); }
}  // namespace vnh::app
