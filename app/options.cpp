#include "app/options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace vnh::app {

std::optional<int> parse_options(const std::string& cmd, const std::string& synopsis, const Args& args,
                                 po::options_description& desc, const po::positional_options_description& pos,
                                 po::variables_map& vm) {
  desc.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: vnh " << cmd << " " << synopsis << "\n\n" << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vnh " << cmd << ": " << e.what() << "\nusage: vnh " << cmd << " " << synopsis << "\n";
    return 2;
  }
  return std::nullopt;
}

Result<std::unique_ptr<store::Store>> open_for_cli(const std::string& path, bool create) {
  store::StoreOptions o;
  o.path = path;
  o.create = create;
  o.start_writer = false;
  return store::Store::open(o);
}

std::string read_stdin_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string cli_actor() {
  const char* u = std::getenv("USER");
  if (!u || !*u) u = std::getenv("LOGNAME");
  return fmt::format("cli:{}", u && *u ? u : std::to_string(::getuid()));
}

}  // namespace vnh::app
