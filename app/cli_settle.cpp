// vnh settle --month YYYY-MM --db FILE --out DIR [--policy FILE]
#include <fmt/format.h>

#include "app/options.hpp"
#include "common/text.hpp"
#include "settlement/settlement.hpp"

namespace vnh::app {

int cmd_settle(const Args& args) {
  po::options_description desc("options");
  std::string month_text, db_path, out_dir;
  desc.add_options()("month", po::value(&month_text)->required(), "the month to settle, YYYY-MM")(
      "db", po::value(&db_path)->required(), "database file")("out", po::value(&out_dir)->required(),
                                                              "folder for the CSV, HTML and statements")(
      "policy", po::value<std::string>(), "policy TOML (default: the one in force that month)");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("settle", "--month YYYY-MM --db FILE --out DIR [--policy FILE]", args, desc, pos, vm)) {
    return *rc;
  }
  auto month = parse_year_month(month_text);
  if (!month.ok()) return fail("settle", "--month: " + month.status().message(), 2);
  std::optional<std::string> policy_file;
  if (vm.count("policy")) policy_file = vm["policy"].as<std::string>();

  auto st = open_for_cli(db_path, false);
  if (!st.ok()) return fail("settle", st.status().message(), 2);
  auto& store = **st;
  auto policy = resolve_policy(store.db(), policy_file, *month);
  if (!policy.ok()) return fail("settle", policy.status().message(), 2);

  SystemClock clock;
  settlement::RunOptions opts{*month, out_dir, cli_actor(), clock.now_ms()};
  auto r = settlement::run(
      store.db(), [&](const auto& w) { return store::run_transaction(store.db(), w); }, *policy, opts);
  if (!r.ok()) return fail("settle", r.status().message(), r.status().code() == Code::kInternal ? 1 : 2);
  const auto& s = r->settlement;
  fmt::print("settlement {} (policy {}…, {})\n", month->to_string(), policy->digest.substr(0, 12), policy->source);
  fmt::print("{:<10} {:>9} {:>9} {:>12} {:>7} {:>5} {:>10} {:>12}\n", "firm", "completed", "eligible", "subsidy_fen",
             "T", "coef", "deduct", "payout_fen");
  for (const auto& l : s.lines) {
    fmt::print("{:<10} {:>9} {:>9} {:>12} {:>7} {:>5} {:>10} {:>12}{}\n", l.code, l.tickets_completed,
               l.tickets_eligible, l.subsidy, l.score_total ? format_fixed(*l.score_total, 2) : "-",
               l.coefficient ? format_fixed(*l.coefficient, 2) : "-", l.deductions, l.payout,
               l.exit_review ? "  exit review" : "");
  }
  fmt::print("{:<10} {:>9} {:>9} {:>12} {:>7} {:>5} {:>10} {:>12}\n", "total", s.tickets_completed, s.tickets_eligible,
             s.subsidy, "", "", s.deductions, s.payout);
  for (const auto& f : r->files) {
    if (f.rfind("statements", 0) != 0) fmt::print("wrote {}/{}\n", out_dir, f);
  }
  fmt::print("wrote {}/statements-{}/ ({} firm statements); run recorded as draft, approve it in the console\n",
             out_dir, month->to_string(), r->files.size() - 2);
  return 0;
}

}  // namespace vnh::app
