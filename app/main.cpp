// vnh — the virtual nursing home dispatch platform. A thin main: it only picks the
// subcommand; each lives in app/cli_*.cpp and wires the modules together.
#include <fmt/format.h>

#include <exception>
#include <string>
#include <vector>

#include "app/cli.hpp"

namespace {

void usage() {
  fmt::print(
      "vnh — virtual nursing home dispatch platform\n\n"
      "usage: vnh COMMAND [options]\n\n"
      "  serve     --db FILE [--listen 127.0.0.1:8080] [--policy FILE]   run the platform\n"
      "  demo      [--port N] [--dir D]                                   a living demo district in one command\n"
      "  import    KIND FILE.csv --db FILE                                 load a CSV (SPEC §7), all or nothing\n"
      "  settle    --month YYYY-MM --db FILE --out DIR [--policy FILE]     the monthly subsidy settlement\n"
      "  user      add NAME --role ROLE --password-stdin --db FILE          manage console users\n"
      "  firm      token FIRM_CODE --db FILE                               issue a partner token (revokes the old)\n"
      "  audit     verify --db FILE                                        check the hash-chained audit log\n"
      "  simulate  --url URL --rate R --duration S --firms F               load and partner simulation\n"
      "  partner   --url URL --token TOKEN                                 reference partner-firm client\n\n"
      "Run `vnh COMMAND --help` for the options of a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    fmt::print("vnh 0.1.0\n");
    return 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "serve") return vnh::app::cmd_serve(args);
    if (cmd == "demo") return vnh::app::cmd_demo(args);
    if (cmd == "import") return vnh::app::cmd_import(args);
    if (cmd == "settle") return vnh::app::cmd_settle(args);
    if (cmd == "user") return vnh::app::cmd_user(args);
    if (cmd == "firm") return vnh::app::cmd_firm(args);
    if (cmd == "audit") return vnh::app::cmd_audit(args);
    if (cmd == "simulate") return vnh::app::cmd_simulate(args);
    if (cmd == "partner") return vnh::app::cmd_partner(args);
  } catch (const std::exception& e) {
    fmt::print(stderr, "vnh {}: {}\n", cmd, e.what());
    return 1;
  }
  fmt::print(stderr, "vnh: unknown command '{}'\n\n", cmd);
  usage();
  return 2;
}
