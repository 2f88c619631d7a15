// Issue 21's figures on a district of 110,000 elders and 126 firms: the recurring orders' daily
// job with 20,000 recurrences (the first run, which makes today and the two days ahead; a
// day's run after it, which makes one new day; a second run of the same day, which makes
// nothing), and the eligibility watch for a month (the upcoming list and the day's marks).
#include <fmt/format.h>

#include "app/offline_tickets.hpp"
#include "bench/bench_util.hpp"
#include "common/log.hpp"
#include "data/embedded.hpp"
#include "recurrence/recurrence.hpp"
#include "registry/eligibility.hpp"
#include "sim/district.hpp"
#include "store/query.hpp"
#include "store/recurrences.hpp"
#include "store/store.hpp"

using namespace vnh;

namespace {

// One job run over every live recurrence, 250 to a transaction as the server does.
recurrence::RunReport run_job(store::Store& st, const domain::Policy& policy, tickets::Service& service, TimeMs now) {
  recurrence::RunReport total;
  auto live = *store::live_recurrences(st.db());
  recurrence::Deps deps{policy, st.crypto(), service};
  for (size_t at = 0; at < live.size(); at += 250) {
    std::vector<store::RecurrenceRow> chunk(live.begin() + static_cast<std::ptrdiff_t>(at),
                                            live.begin() + static_cast<std::ptrdiff_t>(std::min(live.size(), at + 250)));
    Status s = store::run_transaction(st.db(), [&](store::WriteTx& tx) -> Status {
      VNH_ASSIGN_OR_RETURN(auto rep, recurrence::run_due(tx, deps, chunk, now));
      total.tickets += rep.tickets;
      total.orders += rep.orders;
      total.skipped += rep.skipped;
      total.ended += rep.ended;
      return Status::Ok();
    });
    if (!s.ok()) std::fprintf(stderr, "job: %s\n", s.message().c_str());
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  log::init("error");
  const long recurrences = argc > 1 ? std::atol(argv[1]) : 20000;
  bench::TempFolder dir;
  const std::string path = (dir.path / "e.db").string();
  auto policy = *domain::load_policy(data::default_policy_text(), "policy");
  bench::BulkLoader bulk(path, policy);
  auto& st = *bulk.store;
  sim::DistrictSpec spec;
  sim::DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
  if (!gen.emit_population(bulk.sink(), nullptr)) return 1;
  const TimeMs start = *parse_time("2026-11-23T06:00:00+08:00");
  FakeClock clock(start);
  // 20,000 elders with a recurring order: a bath every week, a clean on Mondays, Wednesdays
  // and Fridays, a blood-pressure check every day (Lanzhou's most common regulars).
  (void)st.db().exec("BEGIN");
  (void)st.db().exec(fmt::format(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {}) "
      "INSERT INTO recurrences(elder_id, item_id, rule, window_start, window_end, starts_on, state, created_by, "
      "created_at, updated_at) SELECT 1 + (x * 5) % (SELECT max(id) FROM elders), "
      "(SELECT id FROM catalog_items WHERE code = CASE x % 3 WHEN 0 THEN 'LC005' WHEN 1 THEN 'LC021' ELSE 'MC001' END), "
      "CASE x % 3 WHEN 0 THEN 'FREQ=WEEKLY;BYDAY=MO' WHEN 1 THEN 'FREQ=WEEKLY;BYDAY=MO,WE,FR' ELSE 'FREQ=DAILY' END, "
      "'09:00', '11:00', '2026-11-23', 'active', 'bench', {}, {} FROM c",
      recurrences, start, start));
  (void)st.db().exec("COMMIT");
  auto offline = *app::OfflineTickets::open(st, policy, clock);

  auto t0 = std::chrono::steady_clock::now();
  auto first = run_job(st, policy, offline->service(), clock.now_ms());
  const double first_s = bench::seconds_since(t0);
  auto t1 = std::chrono::steady_clock::now();
  auto again = run_job(st, policy, offline->service(), clock.now_ms());
  const double again_s = bench::seconds_since(t1);
  clock.advance(86'400'000);
  auto t2 = std::chrono::steady_clock::now();
  auto next = run_job(st, policy, offline->service(), clock.now_ms());
  const double next_s = bench::seconds_since(t2);
  bench::figure("entitlements", "recurrences", static_cast<double>(recurrences), "recurrences");
  bench::figure("entitlements", "first_run_tickets", first.tickets, "tickets");
  bench::figure("entitlements", "first_run_seconds", first_s, "s");
  bench::figure("entitlements", "same_day_rerun_tickets", again.tickets, "tickets");
  bench::figure("entitlements", "same_day_rerun_seconds", again_s, "s");
  bench::figure("entitlements", "daily_run_tickets", next.tickets, "tickets");
  bench::figure("entitlements", "daily_run_seconds", next_s, "s");
  bench::figure("entitlements", "daily_run_ms_per_ticket", next.tickets ? 1000.0 * next_s / next.tickets : 0, "ms");

  auto t3 = std::chrono::steady_clock::now();
  auto up = registry::upcoming(st.db(), policy, {2026, 12}, "");
  const double up_s = bench::seconds_since(t3);
  bench::figure("entitlements", "eligibility_elders", up.ok() ? static_cast<double>(up->size()) : -1, "elders");
  bench::figure("entitlements", "eligibility_month_seconds", up_s, "s");
  auto t4 = std::chrono::steady_clock::now();
  Result<int> marked = internal("not run");
  (void)store::run_transaction(st.db(), [&](store::WriteTx& tx) {
    marked = registry::mark_today(tx, policy, clock.now_ms());
    return marked.status();
  });
  bench::figure("entitlements", "daily_marks", marked.ok() ? *marked : -1, "elders");
  bench::figure("entitlements", "daily_marks_seconds", bench::seconds_since(t4), "s");
  bench::figure("entitlements", "peak_rss_mib", static_cast<double>(bench::peak_rss_kib()) / 1024.0, "MiB");
  return 0;
}
