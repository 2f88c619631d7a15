#pragma once
// Command-line parsing for subcommands on Boost.program_options, with errors that name the
// option, and the helpers every subcommand shares (open the store, read stdin).
#include <boost/program_options.hpp>

#include <memory>
#include <optional>
#include <string>

#include "app/cli.hpp"
#include "store/store.hpp"

namespace vnh::app {

namespace po = boost::program_options;

// Parses `args` against `desc` and `pos`; prints the error or --help and returns the exit
// code to use (0 after --help, 2 on error), or nullopt to go on.
std::optional<int> parse_options(const std::string& cmd, const std::string& synopsis, const Args& args,
                                 po::options_description& desc, const po::positional_options_description& pos,
                                 po::variables_map& vm);

// Opens a database for a single-threaded command (no writer thread).
Result<std::unique_ptr<store::Store>> open_for_cli(const std::string& path, bool create);

// Reads the first line of stdin without its line ending.
std::string read_stdin_line();

// The operating-system user running the command, for audit entries ("cli:alice").
std::string cli_actor();

}  // namespace vnh::app
