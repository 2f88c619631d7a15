// Settlement time and peak memory for 100k, 1M and 10M ticket-months on a district of 110,000
// elders and 126 firms. Each size is settled in a forked child so its peak RSS is its own.
// Issue 5's target: 10M tickets in under 30 s and under 2 GiB.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_util.hpp"
#include "common/log.hpp"
#include "data/embedded.hpp"
#include "importer/importer.hpp"
#include "settlement/settlement.hpp"
#include "sim/district.hpp"
#include "store/stats.hpp"
#include "store/store.hpp"

using namespace vnh;

namespace {
// Settles the month in this (fresh) process and prints its figures.
int settle_only(const std::string& path, long n) {
  auto policy = *domain::load_policy(data::default_policy_text(), "policy");
  // The settlement reads birth dates out of the encrypted ID numbers: the connection needs the key.
  auto keys = *FieldCrypto::from_key_file(path + ".key", false);
  store::OpenOptions ro{true};
  ro.keys = &keys;
  auto db = std::move(*store::Database::open(path, ro));
  auto t0 = std::chrono::steady_clock::now();
  auto s = settlement::compute(*db, policy, {2026, 10}, nullptr);
  double secs = bench::seconds_since(t0);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().message().c_str());
    return 1;
  }
  std::string label = n >= 1'000'000 ? fmt::format("{}M", n / 1'000'000) : fmt::format("{}k", n / 1000);
  // The canteens' part alone (SPEC §12): the month's meals with no ticket.
  auto in = settlement::load_inputs(*db, policy, {2026, 10}, false);
  auto t1 = std::chrono::steady_clock::now();
  auto meals_only = settlement::compute(
      *in, settlement::month_meals(*db, policy, {2026, 10}),
      [](const std::function<Status(const store::SettledTicket&)>&) { return Status::Ok(); }, policy, {2026, 10});
  double meal_secs = bench::seconds_since(t1);
  if (meals_only.ok()) {
    bench::figure("settlement", "meals_" + label, static_cast<double>(meals_only->meals_served), "meals");
    bench::figure("settlement", "meals_seconds_" + label, meal_secs, "s");
    bench::figure("settlement", "meals_share_pct_" + label, 100.0 * meal_secs / secs, "%");
  }
  bench::figure("settlement", "seconds_" + label, secs, "s");
  bench::figure("settlement", "peak_rss_mib_" + label, static_cast<double>(bench::peak_rss_kib()) / 1024.0, "MiB");
  bench::figure("settlement", "tickets_per_s_" + label, static_cast<double>(n) / secs, "tickets/s");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  log::init("error");
  if (argc == 4 && std::string(argv[1]) == "--settle") return settle_only(argv[2], std::atol(argv[3]));
  std::vector<long> sizes = {100'000, 1'000'000, 10'000'000};
  if (argc > 1) {
    sizes.clear();
    for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  }
  bench::TempFolder dir;
  std::string path = (dir.path / "s.db").string();
  auto policy = *domain::load_policy(data::default_policy_text(), "policy");
  YearMonth month{2026, 10};
  {
    bench::BulkLoader bulk(path, policy);
    auto& st = bulk.store;
    auto sink = bulk.sink();
    sim::DistrictSpec spec;
    sim::DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
    if (!gen.emit_population(sink, nullptr)) return 1;
    std::string insp = "firm_code,month,enterprise_building,service_norms,staff_management\r\n";
    for (const auto& f : gen.firms()) insp += fmt::format("{},2026-10,85,85,85\r\n", f.code);
    sink("inspections", insp);
    // Lanzhou's canteens: 65, each serving 200 card holders a lunch every day of the month
    // (390,000 meals), recorded as the counter would (the day's first lunch subsidised).
    std::string canteens = "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n";
    for (int k = 0; k < 65; ++k) {
      const auto& c = gen.communities()[static_cast<size_t>(k) * gen.communities().size() / 65];
      canteens += fmt::format("K{:03},{}老年餐桌,,{},36.06,103.83,active,1,400\r\n", k + 1, c.name, c.code);
    }
    sink("canteens", canteens);
    auto& db = st->db();
    TimeMs from = policy.tz->month_start(month);
    (void)db.exec("BEGIN");
    (void)db.exec(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 13000) "
        "INSERT INTO meal_cards(card_no, elder_id, issued_on, status, created_at) "
        "SELECT printf('C%08d', x), x, '2026-01-10', 'active', 0 FROM c");
    (void)db.exec(fmt::format(
        "WITH RECURSIVE d(day) AS (SELECT 0 UNION ALL SELECT day + 1 FROM d WHERE day < 30), "
        "e(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM e WHERE x < 13000) "
        "INSERT INTO meals(canteen_id, elder_id, slot, day, served_at, mode, price_fen, government_fen, elder_fen, rule, "
        "takes_place, identified_by, card_id, recorded_by, recorded_at) "
        "SELECT 1 + (x - 1) / 200, x, 'lunch', date('2026-10-01', '+' || day || ' days'), "
        "{} + day * 86400000 + 10800000 + (x % 200) * 27000, 'dine_in', 1500, 1000, 500, 'lunch_75_up', 1, "
        "CASE WHEN x % 20 = 0 THEN 'id_number' ELSE 'card' END, CASE WHEN x % 20 = 0 THEN NULL ELSE x END, 'bench', 0 "
        "FROM d, e",
        from));
    (void)db.exec("COMMIT");
    // Only the index the settlement reads; bulk loading the others would dominate the setup.
    for (const char* ix : {"tickets_state", "tickets_firm_state", "tickets_elder", "tickets_offer_expiry",
                           "tickets_accepted", "tickets_staff", "tickets_created"}) {
      (void)st->db().exec(std::string("DROP INDEX ") + ix);
    }
  }
  long have = 0;
  for (long n : sizes) {
    {
      auto db = std::move(*store::Database::open(path, store::OpenOptions{false, true, "OFF"}));
      auto t0 = std::chrono::steady_clock::now();
      TimeMs from = policy.tz->month_start(month);
      TimeMs span = policy.tz->month_start(month.next()) - from;
      auto elders = *store::max_elder_id(*db);
      auto items = *store::max_item_id(*db);
      std::string sql = fmt::format(
          "WITH RECURSIVE c(x) AS (SELECT {} UNION ALL SELECT x + 1 FROM c WHERE x < {}) "
          "INSERT INTO tickets(ticket_no, elder_id, item_id, category, channel, urgency, window_start, window_end, "
          "state, firm_id, staff_code, created_at, created_by, updated_at, accepted_at, checkin_at, checkin_lat, "
          "checkin_lon, checkout_at, checkout_lat, checkout_lon, closed_at, dispute, held_exceptions) "
          "SELECT printf('B%010d', x), 1 + (x * 7919) % {e}, 1 + (x * 31) % {i}, 'life_care', 'import', 'normal', "
          "co - 5400000, co - 1800000, CASE WHEN x % 40 = 0 THEN 'disputed' ELSE 'completed' END, 1 + x % 126, "
          "'W1', co - 86400000, 'bench', co, co - 7200000, co - 2700000, 36.06, 103.83, co, 36.06, 103.83, co, "
          "CASE WHEN x % 40 = 0 THEN 'open' ELSE 'none' END, CASE WHEN x % 50 = 0 THEN 1 ELSE 0 END "
          "FROM (SELECT x, {from} + (x * 2654435761) % {span} AS co FROM c)",
          have + 1, n, fmt::arg("e", elders), fmt::arg("i", items), fmt::arg("from", from), fmt::arg("span", span));
      if (!db->exec("BEGIN").ok() || !db->exec(sql).ok() || !db->exec("COMMIT").ok()) return 1;
      have = n;
      std::fprintf(stderr, "loaded %ld tickets in %.1f s\n", n, bench::seconds_since(t0));
    }
    // A fresh process per size, so the peak RSS is the settlement's own.
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      std::string count = std::to_string(n);
      execl("/proc/self/exe", argv[0], "--settle", path.c_str(), count.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
  }
  return 0;
}
