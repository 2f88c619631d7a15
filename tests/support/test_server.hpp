#pragma once
// TestServer: runs the real `vnh` binary on 127.0.0.1:0 with a temporary database, reads the
// bound port from its first line, and stops it (SIGTERM, or SIGKILL to test durability).
// Also runs CLI subcommands against the same database, and builds clients for it.
#include <mutex>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include "sim/clients.hpp"
#include "tests/support/temp_dir.hpp"

namespace vnh::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs `vnh args…` with `stdin_text` on stdin and waits for it.
CommandResult run_vnh(const std::vector<std::string>& args, const std::string& stdin_text = "");

class TestServer {
 public:
  struct Options {
    bool fake_clock = false;
    std::string fake_clock_start;  // ISO time
    std::vector<std::string> extra;
  };
  TestServer();
  explicit TestServer(Options o);
  ~TestServer();

  void start();
  void stop();   // SIGTERM and wait
  void kill9();  // SIGKILL and wait: nothing is flushed
  bool running() const { return pid_ > 0; }

  const std::string& db() const { return db_; }
  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  sim::Endpoint endpoint() const { return {"127.0.0.1", std::to_string(port_)}; }
  const std::string& pbx_secret() const { return pbx_secret_; }
  std::string log() const;

  // CLI helpers on this server's database.
  void import(const std::string& kind, const std::string& csv);
  void add_user(const std::string& name, const std::string& role, const std::string& password = "password-123");
  // A `canteen` user bound to the canteen with `code`.
  void add_canteen_user(const std::string& name, const std::string& code, const std::string& password = "password-123");
  std::string firm_token(const std::string& firm_code);
  // A logged-in HTTP client.
  sim::HttpClient login(const std::string& user, const std::string& password = "password-123");

 private:
  void terminate(int signal);
  Options opts_;
  TempDir dir_;
  std::string db_;
  int pid_ = -1;
  int out_fd_ = -1;
  unsigned short port_ = 0;
  std::string pbx_secret_;
  mutable std::mutex log_mu_;
  std::string log_;
  std::thread reader_;  // drains the server's output so it never blocks on a full pipe
};

// A string member of a JSON object ("" when absent or not a string).
std::string str(const boost::json::value& v, const char* k);
// A sample's value in the server's /metrics (-1 when it has none).
double metric(sim::HttpClient& c, const std::string& name);

// The small district of tests/support/world.hpp as CSV files imported through the CLI.
void load_small_district(TestServer& s);
// Two canteens (K1 in 畅家巷, K2 in 金塔巷, active) and one suspended (K3), and cards for the
// small district's elders: C0001 张三明 (A), C0002 李四芳 (B, 75 from 2026-10-15), C0003 王五
// (C, born 1938) lost.
void load_small_canteens(TestServer& s);

}  // namespace vnh::testing
