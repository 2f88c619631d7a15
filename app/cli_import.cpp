// vnh import KIND FILE.csv --db FILE [--policy FILE]
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "app/offline_tickets.hpp"
#include "app/options.hpp"
#include "common/file.hpp"
#include "common/log.hpp"
#include "importer/importer.hpp"

namespace vnh::app {

int cmd_import(const Args& args) {
  po::options_description desc("options");
  std::string kind_name, file, db_path;
  std::optional<std::string> policy_file;
  desc.add_options()("kind", po::value(&kind_name)->required(), importer::kind_names().c_str())(
      "file", po::value(&file)->required(), "the CSV file (UTF-8, header row)")(
      "db", po::value(&db_path)->required(), "database file (created if missing)")(
      "policy", po::value<std::string>(), "policy TOML (default: the one in force)");
  po::positional_options_description pos;
  pos.add("kind", 1).add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options("import", "KIND FILE.csv --db FILE", args, desc, pos, vm)) return *rc;
  if (vm.count("policy")) policy_file = vm["policy"].as<std::string>();

  auto kind = importer::parse_kind(kind_name);
  if (!kind) return fail("import", fmt::format("unknown kind '{}'; one of: {}", kind_name, importer::kind_names()), 2);
  auto bytes = read_file(file);
  if (!bytes) return fail("import", fmt::format("{}: cannot read the file", file), 2);
  std::string data = std::move(*bytes);

  auto st = open_for_cli(db_path, true);
  if (!st.ok()) return fail("import", st.status().message());
  auto& store = **st;
  SystemClock clock;
  TimeMs now = clock.now_ms();
  auto policy = resolve_policy(store.db(), policy_file, current_month(now));
  if (!policy.ok()) return fail("import", policy.status().message(), 2);

  // A death cancels the elder's open tickets, which tells the firms holding them.
  std::unique_ptr<OfflineTickets> offline;
  if (*kind == importer::Kind::kDeaths) {
    auto o = OfflineTickets::open(store, *policy, clock);
    if (!o.ok()) return fail("import", o.status().message());
    offline = std::move(*o);
  }
  importer::ImportContext ctx{*policy, store.crypto(), now, cli_actor(), file, offline ? &offline->service() : nullptr};
  auto rep = importer::import_csv(store.db(), *kind, data, ctx);
  if (!rep.ok()) return fail("import", rep.status().message());
  if (!rep->ok()) {
    fmt::print(stderr, "{}", rep->format_errors(file));
    fmt::print(stderr, "vnh import: {} rejected ({} error{}); nothing was written\n", file, rep->errors.size(),
               rep->errors.size() == 1 ? "" : "s");
    return 2;
  }
  std::string derived;
  for (const auto& [k, n] : rep->derived) derived += fmt::format(", {} {}", n, k);
  fmt::print("imported {} {} row{} from {}{}\n", rep->rows, importer::to_string(*kind), rep->rows == 1 ? "" : "s", file,
             derived);
  return 0;
}

}  // namespace vnh::app
