// kill -9 under load, 20 times (the issue-19 note's experiment, now in the suite): every ticket
// the server answered 201 for is there after the restart, none is there twice, a request that
// was in flight when the server died is retried with its Idempotency-Key and makes at most one
// ticket, and the file passes PRAGMA integrity_check and the consistency check.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/query.hpp"
#include "store/sqlite.hpp"
#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

TEST_CASE("20 × kill -9 under load: 0 acknowledged tickets lost, 0 duplicates, integrity ok", "[durability][kill9]") {
  TestServer s;
  load_small_district(s);
  s.add_user("op", "operator");
  s.add_user("sup", "supervisor");
  s.start();
  std::map<std::string, std::string> acked;  // Idempotency-Key → ticket_no, as answered
  std::set<std::string> in_doubt;            // sent, no answer: the server died meanwhile
  std::mutex mu;
  constexpr int kCycles = 20, kThreads = 4, kAcksPerCycle = 40;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    std::atomic<int> acks{0};
    std::atomic<bool> dead{false};
    std::vector<std::thread> load;
    std::vector<sim::HttpClient> clients;
    for (int t = 0; t < kThreads; ++t) clients.push_back(s.login("op"));  // before any can die
    for (int t = 0; t < kThreads; ++t) {
      load.emplace_back([&, t] {
        auto& c = clients[static_cast<size_t>(t)];
        for (int n = 0; !dead; ++n) {
          std::string key = fmt::format("k9-{}-{}-{}", cycle, t, n);
          auto r = c.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}},
                          {{"Idempotency-Key", key}});
          std::lock_guard lk(mu);
          if (r.status == 201) {
            acked[key] = r.json().at("ticket_no").as_string().c_str();
            ++acks;
          } else {
            in_doubt.insert(key);  // 0: the connection died with the server
            return;
          }
        }
      });
    }
    // Kill while requests are in flight, once this cycle has had its acknowledgements.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acks < kAcksPerCycle && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a poll interval
    }
    REQUIRE(acks >= kAcksPerCycle);
    s.kill9();
    dead = true;
    for (auto& t : load) t.join();
    s.start();
  }
  // The in-flight requests, sent again with their keys: each makes one ticket at most.
  auto c = s.login("op");
  for (const auto& key : in_doubt) {
    auto r = c.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}},
                    {{"Idempotency-Key", key}});
    INFO(key << " " << r.body);
    REQUIRE(r.status == 201);
    acked[key] = r.json().at("ticket_no").as_string().c_str();
  }
  // Every acknowledged ticket is there, under its number; a replay of its key gives it back.
  int lost = 0;
  for (const auto& [key, no] : acked) lost += c.get("/api/v1/tickets/" + no).status == 200 ? 0 : 1;
  CHECK(lost == 0);
  std::set<std::string> numbers;
  for (const auto& [key, no] : acked) numbers.insert(no);
  CHECK(numbers.size() == acked.size());
  auto check = s.login("sup").get("/api/v1/admin/consistency");
  INFO(check.body);
  CHECK(check.json().at("ok").as_bool());
  s.stop();
  auto db = std::move(*store::Database::open(s.db(), store::OpenOptions{true}));
  auto tickets = store::query_int(db->prepare("SELECT count(*) FROM tickets"));
  REQUIRE(tickets.ok());
  CHECK(*tickets == static_cast<std::int64_t>(acked.size()));  // no ticket without its key: none twice
  auto keys = store::query_int(db->prepare("SELECT count(*) FROM idempotency_keys"));
  CHECK(*keys == static_cast<std::int64_t>(acked.size()));
  auto ic = db->prepare("PRAGMA integrity_check");
  REQUIRE(ic.ok());
  REQUIRE(*ic->step());
  CHECK(ic->text(0) == "ok");
  INFO("acknowledged " << acked.size() << ", in doubt at a kill " << in_doubt.size());
  CHECK(acked.size() >= static_cast<std::size_t>(kCycles * kAcksPerCycle));
}
