#include "tests/support/test_server.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

extern char** environ;

namespace vnh::testing {

namespace {

struct Spawned {
  int pid = -1;
  int out = -1;
};

// Starts `vnh args…` with its stdout and stderr on one pipe. The child is killed when the
// test process dies (PR_SET_PDEATHSIG), so a crashed or aborted test leaves no server behind.
Spawned spawn(const std::vector<std::string>& args, int* stdin_write) {
  int out[2], in[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(pipe2(in, O_CLOEXEC) == 0);
  std::vector<std::string> full = {VNH_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const int pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died before the line above
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    execve(VNH_BINARY, argv.data(), environ);
    _exit(127);
  }
  close(out[1]);
  close(in[0]);
  if (stdin_write) {
    *stdin_write = in[1];
  } else {
    close(in[1]);
  }
  return {pid, out[0]};
}

std::string drain(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}

}  // namespace

CommandResult run_vnh(const std::vector<std::string>& args, const std::string& stdin_text) {
  int in = -1;
  auto p = spawn(args, &in);
  if (!stdin_text.empty()) {
    ssize_t w = write(in, stdin_text.data(), stdin_text.size());
    (void)w;
  }
  close(in);
  CommandResult r;
  r.out = drain(p.out);
  close(p.out);
  int status = 0;
  waitpid(p.pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TestServer::TestServer() : TestServer(Options{}) {}

TestServer::TestServer(Options o) : opts_(std::move(o)) { db_ = dir_.file("vnh.db"); }

TestServer::~TestServer() { stop(); }

void TestServer::start() {
  std::vector<std::string> args = {"serve", "--db", db_, "--listen", "127.0.0.1:0", "--log-level", "info",
                                   "--pbx-secret", "test-pbx-secret"};
  if (opts_.fake_clock) {
    args.push_back("--fake-clock");
    if (!opts_.fake_clock_start.empty()) {
      args.push_back("--fake-clock-start");
      args.push_back(opts_.fake_clock_start);
    }
  }
  args.insert(args.end(), opts_.extra.begin(), opts_.extra.end());
  auto p = spawn(args, nullptr);
  pid_ = p.pid;
  out_fd_ = p.out;
  pbx_secret_ = "test-pbx-secret";
  // Read until the "listening" line (or give up after 30 s).
  std::regex re("listening on http://127\\.0\\.0\\.1:(\\d+)/");
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{out_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
    std::smatch m;
    if (std::regex_search(seen, m, re)) {
      port_ = static_cast<unsigned short>(std::stoi(m[1]));
      {
        std::lock_guard lk(log_mu_);
        log_ += seen;
      }
      // Keep reading until the process closes its output.
      reader_ = std::thread([this, fd = out_fd_] {
        char b[4096];
        ssize_t r;
        while ((r = read(fd, b, sizeof b)) > 0) {
          std::lock_guard lk(log_mu_);
          log_.append(b, static_cast<size_t>(r));
        }
      });
      return;
    }
  }
  FAIL("vnh serve did not start:\n" << seen);
}

std::string TestServer::log() const {
  std::lock_guard lk(log_mu_);
  return log_;
}

void TestServer::terminate(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
}

void TestServer::stop() { terminate(SIGTERM); }
void TestServer::kill9() { terminate(SIGKILL); }

void TestServer::import(const std::string& kind, const std::string& csv) {
  std::string path = dir_.file(kind + ".csv");
  {
    std::ofstream f(path, std::ios::binary);
    f << csv;
  }
  auto r = run_vnh({"import", kind, path, "--db", db_});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
}

void TestServer::add_user(const std::string& name, const std::string& role, const std::string& password) {
  auto r = run_vnh({"user", "add", name, "--role", role, "--password-stdin", "--db", db_}, password + "\n");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
}

void TestServer::add_canteen_user(const std::string& name, const std::string& code, const std::string& password) {
  auto r = run_vnh({"user", "add", name, "--role", "canteen", "--canteen", code, "--password-stdin", "--db", db_},
                   password + "\n");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
}

std::string TestServer::firm_token(const std::string& firm_code) {
  auto r = run_vnh({"firm", "token", firm_code, "--db", db_});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  // stdout has the token (43 base64url characters); stderr, mixed in, the notice.
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() == 43 && line.find(' ') == std::string::npos) return line;
  }
  FAIL("no token in: " << r.out);
  return {};
}

sim::HttpClient TestServer::login(const std::string& user, const std::string& password) {
  sim::HttpClient c(endpoint());
  auto role = c.login(user, password);
  INFO(role.status().to_string());
  REQUIRE(role.ok());
  return c;
}

void load_small_district(TestServer& s) {
  s.import("areas",
           "code,name,parent_code,level\r\n620102,城关区,,district\r\n620102001,酒泉路街道,620102,street\r\n"
           "620102001001,畅家巷社区,620102001,community\r\n620102001002,张家园社区,620102001,community\r\n"
           "620102002,张掖路街道,620102,street\r\n620102002001,金塔巷社区,620102002,community\r\n");
  s.import("catalog",
           "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\n"
           "LC001,老年助餐午餐,life_care,份,1500,1900,20,1\r\nLC010,助浴,life_care,次,4800,6000,60,0\r\n"
           "MC001,测量血压,medical_care,次,800,1000,15,0\r\nEA001,跌倒应急救助,emergency_aid,次,6400,8000,45,0\r\n");
  s.import("elders",
           "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n"
           "620102195810100019,张三明,13970241505,620102001001,36.0600,103.8300,A,2026-01-05\r\n"
           "62010219511015004X,李四芳,13955650450|0931-8123456,620102001002,36.0600,103.8300,B,2026-01-05\r\n"
           "620102193806200050,王五,0931-8123456,620102002001,36.0600,103.8300,C,2026-01-05\r\n");
  s.import("firms",
           "code,name,base_lat,base_lon,daily_capacity,status\r\n"
           "F_NEAR,近邻家政,36.0700,103.8300,50,active\r\nF_MID,中和护理,36.0900,103.8300,50,active\r\n"
           "F_FAR,远方养老,36.1400,103.8300,50,active\r\n");
  s.import("firm-areas",
           "firm_code,area_code,category\r\nF_NEAR,620102001,life_care\r\nF_NEAR,620102001,emergency_aid\r\n"
           "F_MID,620102,life_care\r\nF_MID,620102,medical_care\r\nF_MID,620102,emergency_aid\r\n"
           "F_FAR,620102,life_care\r\nF_FAR,620102,emergency_aid\r\n");
  s.import("staff",
           "firm_code,code,name,phone,skills\r\nF_NEAR,N1,赵工,13800000001,life_care|emergency_aid\r\n"
           "F_MID,M1,钱工,13800000002,life_care|medical_care|emergency_aid\r\nF_FAR,R1,孙工,13800000003,life_care\r\n");
}

void load_small_canteens(TestServer& s) {
  s.import("canteens",
           "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n"
           "K1,畅家巷助餐点,F_NEAR,620102001001,36.0600,103.8300,active,1,200\r\n"
           "K2,金塔巷助餐点,,620102002001,36.0610,103.8310,active,0,100\r\n"
           "K3,停业助餐点,,620102002001,36.0610,103.8310,suspended,0,100\r\n");
  s.import("meal-cards",
           "card_no,id_number,issued_on,status\r\nC0001,620102195810100019,2026-01-10,active\r\n"
           "C0002,62010219511015004X,2026-01-10,active\r\nC0003,620102193806200050,2026-01-10,lost\r\n");
}

std::string str(const boost::json::value& v, const char* k) {
  const auto* x = v.as_object().if_contains(k);
  return x && x->is_string() ? std::string(x->as_string()) : "";
}

double metric(sim::HttpClient& c, const std::string& name) {
  auto body = c.get("/metrics").body;
  auto at = body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(body.substr(at + name.size() + 2));
}

}  // namespace vnh::testing
