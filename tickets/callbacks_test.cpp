#include <catch2/catch.hpp>

#include <set>

#include "tickets/callbacks.hpp"

using namespace vnh;
using namespace vnh::tickets;

namespace {
std::vector<SampleCandidate> day(int firms, int per_firm, int risky_every) {
  std::vector<SampleCandidate> out;
  std::int64_t id = 1;
  for (int f = 1; f <= firms; ++f) {
    for (int i = 0; i < per_firm; ++i, ++id) {
      SampleCandidate c{id, "T" + std::to_string(id), f, {}};
      if (risky_every && i % risky_every == 0) c.risks = {"first_visit"};
      out.push_back(c);
    }
  }
  return out;
}
std::map<std::int64_t, int> per_firm(const std::vector<Sampled>& s, bool random_only) {
  std::map<std::int64_t, int> m;
  for (const auto& x : s) {
    if (!random_only || x.reasons == "random") ++m[x.firm_id];
  }
  return m;
}
}  // namespace

TEST_CASE("every risky ticket plus 10% of the others, rounded up, per firm", "[callbacks]") {
  // 3 firms × 25 tickets, every 5th risky: 5 risky + 20 others → 5 + ceil(2.0) = 7 per firm.
  auto s = draw_sample(day(3, 25, 5), "2026-11-23", 100, 1);
  auto all = per_firm(s, false);
  auto random = per_firm(s, true);
  for (std::int64_t f = 1; f <= 3; ++f) {
    CHECK(all[f] == 7);
    CHECK(random[f] == 2);
  }
  SECTION("21 others round up to 3") {
    auto s2 = draw_sample(day(1, 21, 0), "2026-11-23", 100, 1);
    CHECK(s2.size() == 3);
  }
  SECTION("a firm with one ticket gets it called back") {
    auto s3 = draw_sample(day(2, 1, 0), "2026-11-23", 100, 1);
    CHECK(s3.size() == 2);
  }
  SECTION("a firm with no tickets is absent") {
    auto s4 = draw_sample({}, "2026-11-23", 100, 1);
    CHECK(s4.empty());
  }
}

TEST_CASE("the random part is reproducible from the date and changes with it", "[callbacks]") {
  auto d = day(2, 200, 0);
  auto a = draw_sample(d, "2026-11-23", 100, 1);
  auto b = draw_sample(d, "2026-11-23", 100, 1);
  auto c = draw_sample(d, "2026-11-24", 100, 1);
  auto ids = [](const std::vector<Sampled>& v) {
    std::set<std::int64_t> s;
    for (const auto& x : v) s.insert(x.ticket_id);
    return s;
  };
  CHECK(ids(a) == ids(b));
  CHECK(ids(a) != ids(c));
  CHECK(a.size() == 40);
}

TEST_CASE("risk reasons are listed on the sampled ticket", "[callbacks]") {
  std::vector<SampleCandidate> d = {{1, "T1", 1, {"visit_exception", "new_worker"}}, {2, "T2", 1, {}}};
  auto s = draw_sample(d, "2026-11-23", 100, 1);
  REQUIRE(s.size() == 2);
  CHECK(s[0].reasons == "visit_exception,new_worker");
  CHECK(s[1].reasons == "random");
}

TEST_CASE("the daily capacity takes risk first and says what it left out", "[callbacks][capacity]") {
  // 2 visit exceptions, 2 complaints, 2 new workers, 2 first visits, 10 random.
  std::vector<Sampled> drawn;
  std::int64_t id = 1;
  for (const char* r : {"first_visit", "new_worker", "recent_complaint", "visit_exception,first_visit"}) {
    for (int i = 0; i < 2; ++i) drawn.push_back({id++, 1, r});
  }
  for (int i = 0; i < 10; ++i) drawn.push_back({id++, 2, "random"});
  auto reasons_of = [](const CappedSample& c) {
    std::multiset<std::string> s;
    for (const auto& p : c.picked) s.insert(p.reasons);
    return s;
  };
  SECTION("room for all: nothing left out") {
    auto c = cap_sample(drawn, "2026-11-23", 200);
    CHECK(c.picked.size() == 18);
    CHECK(c.risky_total == 8);
    CHECK(c.random_total == 10);
    CHECK(c.risky_left_out == 0);
    CHECK(c.random_left_out == 0);
  }
  SECTION("room for 5: the exceptions, the complaints, one new worker") {
    auto c = cap_sample(drawn, "2026-11-23", 5);
    REQUIRE(c.picked.size() == 5);
    auto r = reasons_of(c);
    CHECK(r.count("visit_exception,first_visit") == 2);
    CHECK(r.count("recent_complaint") == 2);
    CHECK(r.count("new_worker") == 1);
    CHECK(r.count("random") == 0);
    CHECK(c.risky_left_out == 3);
    CHECK(c.random_left_out == 10);
    // Picked in ticket order, as the queue lists them.
    CHECK(std::is_sorted(c.picked.begin(), c.picked.end(),
                         [](const Sampled& a, const Sampled& b) { return a.ticket_id < b.ticket_id; }));
  }
  SECTION("room for 12: every risky ticket and 4 of the random ones, the same 4 for the same date") {
    auto a = cap_sample(drawn, "2026-11-23", 12);
    auto b = cap_sample(drawn, "2026-11-23", 12);
    CHECK(a.risky_left_out == 0);
    CHECK(a.random_left_out == 6);
    CHECK(reasons_of(a).count("random") == 4);
    std::vector<std::int64_t> ia, ib;
    for (const auto& p : a.picked) ia.push_back(p.ticket_id);
    for (const auto& p : b.picked) ib.push_back(p.ticket_id);
    CHECK(ia == ib);
  }
  SECTION("a capacity of 0 calls nobody and says so") {
    auto c = cap_sample(drawn, "2026-11-23", 0);
    CHECK(c.picked.empty());
    CHECK(c.risky_left_out == 8);
    CHECK(c.random_left_out == 10);
  }
}
