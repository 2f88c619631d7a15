// Intake: sustained durable ticket creations per second over HTTP with 32 and 64 concurrent
// clients (each answered only after its commit under WAL + synchronous=FULL), beside the raw
// single-row WAL+FULL SQLite insert rate measured in the same run. Issue 3's target: intake
// ≥ 3× the raw rate, p99 < 20 ms.
#include <fmt/format.h>

#include <fstream>

#include "app/server.hpp"
#include "bench/bench_util.hpp"
#include "bench/http_load.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "data/embedded.hpp"
#include "hotline/auth.hpp"
#include "importer/importer.hpp"
#include "sim/clients.hpp"
#include "sim/district.hpp"
#include "sim/simulator.hpp"
#include "store/stats.hpp"
#include "store/store.hpp"

using namespace vnh;
namespace json = boost::json;

namespace {

struct RawRate {
  double per_s = 0;
  sim::Percentiles commit_ms;  // BEGIN → COMMIT returned, i.e. mostly the fsync
};

RawRate raw_insert_rate(const std::string& path, double seconds) {
  store::OpenOptions plain;  // SQLite as it comes: its own VFS, one write per frame part
  plain.coalesce_wal_writes = false;
  auto db = std::move(*store::Database::open(path, plain));
  (void)store::create_probe_table(*db);
  std::vector<double> lat;
  auto t0 = std::chrono::steady_clock::now();
  while (bench::seconds_since(t0) < seconds) {
    auto s = std::chrono::steady_clock::now();
    (void)store::insert_probe_row(*db);
    lat.push_back(bench::seconds_since(s) * 1000);
  }
  return {static_cast<double>(lat.size()) / bench::seconds_since(t0), sim::percentiles(lat)};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  log::init("error");
  crypto_init();
  bench::TempFolder dir;
  auto measured = raw_insert_rate((dir.path / "raw.db").string(), 3);
  const double raw = measured.per_s;
  bench::figure("intake", "raw_sqlite_insert_per_s", raw, "rows/s");
  // The floor under any durable answer's latency on this disk (beside create → offer).
  bench::figure("intake", "raw_commit_p50_ms", measured.commit_ms.p50, "ms");
  bench::figure("intake", "raw_commit_p99_ms", measured.commit_ms.p99, "ms");

  // A small district and an operator.
  std::string db = (dir.path / "vnh.db").string();
  {
    auto policy = *domain::load_policy(data::default_policy_text(), "policy");
    bench::BulkLoader bulk(db, policy);
    auto& st = bulk.store;
    sim::DistrictSpec spec;
    spec.elders = 5000;
    sim::DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
    auto sink = bulk.sink();
    gen.emit_population(sink, nullptr);
    auto hash = *hotline::hash_new_password("bench-password", policy);
    (void)store::run_transaction(st->db(), [&](store::WriteTx& tx) {
      return hotline::insert_new_user(tx.db(), {"op", "", domain::Role::kOperator, hash, std::nullopt}, 0, "bench").status();
    });
    std::string ids;
    for (const auto& e : gen.elders()) ids += e.id_number + "\n";
    std::ofstream(dir.path / "ids.txt") << ids;
  }
  std::vector<std::string> ids;
  {
    std::ifstream in(dir.path / "ids.txt");
    std::string l;
    while (std::getline(in, l)) ids.push_back(l);
  }
  app::ServerOptions so;
  so.db = db;
  so.listen = "127.0.0.1:0";
  auto server = std::move(*app::Server::create(so));
  if (!server->start().ok()) return 1;
  sim::Endpoint ep{"127.0.0.1", std::to_string(server->port())};

  // Operators log in once per shift: one login (argon2id is slow by design), shared token.
  std::string token;
  {
    sim::HttpClient h(ep);
    auto r = h.post("/api/v1/login", json::object{{"username", "op"}, {"password", "bench-password"}});
    token = std::string(r.json().at("token").as_string());
  }
  // The two measured runs use the elders in turn and keys counting up, as every earlier table
  // did; a third run at 64 clients picks elders and keys at random, as a district's calls and
  // the console's keys (random UUIDs) do: their index entries then land on a different page
  // for each ticket of a group commit instead of sharing one.
  const auto& w = server->store().writer();
  const auto* ck = server->store().checkpointer();
  struct Snapshot {
    double jobs, batches, work_us, commit_us, cpu_us, sync_us, frames;
  };
  auto snapshot = [&] {
    return Snapshot{static_cast<double>(w.jobs()),    static_cast<double>(w.batches()),
                    static_cast<double>(w.work_us()), static_cast<double>(w.commit_us()),
                    static_cast<double>(w.cpu_us()),  static_cast<double>(w.sync_us()),
                    ck ? static_cast<double>(ck->frames_written()) : 0.0};
  };
  Snapshot before_random{};
  for (auto [clients, random] : {std::pair{32, false}, std::pair{64, false}, std::pair{64, true}}) {
    if (random) before_random = snapshot();
    const std::string suffix = fmt::format("{}_clients{}", clients, random ? "_random" : "");
    // Random: a fixed odd multiplier scatters k over the elders and over 64-bit keys.
    auto request = [&](long k) {
      const auto mixed = static_cast<std::uint64_t>(k) * 0x9E3779B97F4A7C15ull;
      const std::string& id = ids[random ? (mixed >> 20) % ids.size() : static_cast<size_t>(k) % ids.size()];
      return bench::post_json(ep, "/api/v1/tickets", token,
                              fmt::format(R"({{"id_number":"{}","item_code":"LC010"}})", id),
                              {{"Idempotency-Key", random ? fmt::format("r{:016x}", mixed) : fmt::format("b{}-{}", clients, k)}});
    };
    auto load = bench::run_closed_loop(ep, clients, seconds, request, 201);
    auto p = sim::percentiles(load.latency_ms);
    double rate = static_cast<double>(load.ok) / load.seconds;
    bench::figure("intake", "tickets_per_s_" + suffix, rate, "tickets/s");
    bench::figure("intake", "p50_ms_" + suffix, p.p50, "ms");
    bench::figure("intake", "p99_ms_" + suffix, p.p99, "ms");
    bench::figure("intake", "ratio_to_raw_" + suffix, rate / raw, "x");
    if (load.failed) bench::figure("intake", "failed_" + suffix, static_cast<double>(load.failed), "requests");
  }
  // The writer's figures for the two runs in turn (comparable with earlier tables), then the
  // random run's WAL pages and writer CPU on their own.
  const Snapshot& a = before_random;
  bench::figure("intake", "writer_jobs_per_batch", a.jobs / a.batches, "jobs");
  // The writer's time per ticket: its statements, and its share of the group commit.
  bench::figure("intake", "writer_work_us_per_ticket", a.work_us / a.jobs, "µs");
  bench::figure("intake", "writer_commit_us_per_ticket", a.commit_us / a.jobs, "µs");
  bench::figure("intake", "writer_cpu_us_per_ticket", a.cpu_us / a.jobs, "µs");
  // Pipelined syncs: the completer's fsync time, overlapping the writer's next batches.
  bench::figure("intake", "wal_sync_us_per_ticket", a.sync_us / a.jobs, "µs");
  const Snapshot b = snapshot();
  bench::figure("intake", "writer_cpu_us_per_ticket_random", (b.cpu_us - a.cpu_us) / (b.jobs - a.jobs), "µs");
  if (ck) {
    // What a commit writes: 4 KiB pages appended to the WAL per ticket (shared pages count once per group).
    bench::figure("intake", "wal_pages_per_ticket", a.frames / a.jobs, "pages");
    bench::figure("intake", "wal_pages_per_ticket_random", (b.frames - a.frames) / (b.jobs - a.jobs), "pages");
    // Passes of the checkpoint thread, and checkpoints the writer made itself past hard_pages.
    bench::figure("intake", "checkpoints_background", static_cast<double>(ck->background_checkpoints()), "passes");
    bench::figure("intake", "checkpoints_inline", static_cast<double>(ck->inline_checkpoints()), "passes");
  }
  server->stop();
  return 0;
}
