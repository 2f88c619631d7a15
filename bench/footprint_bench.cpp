// The demo district's generation time (110,000 elders, 126 firms, 60 days of history), the
// server's start-up time on a 110,000-elder database, and its resident memory with 1,000 partner
// firms connected. Runs the real binary (argv[1]) so the figures are the server's alone.
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "bench/bench_util.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "data/embedded.hpp"
#include "importer/importer.hpp"
#include "sim/district.hpp"
#include "store/reference.hpp"
#include "store/store.hpp"

extern char** environ;
using namespace vnh;

namespace {
long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: footprint_bench PATH/TO/vnh\n");
    return 2;
  }
  log::init("error");
  crypto_init();
  bench::TempFolder dir;
  std::string db = (dir.path / "vnh.db").string();
  auto policy = *domain::load_policy(data::default_policy_text(), "policy");
  std::vector<std::string> tokens;
  {
    // The demo's district, timed like `vnh demo` generates it.
    auto t0 = std::chrono::steady_clock::now();
    bench::BulkLoader bulk(db, policy);
    auto& st = bulk.store;
    auto sink = bulk.sink();
    sim::DistrictSpec spec;  // 110,000 elders, 126 firms, 60 days
    sim::DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
    if (!gen.emit_population(sink, nullptr)) return 1;
    if (!gen.emit_history(sink, nullptr, policy.tz->local_date(SystemClock().now_ms()), *policy.tz)) return 1;
    bench::figure("footprint", "demo_generation_s", bench::seconds_since(t0), "s");
    // 874 more firms (1,000 in all), each with a token.
    std::string firms = "code,name,base_lat,base_lon,daily_capacity,status\r\n";
    for (int i = 0; i < 874; ++i) firms += fmt::format("X{:04},扩展企业{},36.06,103.83,100,active\r\n", i, i);
    sink("firms", firms);
    auto all = *store::list_firms(st->db());
    for (const auto& f : all) {
      std::string token = random_token();
      (void)store::run_transaction(st->db(), [&](store::WriteTx& tx) {
        return store::set_firm_token(tx.db(), f.id, sha256_raw(token), 0);
      });
      tokens.push_back(token);
    }
  }
  // Start the server and time it until it listens.
  int out[2];
  if (pipe(out) != 0) return 1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  std::vector<std::string> args = {argv[1], "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "error"};
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  int pid = 0;
  auto t0 = std::chrono::steady_clock::now();
  if (posix_spawn(&pid, argv[1], &fa, nullptr, cargs.data(), environ) != 0) return 1;
  close(out[1]);
  std::string seen;
  std::smatch m;
  std::regex re("listening on http://127\\.0\\.0\\.1:(\\d+)/");
  char buf[512];
  while (!std::regex_search(seen, m, re)) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) return 1;
    seen.append(buf, static_cast<size_t>(n));
  }
  bench::figure("footprint", "startup_s_110k_elders", bench::seconds_since(t0), "s");
  std::string port = m[1];
  bench::figure("footprint", "rss_mib_idle", static_cast<double>(rss_kib(pid)) / 1024.0, "MiB");
  // 1,000 firms connect and stay connected.
  boost::asio::io_context io;
  std::vector<std::shared_ptr<sim::PartnerClient>> clients;
  std::atomic<int> open{0};
  for (const auto& t : tokens) {
    auto c = std::make_shared<sim::PartnerClient>(io, sim::Endpoint{"127.0.0.1", port}, t);
    c->on_open = [&] { ++open; };
    c->connect();
    clients.push_back(c);
  }
  std::thread th([&] { io.run(); });
  for (int i = 0; i < 300 && open < static_cast<int>(tokens.size()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  bench::figure("footprint", "connected_firms", open.load(), "firms");
  bench::figure("footprint", "rss_mib_1000_firms", static_cast<double>(rss_kib(pid)) / 1024.0, "MiB");
  for (auto& c : clients) c->close();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  io.stop();
  th.join();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  return 0;
}
