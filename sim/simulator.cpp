#include "sim/simulator.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "common/crypto.hpp"
#include "data/embedded.hpp"
#include "sim/district.hpp"
#include "sim/firm_agent.hpp"

namespace vnh::sim {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}

namespace {

double ms_since(Clock::time_point origin, Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(t - origin).count();
}

json::object pjson(const Percentiles& p) {
  return json::object{{"n", p.n}, {"p50_ms", p.p50}, {"p90_ms", p.p90}, {"p99_ms", p.p99}, {"max_ms", p.max}};
}

// Timestamps per ticket, filled from the creators and the firm agents (any thread).
struct Timeline {
  std::mutex mu;
  std::unordered_map<std::string, double> sent, offered, accepted, completed;
  std::unordered_map<std::string, int> phase;
  void mark(std::unordered_map<std::string, double>& m, const std::string& no, double t) {
    std::lock_guard lk(mu);
    m.emplace(no, t);
  }
};

// A counter of the simulated city: its canteen user and the cards of the elders who eat there.
struct SimCounter {
  std::string user, password;
  std::vector<std::string> cards;
};

// The city's care workers (SPEC §14): their logins.
struct SimCareWorker {
  std::string user, password;
};

Status setup_city(const SimulateOptions& o, HttpClient& admin, std::vector<std::pair<std::string, std::string>>& firm_tokens,
                  std::vector<std::string>& id_numbers, std::vector<std::vector<std::string>>& staff,
                  std::string& op_user, std::string& op_password, std::vector<SimCounter>& counters,
                  std::vector<SimCareWorker>& care_workers) {
  auto cat = admin.get("/api/v1/catalog");
  if (cat.status != 200) return Status(Code::kUnavailable, fmt::format("GET /api/v1/catalog: {} {}", cat.status, cat.body));
  if (cat.json().at("items").as_array().empty()) {
    for (auto [kind, text] : {std::pair{"areas", data::areas_csv()}, std::pair{"catalog", data::catalog_csv()}}) {
      auto r = admin.request("POST", std::string("/api/v1/import/") + kind, std::string(text), {{"Content-Type", "text/csv"}});
      if (r.status != 200) return Status(Code::kUnavailable, fmt::format("import {}: {}", kind, r.body));
    }
  }
  DistrictSpec spec;
  spec.elders = o.elders;
  spec.firms = o.firms;
  spec.seed = o.seed;
  spec.firm_prefix = fmt::format("S{}F", o.seed % 100000);
  spec.id_area = "620121";  // 永登县 codes: distinct from the demo district's people
  spec.canteens = o.counters;
  spec.canteens_by_population = false;
  spec.canteen_prefix = fmt::format("S{}K", o.seed % 100000);
  spec.card_prefix = fmt::format("S{}C", o.seed % 100000);
  spec.meal_history_days = 0;  // canteens and cards; the meals are the simulation's
  DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
  std::string failure;
  // The API takes bodies up to 1 MiB: a larger file goes in chunks of whole rows, each with
  // the header (each chunk all or nothing, as a file).
  auto post_csv = [&](const std::string& kind, const std::string& csv) {
    auto r = admin.request("POST", "/api/v1/import/" + kind, csv, {{"Content-Type", "text/csv"}});
    if (r.status != 200) failure = fmt::format("import {}: {} {}", kind, r.status, r.body.substr(0, 400));
    return r.status == 200;
  };
  auto sink = [&](const std::string& kind, const std::string& csv) {
    constexpr std::size_t kChunk = 900 * 1024;
    if (csv.size() <= kChunk) return post_csv(kind, csv);
    const std::size_t header_end = csv.find('\n') + 1;
    const std::string header = csv.substr(0, header_end);
    for (std::size_t at = header_end; at < csv.size();) {
      std::size_t end = std::min(csv.size(), at + kChunk - header.size());
      if (end < csv.size()) end = csv.rfind('\n', end - 1) + 1;
      if (!post_csv(kind, header + csv.substr(at, end - at))) return false;
      at = end;
    }
    return true;
  };
  if (!gen.emit_population(sink, nullptr)) return Status(Code::kUnavailable, failure);
  if (o.counters > 0) {
    if (!gen.emit_meals(sink, nullptr, Date{2026, 1, 1}, *TimeZone::fixed("+08:00", 8 * 3600))) {
      return Status(Code::kUnavailable, failure);
    }
    counters.resize(gen.canteens().size());
    for (size_t k = 0; k < gen.canteens().size(); ++k) {
      counters[k].user = fmt::format("sim-counter-{}", gen.canteens()[k].code);
      counters[k].password = random_token().substr(0, 16);
      auto u = admin.post("/api/v1/users", json::object{{"username", counters[k].user}, {"role", "canteen"},
                                                        {"password", counters[k].password},
                                                        {"canteen_code", gen.canteens()[k].code}});
      if (u.status != 201) return Status(Code::kUnavailable, fmt::format("counter user: {}", u.body));
    }
    for (const auto& c : gen.cards()) counters[c.canteen].cards.push_back(c.card_no);
  }
  for (const auto& f : gen.firms()) {
    auto r = admin.post("/api/v1/firms/" + f.code + "/token", json::object{});
    if (r.status != 201) return Status(Code::kUnavailable, fmt::format("token for {}: {}", f.code, r.body));
    firm_tokens.emplace_back(f.code, std::string(r.json().at("token").as_string()));
    std::vector<std::string> s;
    for (const auto& [code, skills] : f.staff) s.push_back(code);
    staff.push_back(std::move(s));
  }
  for (const auto& e : gen.elders()) id_numbers.push_back(e.id_number);
  if (o.care_workers > 0) {
    // One elder in ten a care target, the workers taking turns; one in five of them visited weekly.
    std::string csv = "id_number,flags,tier,care_worker\n";
    for (int w = 0; w < o.care_workers; ++w) {
      SimCareWorker cw{fmt::format("sim-care-{}-{}", o.seed % 100000, w + 1), random_token().substr(0, 16)};
      auto u = admin.post("/api/v1/users", json::object{{"username", cw.user}, {"role", "care"}, {"password", cw.password}});
      if (u.status != 201) return Status(Code::kUnavailable, fmt::format("care user: {}", u.body));
      care_workers.push_back(std::move(cw));
    }
    for (std::size_t i = 0; i < id_numbers.size(); i += 10) {
      const std::size_t n = i / 10;
      csv += fmt::format("{},{},{},{}\n", id_numbers[i], n % 3 == 0 ? "lives_alone|low_income" : "empty_nest",
                         n % 5 == 0 ? "high" : "general", care_workers[n % care_workers.size()].user);
    }
    if (!sink("care-targets", csv)) return Status(Code::kUnavailable, failure);
  }
  op_user = fmt::format("sim-op-{}", o.seed % 100000);
  op_password = random_token().substr(0, 16);
  auto u = admin.post("/api/v1/users", json::object{{"username", op_user}, {"role", "operator"}, {"password", op_password}});
  if (u.status != 201) return Status(Code::kUnavailable, fmt::format("operator user: {}", u.body));
  return Status::Ok();
}

// The counters' lunch rush: meal i is due at i / meals_rate; a counter checks the card, then
// records the meal with an Idempotency-Key (SPEC §12). Latency counts from the due time.
CounterReport run_counters(const SimulateOptions& o, const std::vector<SimCounter>& counters, int seconds) {
  CounterReport cr;
  std::mutex mu;
  std::vector<double> check, record, both;
  std::atomic<std::int64_t> next{0}, recorded{0}, subsidised{0}, refused{0}, failed{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::vector<std::thread> desks;
  for (size_t k = 0; k < counters.size(); ++k) {
    if (counters[k].cards.empty()) continue;
    desks.emplace_back([&, k] {
      HttpClient c(o.endpoint);
      if (!c.login(counters[k].user, counters[k].password).ok()) return;
      std::mt19937_64 r(o.seed * 104729 + k);
      std::int64_t mine = 0;
      while (true) {
        std::int64_t i = next++;
        auto due = start + std::chrono::microseconds(static_cast<std::int64_t>(1e6 * static_cast<double>(i) / o.meals_rate));
        if (due >= end) break;
        std::this_thread::sleep_until(due);
        const std::string& card = counters[k].cards[r() % counters[k].cards.size()];
        auto t0 = Clock::now();
        auto chk = c.get("/api/v1/meals/check?slot=lunch&card_no=" + card);
        auto t1 = Clock::now();
        if (chk.status == 409 || chk.status == 404) {
          ++refused;
          continue;
        }
        if (chk.status != 200) {
          ++failed;
          continue;
        }
        auto rec = c.post("/api/v1/meals", json::object{{"card_no", card}, {"slot", "lunch"}},
                          {{"Idempotency-Key", fmt::format("sim-{}-{}-{}", o.seed, k, ++mine)}});
        auto t2 = Clock::now();
        if (rec.status != 201) {
          ++(rec.status == 409 ? refused : failed);
          continue;
        }
        ++recorded;
        if (rec.json().at("government_fen").as_int64() > 0) ++subsidised;
        std::lock_guard lk(mu);
        check.push_back(ms_since(t0, t1));
        record.push_back(ms_since(t1, t2));
        both.push_back(ms_since(due, t2));
      }
    });
  }
  for (auto& t : desks) t.join();
  cr.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  cr.recorded = recorded;
  cr.subsidised = subsidised;
  cr.refused = refused;
  cr.failed = failed;
  cr.check_ms = percentiles(check);
  cr.record_ms = percentiles(record);
  cr.check_to_recorded_ms = percentiles(both);
  return cr;
}

// The care workers' rounds: visit i is due at i / care_rate; a worker reads their due list and
// records a visit to the first elder on it (which moves that elder's next visit on).
void run_care_visits(const SimulateOptions& o, const std::vector<SimCareWorker>& workers, int seconds, CareReport& cr) {
  std::mutex mu;
  std::vector<double> due_lat, visit_lat;
  std::atomic<std::int64_t> next{0}, visits{0}, failed{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::vector<std::thread> phones;
  for (const auto& w : workers) {
    phones.emplace_back([&] {
      HttpClient c(o.endpoint);
      if (!c.login(w.user, w.password).ok()) return;
      while (true) {
        std::int64_t i = next++;
        auto due = start + std::chrono::microseconds(static_cast<std::int64_t>(1e6 * static_cast<double>(i) / o.care_rate));
        if (due >= end) break;
        std::this_thread::sleep_until(due);
        auto t0 = Clock::now();
        auto list = c.get("/api/v1/care/due?within_days=366&limit=1");
        auto t1 = Clock::now();
        if (list.status != 200 || list.json().at("due").as_array().empty()) {
          ++failed;
          continue;
        }
        const auto& elder = list.json().at("due").as_array().at(0).at("elder_id");
        auto v = c.post("/api/v1/care/visits",
                        json::object{{"elder_id", elder},
                                     {"method", i % 4 == 0 ? "phone" : "in_person"},
                                     {"findings", json::object{{"living", "good"}, {"safety", "good"}, {"health", i % 7 == 0 ? "fair" : "good"}}}});
        auto t2 = Clock::now();
        if (v.status != 201) {
          ++failed;
          continue;
        }
        ++visits;
        std::lock_guard lk(mu);
        due_lat.push_back(ms_since(t0, t1));
        visit_lat.push_back(ms_since(t1, t2));
      }
    });
  }
  for (auto& t : phones) t.join();
  cr.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  cr.visits = visits;
  cr.visit_failed = failed;
  cr.due_ms = percentiles(due_lat);
  cr.visit_ms = percentiles(visit_lat);
}

// The operator sets up `o.recurrences` recurring orders (a weekly bath, a clean three times a
// week, a daily check), each making its first tickets at once (SPEC §14).
void create_recurrences(const SimulateOptions& o, const std::string& user, const std::string& password,
                        const std::vector<std::string>& ids, CareReport& cr) {
  HttpClient c(o.endpoint);
  if (!c.login(user, password).ok()) {
    cr.recurrence_failed = o.recurrences;
    return;
  }
  const char* kRules[] = {"FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=DAILY;INTERVAL=2"};
  std::vector<double> lat;
  // Today in the district (Asia/Shanghai, UTC+8 all year).
  const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string today = format_date(civil_from_days((unix_ms + 8 * kMsPerHour) / kMsPerDay));
  for (int i = 0; i < o.recurrences && !ids.empty(); ++i) {
    auto t0 = Clock::now();
    auto r = c.post("/api/v1/recurrences", json::object{{"id_number", ids[(static_cast<std::size_t>(i) * 7 + 3) % ids.size()]},
                                                        {"item_code", "LC010"},
                                                        {"rule", kRules[i % 3]},
                                                        {"window_start", "09:00"},
                                                        {"window_end", "11:00"},
                                                        {"starts_on", today}});
    lat.push_back(ms_since(t0, Clock::now()));
    ++(r.status == 201 ? cr.recurrences : cr.recurrence_failed);
  }
  cr.recurrence_ms = percentiles(lat);
}

}  // namespace

Result<SimulateReport> run_simulation(const SimulateOptions& o) {
  crypto_init();
  auto say = [&](const std::string& s) {
    if (!o.quiet) fmt::print(stderr, "{}\n", s);
  };
  HttpClient admin(o.endpoint);
  auto role = admin.login(o.admin_user, o.admin_password);
  if (!role.ok()) return role.status();
  if (*role != "admin") return Status(Code::kPermissionDenied, "simulate needs an admin login (to import the city)");
  std::vector<std::pair<std::string, std::string>> tokens;
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> staff;
  std::string op_user, op_password;
  std::vector<SimCounter> counters;
  std::vector<SimCareWorker> care_workers;
  say(fmt::format("setting up a city of {} elders, {} firms and {} canteens through the API…", o.elders, o.firms,
                  o.counters));
  VNH_RETURN_IF_ERROR(setup_city(o, admin, tokens, ids, staff, op_user, op_password, counters, care_workers));

  Timeline tl;
  auto origin = Clock::now();
  auto now_ms = [&] { return ms_since(origin, Clock::now()); };
  boost::asio::io_context io;
  std::vector<std::shared_ptr<FirmAgent>> agents;
  std::mt19937_64 rng(o.seed);
  for (size_t i = 0; i < tokens.size(); ++i) {
    AgentBehaviour b;
    b.accept_prob = 0.9;
    b.think_min_s = 0.02;
    b.think_max_s = 0.3;
    b.time_scale = o.time_scale;
    b.visits = o.visits;
    b.travel_min_s = 300;
    b.travel_max_s = 1200;
    b.far_checkin_prob = 0.02;
    b.short_visit_prob = 0.02;
    b.drop_prob = std::uniform_real_distribution<double>(0, 1)(rng) < o.dropping_firms ? 0.03 : 0.0;
    b.offline_s = 2;
    // A flapping link stays up a while after it comes back: drops are per offer, and without
    // this a burst's backlog replayed on reconnect would cut the link again within it forever.
    b.min_online_s = 10;
    b.heartbeat_s = 15;
    b.seed = o.seed * 1000 + i;
    auto a = std::make_shared<FirmAgent>(io, o.endpoint, tokens[i].second, tokens[i].first, staff[i], b);
    a->on_offer = [&](const vnh::v1::TicketOffer& off, std::int64_t) { tl.mark(tl.offered, off.ticket_no(), now_ms()); };
    a->on_result = [&](const std::string& no, const vnh::v1::CommandResult& r) {
      if (r.ok() && r.state() == "accepted") tl.mark(tl.accepted, no, now_ms());
    };
    a->on_completed = [&](const std::string& no) { tl.mark(tl.completed, no, now_ms()); };
    agents.push_back(a);
    a->start();
  }
  std::vector<std::thread> io_threads;
  for (int i = 0; i < 2; ++i) io_threads.emplace_back([&] { io.run(); });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let the firms connect

  SimulateReport rep;
  std::atomic<std::int64_t> seq{0};
  auto phase = [&](const std::string& name, int seconds, int workers, double rate) {
    PhaseReport pr;
    pr.name = name;
    std::atomic<std::int64_t> created{0}, failed{0}, next{0};
    std::mutex lat_mu;
    std::vector<double> lat;
    auto start = Clock::now();
    auto end = start + std::chrono::seconds(seconds);
    std::vector<std::thread> ws;
    for (int w = 0; w < workers; ++w) {
      ws.emplace_back([&, w] {
        HttpClient c(o.endpoint);
        if (!c.login(op_user, op_password).ok()) return;
        HttpClient pbx(o.endpoint);
        std::mt19937_64 r(o.seed * 7919 + static_cast<std::uint64_t>(w));
        while (true) {
          std::int64_t i = next++;
          // Open loop at `rate`: ticket i is due at start + i/rate (latency counts from then).
          auto due = rate > 0 ? start + std::chrono::microseconds(static_cast<std::int64_t>(1e6 * static_cast<double>(i) / rate))
                              : Clock::now();
          if (due >= end || Clock::now() >= end) break;
          std::this_thread::sleep_until(due);
          const std::string& id = ids[static_cast<size_t>(r() % ids.size())];
          if (!o.pbx_secret.empty() && i % 5 == 0) {
            pbx.post("/api/v1/calls/incoming", json::object{{"caller", "13900000000"}, {"line", "sim"}},
                     {{"X-PBX-Secret", o.pbx_secret}});
          }
          double sent = now_ms();
          auto res = c.post("/api/v1/tickets", json::object{{"id_number", id}, {"item_code", "LC010"}},
                            {{"Idempotency-Key", fmt::format("sim-{}-{}", o.seed, seq++)}});
          double done = now_ms();
          double due_ms = ms_since(origin, due);
          if (res.status == 201) {
            ++created;
            std::string no(res.json().at("ticket_no").as_string());
            tl.mark(tl.sent, no, sent);
            {
              std::lock_guard lk(tl.mu);
              tl.phase[no] = static_cast<int>(rep.phases.size());
            }
            std::lock_guard lk(lat_mu);
            lat.push_back(done - (rate > 0 ? due_ms : sent));
          } else {
            ++failed;
          }
        }
      });
    }
    for (auto& t : ws) t.join();
    pr.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    pr.created = created;
    pr.failed = failed;
    pr.created_per_s = static_cast<double>(created) / pr.seconds;
    pr.create_ms = percentiles(lat);
    say(fmt::format("{}: {} tickets in {:.1f} s = {:.1f}/s, create p50 {:.2f} ms p99 {:.2f} ms, {} failed", name,
                    pr.created, pr.seconds, pr.created_per_s, pr.create_ms.p50, pr.create_ms.p99, pr.failed));
    rep.phases.push_back(pr);
  };
  say(fmt::format("steady phase: {} tickets/s for {} s{}", o.rate, o.duration_s,
                  counters.empty() ? "" : fmt::format(", {} meals/s at {} counters", o.meals_rate, counters.size())));
  if (o.recurrences > 0) {
    create_recurrences(o, op_user, op_password, ids, rep.care);
    say(fmt::format("recurring orders: {} set up ({} failed), create p50 {:.2f} ms p99 {:.2f} ms", rep.care.recurrences,
                    rep.care.recurrence_failed, rep.care.recurrence_ms.p50, rep.care.recurrence_ms.p99));
  }
  std::thread lunch, rounds;
  if (!counters.empty() && o.meals_rate > 0) {
    lunch = std::thread([&] { rep.counters = run_counters(o, counters, o.duration_s); });
  }
  if (!care_workers.empty() && o.care_rate > 0) {
    rounds = std::thread([&] { run_care_visits(o, care_workers, o.duration_s, rep.care); });
  }
  phase("steady", o.duration_s, std::max(4, std::min(64, static_cast<int>(o.rate / 20) + 8)), o.rate);
  if (lunch.joinable()) lunch.join();
  if (rounds.joinable()) rounds.join();
  if (o.burst_s > 0) {
    say(fmt::format("burst phase: {} clients as fast as the server answers for {} s", o.burst_workers, o.burst_s));
    phase("burst", o.burst_s, o.burst_workers, 0);
  }

  // Drain: wait until nothing is waiting for a firm's answer and visits have finished.
  say("draining…");
  auto drain_end = Clock::now() + std::chrono::seconds(o.drain_s);
  json::value cons;
  while (Clock::now() < drain_end) {
    auto c = admin.get("/api/v1/admin/consistency");
    if (c.status == 200) {
      cons = c.json();
      const auto& st = cons.at("by_state").as_object();
      auto n = [&](const char* k) { return st.contains(k) ? st.at(k).as_int64() : 0; };
      std::int64_t busy = n("created") + n("offered") + (o.visits ? n("accepted") + n("in_service") : 0);
      if (busy == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  auto final_check = admin.get("/api/v1/admin/consistency");
  cons = final_check.json();
  rep.consistency_json = json::serialize(cons);
  rep.consistent = final_check.status == 200 && cons.at("ok").as_bool();

  for (auto& a : agents) a->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  io.stop();
  for (auto& t : io_threads) t.join();
  std::vector<double> c2o, o2a, a2c;
  {
    std::lock_guard lk(tl.mu);
    for (const auto& [no, s] : tl.sent) {
      if (auto it = tl.offered.find(no); it != tl.offered.end()) c2o.push_back(it->second - s);
    }
    for (const auto& [no, a] : tl.accepted) {
      if (auto it = tl.offered.find(no); it != tl.offered.end()) o2a.push_back(a - it->second);
      if (auto it = tl.completed.find(no); it != tl.completed.end()) a2c.push_back(it->second - a);
    }
  }
  rep.create_to_offer_ms = percentiles(c2o);
  {
    std::lock_guard lk(tl.mu);
    for (size_t ph = 0; ph < rep.phases.size(); ++ph) {
      std::vector<double> v;
      for (const auto& [no, s] : tl.sent) {
        auto p = tl.phase.find(no);
        auto off = tl.offered.find(no);
        if (p != tl.phase.end() && p->second == static_cast<int>(ph) && off != tl.offered.end()) v.push_back(off->second - s);
      }
      rep.phases[ph].create_to_offer_ms = percentiles(v);
    }
  }
  rep.offer_to_accept_ms = percentiles(o2a);
  rep.accept_to_completed_ms = percentiles(a2c);
  double total_s = 0;
  for (const auto& p : rep.phases) total_s += p.seconds;
  for (auto& a : agents) {
    rep.offers += static_cast<std::int64_t>(a->stats().offers.load());
    rep.accepted += static_cast<std::int64_t>(a->stats().accepted.load());
    rep.declined += static_cast<std::int64_t>(a->stats().declined.load());
    rep.completed += static_cast<std::int64_t>(a->stats().completed.load());
    rep.drops += static_cast<std::int64_t>(a->stats().drops.load());
    rep.reconnects += static_cast<std::int64_t>(a->stats().connects.load()) - 1;
  }
  rep.offers_per_s = total_s > 0 ? static_cast<double>(rep.offers) / total_s : 0;
  return rep;
}

std::string SimulateReport::to_table() const {
  std::string s = fmt::format("{:<10} {:>8} {:>8} {:>10} {:>12} {:>12} {:>14} {:>14} {:>7}\n", "phase", "seconds",
                              "tickets", "tickets/s", "create p50", "create p99", "→offer p50", "→offer p99", "failed");
  for (const auto& p : phases) {
    s += fmt::format("{:<10} {:>8.1f} {:>8} {:>10.1f} {:>9.2f} ms {:>9.2f} ms {:>11.2f} ms {:>11.2f} ms {:>7}\n", p.name,
                     p.seconds, p.created, p.created_per_s, p.create_ms.p50, p.create_ms.p99,
                     p.create_to_offer_ms.p50, p.create_to_offer_ms.p99, p.failed);
  }
  s += fmt::format("\n{:<22} {:>8} {:>10} {:>10} {:>10} {:>10}\n", "latency", "n", "p50 ms", "p90 ms", "p99 ms", "max ms");
  for (auto [name, p] : {std::pair{"create → offer", &create_to_offer_ms}, std::pair{"offer → accept", &offer_to_accept_ms},
                         std::pair{"accept → completed", &accept_to_completed_ms}}) {
    s += fmt::format("{:<22} {:>8} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f}\n", name, p->n, p->p50, p->p90, p->p99, p->max);
  }
  s += fmt::format("\nfirms: {} offers ({:.1f}/s), {} accepted, {} declined, {} completed; {} links dropped, {} reconnects\n",
                   offers, offers_per_s, accepted, declined, completed, drops, reconnects);
  if (counters.recorded + counters.refused + counters.failed > 0) {
    s += fmt::format("counters: {} meals recorded in {:.1f} s ({} subsidised, {} refused, {} failed); check p50 {:.2f} ms "
                     "p99 {:.2f} ms, record p50 {:.2f} ms p99 {:.2f} ms, check → recorded p50 {:.2f} ms p99 {:.2f} ms\n",
                     counters.recorded, counters.seconds, counters.subsidised, counters.refused, counters.failed,
                     counters.check_ms.p50, counters.check_ms.p99, counters.record_ms.p50, counters.record_ms.p99,
                     counters.check_to_recorded_ms.p50, counters.check_to_recorded_ms.p99);
  }
  if (care.visits + care.visit_failed + care.recurrences + care.recurrence_failed > 0) {
    s += fmt::format("care: {} visits recorded in {:.1f} s ({} failed); due list p50 {:.2f} ms p99 {:.2f} ms, visit p50 "
                     "{:.2f} ms p99 {:.2f} ms; {} recurring orders ({} failed), create p50 {:.2f} ms p99 {:.2f} ms\n",
                     care.visits, care.seconds, care.visit_failed, care.due_ms.p50, care.due_ms.p99, care.visit_ms.p50,
                     care.visit_ms.p99, care.recurrences, care.recurrence_failed, care.recurrence_ms.p50,
                     care.recurrence_ms.p99);
  }
  s += fmt::format("consistency: {} {}\n", consistent ? "OK" : "FAILED", consistency_json);
  return s;
}

std::string SimulateReport::to_json() const {
  json::array ph;
  for (const auto& p : phases) {
    ph.push_back(json::object{{"name", p.name}, {"seconds", p.seconds}, {"created", p.created}, {"failed", p.failed},
                              {"created_per_s", p.created_per_s}, {"create", pjson(p.create_ms)},
                              {"create_to_offer", pjson(p.create_to_offer_ms)}});
  }
  boost::system::error_code ec;
  auto cons = json::parse(consistency_json, ec);
  return json::serialize(json::object{{"phases", ph},
                                      {"create_to_offer", pjson(create_to_offer_ms)},
                                      {"offer_to_accept", pjson(offer_to_accept_ms)},
                                      {"accept_to_completed", pjson(accept_to_completed_ms)},
                                      {"offers", offers},
                                      {"offers_per_s", offers_per_s},
                                      {"accepted", accepted},
                                      {"declined", declined},
                                      {"completed", completed},
                                      {"link_drops", drops},
                                      {"reconnects", reconnects},
                                      {"counters", json::object{{"recorded", counters.recorded},
                                                                {"subsidised", counters.subsidised},
                                                                {"refused", counters.refused},
                                                                {"failed", counters.failed},
                                                                {"seconds", counters.seconds},
                                                                {"check", pjson(counters.check_ms)},
                                                                {"record", pjson(counters.record_ms)},
                                                                {"check_to_recorded", pjson(counters.check_to_recorded_ms)}}},
                                      {"care", json::object{{"visits", care.visits},
                                                            {"visit_failed", care.visit_failed},
                                                            {"seconds", care.seconds},
                                                            {"due", pjson(care.due_ms)},
                                                            {"visit", pjson(care.visit_ms)},
                                                            {"recurrences", care.recurrences},
                                                            {"recurrence_failed", care.recurrence_failed},
                                                            {"recurrence_create", pjson(care.recurrence_ms)}}},
                                      {"consistent", consistent},
                                      {"consistency", ec ? json::value() : cons}});
}

}  // namespace vnh::sim
