// The live map's fan-out at a district's size (issue 22): 5,000 workers reporting their position
// (partner StaffLocation) every 30 s through their firms' websockets, 20 supervisors' consoles on
// the live channel, the real server on the seven-year database (`vnh demo --history-days 2555`).
// Measures, for every position and every console, the time from the firm sending it to the
// console receiving the batch that holds it (end to end, target p99 < 2 s: the server batches
// once a second), the batches per second each console gets (at most one), the server's CPU
// share over the run and its RSS. Workers the district lacks are imported as extra staff
// (`MAPnnnn`, once; the import is all or nothing, so a second run finds them there).
// Usage: map_bench VNH_BINARY DEMO_DIR [seconds=120] [workers=5000] [consoles=20]
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "bench/bench_util.hpp"
#include "sim/clients.hpp"

extern char** environ;

using namespace vnh;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

namespace {

long proc_status_kib(int pid, const char* field) {
  std::ifstream f(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return 0;
}
// The process's user + system CPU time in seconds.
double cpu_seconds(int pid) {
  std::ifstream f(fmt::format("/proc/{}/stat", pid));
  std::string all((std::istreambuf_iterator<char>(f)), {});
  std::istringstream rest(all.substr(all.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) rest >> skip;  // fields 3–13
  long utime = 0, stime = 0;
  rest >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Starts `args`; its standard output to `stdout_fd` (or discarded with its errors, -1).
int spawn(const std::vector<std::string>& args, int stdout_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  }
  std::vector<char*> c;
  for (const auto& a : args) c.push_back(const_cast<char*>(a.c_str()));
  c.push_back(nullptr);
  int pid = 0;
  if (posix_spawn(&pid, args[0].c_str(), &fa, nullptr, c.data(), environ) != 0) return -1;
  return pid;
}

struct Worker {
  std::string firm, staff;
  std::size_t client = 0;  // index of the firm's connection
  double base_lat = 36.06, base_lon = 103.83;
  std::atomic<std::int64_t> sent_ns{0};
  std::atomic<double> sent_lat{0};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: map_bench VNH_BINARY DEMO_DIR [seconds] [workers] [consoles]\n");
    return 2;
  }
  const std::string vnh = argv[1], dir = argv[2], db = dir + "/vnh.db";
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 120;
  const std::size_t n_workers = argc > 4 ? static_cast<std::size_t>(std::atoi(argv[4])) : 5000;
  const int n_consoles = argc > 5 ? std::atoi(argv[5]) : 20;
  const double period_s = 30;

  // The firms, their tokens and staff (firm-tokens.txt: "F001 TOKEN F001W01,F001W02,…").
  std::vector<std::pair<std::string, std::string>> firms;  // code, token
  std::vector<std::unique_ptr<Worker>> workers;
  {
    std::ifstream f(dir + "/firm-tokens.txt");
    std::string code, token, staff;
    while (f >> code >> token >> staff) {
      firms.emplace_back(code, token);
      std::stringstream ss(staff);
      std::string s;
      while (std::getline(ss, s, ',') && workers.size() < n_workers) {
        auto w = std::make_unique<Worker>();
        w->firm = code;
        w->staff = s;
        w->client = firms.size() - 1;
        workers.push_back(std::move(w));
      }
    }
  }
  if (firms.empty()) {
    fmt::print(stderr, "map_bench: no firms in {}/firm-tokens.txt\n", dir);
    return 1;
  }
  // Extra workers up to n_workers, spread over the firms.
  std::string extra = "firm_code,code,name,phone,skills\r\n";
  for (std::size_t i = 0; workers.size() < n_workers; ++i) {
    auto w = std::make_unique<Worker>();
    w->client = i % firms.size();
    w->firm = firms[w->client].first;
    w->staff = fmt::format("MAP{:04}", i);
    extra += fmt::format("{},{},地图工{},138{:08},life_care\r\n", w->firm, w->staff, i, 10000000 + i);
    workers.push_back(std::move(w));
  }
  for (std::size_t i = 0; i < workers.size(); ++i) {
    workers[i]->base_lat = 36.035 + 0.06 * static_cast<double>(i % 97) / 97.0;
    workers[i]->base_lon = 103.73 + 0.2 * static_cast<double>(i % 89) / 89.0;
  }
  if (extra.find("MAP") != std::string::npos) {
    const std::string file = dir + "/map-bench-staff.csv";
    std::ofstream(file) << extra;
    int pid = spawn({vnh, "import", "staff", file, "--db", db}, -1);
    int status = 0;
    waitpid(pid, &status, 0);  // refused as duplicates on a second run: they are there already
  }
  std::unordered_map<std::string, Worker*> by_key;
  for (auto& w : workers) by_key[w->firm + "/" + w->staff] = w.get();

  // The server.
  int out[2];
  if (pipe(out) != 0) return 1;
  const int server = spawn({vnh, "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "error"}, out[1]);
  close(out[1]);
  std::string seen;
  std::smatch m;
  const std::regex re("listening on http://127\\.0\\.0\\.1:(\\d+)/");
  char buf[512];
  while (!std::regex_search(seen, m, re)) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) return 1;
    seen.append(buf, static_cast<size_t>(n));
  }
  const std::string port = m[1];
  const sim::Endpoint ep{"127.0.0.1", port};

  // The supervisors' consoles: one session each, reading the live channel on their own thread.
  std::string password;
  {
    std::ifstream f(dir + "/logins.txt");
    std::string role, user, pw;
    while (f >> role >> user >> pw) {
      if (user == "sup1") password = pw;
    }
  }
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::vector<long> batches(static_cast<std::size_t>(n_consoles), 0);
  std::vector<std::thread> consoles;
  std::atomic<int> ready{0};
  for (int c = 0; c < n_consoles; ++c) {
    sim::HttpClient http(ep);
    auto login = http.post("/api/v1/login", json::object{{"username", "sup1"}, {"password", password}});
    if (login.status != 200) {
      fmt::print(stderr, "map_bench: login as sup1: {} {}\n", login.status, login.body);
      return 1;
    }
    consoles.emplace_back([&, c, token = std::string(login.json().at("token").as_string())] {
      namespace websocket = boost::beast::websocket;
      boost::asio::io_context ioc;
      websocket::stream<boost::asio::ip::tcp::socket> ws(ioc);
      boost::asio::ip::tcp::resolver r(ioc);
      boost::asio::connect(ws.next_layer(), r.resolve("127.0.0.1", port));
      ws.handshake("127.0.0.1:" + port, "/api/v1/live");
      ws.write(boost::asio::buffer(json::serialize(json::object{{"type", "auth"}, {"token", token}})));
      ws.next_layer().set_option(boost::asio::socket_base::receive_buffer_size(1 << 20));
      ++ready;
      std::vector<double> mine;
      boost::beast::flat_buffer b;
      boost::system::error_code ec;
      while (!stop) {
        ws.read(b, ec);
        if (ec) {
          if (!stop) fmt::print(stderr, "map_bench: console {} closed: {} ({})\n", c, ec.message(), std::string(ws.reason().reason.data(), ws.reason().reason.size()));
          break;
        }
        if (std::getenv("MAP_BENCH_DEBUG")) fmt::print(stderr, "console {}: {}\n", c, boost::beast::buffers_to_string(b.data()).substr(0, 200));
        const auto now = Steady::now().time_since_epoch().count();
        auto v = json::parse(boost::beast::buffers_to_string(b.data()), ec);
        b.consume(b.size());
        if (ec || !v.is_object()) continue;
        const auto* type = v.as_object().if_contains("type");
        if (!type || !type->is_string() || type->as_string() != "map.workers") continue;
        ++batches[static_cast<std::size_t>(c)];
        for (const auto& p : v.at("workers").as_array()) {
          const auto key = std::string(p.at("firm_code").as_string()) + "/" + std::string(p.at("staff_code").as_string());
          auto it = by_key.find(key);
          if (it == by_key.end()) continue;
          const double lat = p.at("lat").to_number<double>();
          if (std::abs(lat - it->second->sent_lat.load()) > 1e-9) continue;
          mine.push_back(static_cast<double>(now - it->second->sent_ns.load()) / 1e6);
        }
      }
      std::lock_guard lk(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      ws.next_layer().close(ec);
    });
  }

  // The firms: one connection each.
  boost::asio::io_context io;
  std::vector<std::shared_ptr<sim::PartnerClient>> clients;
  std::atomic<int> open{0};
  std::atomic<long> refused{0};
  for (const auto& [code, token] : firms) {
    auto c = std::make_shared<sim::PartnerClient>(io, ep, token);
    c->on_open = [&] { ++open; };
    c->on_frame = [&](const vnh::v1::ServerFrame& f) {
      if (f.has_result() && !f.result().ok()) ++refused;
    };
    c->connect();
    clients.push_back(c);
  }
  auto guard = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  for (int i = 0; i < 600 && (open < static_cast<int>(firms.size()) || ready < n_consoles); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // Every worker reports every 30 s, the reports spread evenly over the period.
  const auto t0 = Steady::now();
  const double cpu0 = cpu_seconds(server);
  long sent = 0;
  std::int64_t seq = 0;
  const auto run_id = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto end = t0 + std::chrono::seconds(seconds);
  std::vector<std::size_t> order(workers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const double step_s = period_s / static_cast<double>(workers.size());
  for (std::size_t k = 0;; ++k) {
    const auto due = t0 + std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(k) * step_s * 1e6));
    if (due >= end) break;
    std::this_thread::sleep_until(due);
    Worker& w = *workers[order[k % workers.size()]];
    if (!clients[w.client]->open()) continue;  // a suspended or exited firm is not let in
    vnh::v1::ClientFrame f;
    f.set_request_id(fmt::format("map-{}-{}", run_id, ++seq));  // a firm's request ids are once only, across runs too
    auto* l = f.mutable_location();
    l->set_staff_code(w.staff);
    const double lat = w.base_lat + 1e-6 * static_cast<double>(seq % 1000);
    l->set_lat(lat);
    l->set_lon(w.base_lon);
    l->set_time_ms(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    w.sent_lat.store(lat);
    w.sent_ns.store(Steady::now().time_since_epoch().count());
    clients[w.client]->send(f);
    ++sent;
  }
  // The last batch reaches the consoles within a second or two.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const double elapsed = bench::seconds_since(t0);
  const double cpu = cpu_seconds(server) - cpu0;
  const long rss = proc_status_kib(server, "VmRSS:"), hwm = proc_status_kib(server, "VmHWM:");
  stop = true;
  kill(server, SIGTERM);
  for (auto& t : consoles) t.join();
  for (auto& c : clients) c->close();
  guard.reset();
  io.stop();
  io_thread.join();
  int status = 0;
  waitpid(server, &status, 0);

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[std::min(latencies_ms.size() - 1, static_cast<std::size_t>(p / 100 * static_cast<double>(latencies_ms.size())))];
  };
  long most = 0, total = 0;
  for (long b : batches) most = std::max(most, b), total += b;
  const double cores = static_cast<double>(std::thread::hardware_concurrency());
  bench::figure("map", "workers", static_cast<double>(workers.size()), "workers");
  bench::figure("map", "consoles", n_consoles, "consoles");
  bench::figure("map", "firms_connected", open.load(), "firms");
  bench::figure("map", "positions_sent", static_cast<double>(sent), "positions");
  bench::figure("map", "positions_per_s", static_cast<double>(sent) / seconds, "/s");
  bench::figure("map", "positions_refused", static_cast<double>(refused.load()), "positions");
  bench::figure("map", "deliveries", static_cast<double>(latencies_ms.size()), "position x console");
  bench::figure("map", "delivered_share", sent ? 100.0 * static_cast<double>(latencies_ms.size()) / (static_cast<double>(sent) * n_consoles) : 0, "%");
  bench::figure("map", "e2e_p50_ms", pct(50), "ms");
  bench::figure("map", "e2e_p99_ms", pct(99), "ms");
  bench::figure("map", "e2e_max_ms", latencies_ms.empty() ? 0 : latencies_ms.back(), "ms");
  bench::figure("map", "batches_per_s_per_console_max", static_cast<double>(most) / elapsed, "/s");
  bench::figure("map", "server_cpu_share_of_one_core", 100.0 * cpu / elapsed, "%");
  bench::figure("map", "server_cpu_share_of_machine", 100.0 * cpu / elapsed / cores, "%");
  bench::figure("map", "server_rss_mib", static_cast<double>(rss) / 1024.0, "MiB");
  bench::figure("map", "server_peak_rss_mib", static_cast<double>(hwm) / 1024.0, "MiB");
  return 0;
}
