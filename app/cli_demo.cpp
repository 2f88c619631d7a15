// vnh demo [--port N] [--dir D] — a living district in one command: generates (or reuses) a
// demo database with the real areas, the full catalog, 110,000 elders, 126 firms and two
// months of history; starts the platform, 126 simulated partner firms over real websockets
// and a gentle stream of incoming calls; prints the console URL and the logins.
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "app/offline_tickets.hpp"
#include "app/options.hpp"
#include "app/server.hpp"
#include "care/care.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "data/embedded.hpp"
#include "hotline/auth.hpp"
#include "importer/importer.hpp"
#include "recurrence/recurrence.hpp"
#include "registry/deaths.hpp"
#include "settlement/settlement.hpp"
#include "sim/district.hpp"
#include "sim/firm_agent.hpp"
#include "store/care.hpp"
#include "store/elders.hpp"
#include "store/stats.hpp"
#include "store/reference.hpp"
#include "store/meals.hpp"
#include "store/query.hpp"

namespace vnh::app {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

struct Login {
  std::string role, user, password;
};

// Simulated counters recording lunches during the demo (one per canteen, the first few).
constexpr size_t kCounterRobots = 6;
bool is_robot(const std::string& user) { return user == "robot" || user.rfind("robot-", 0) == 0; }

void progress_line(const std::string& stage, std::size_t done, std::size_t total) {
  int pct = total ? static_cast<int>(100 * done / total) : 100;
  fmt::print(stderr, "\r  {:<24} {:>3}% ({} / {})   ", stage, pct, done, total);
  if (done >= total) fmt::print(stderr, "\n");
}

void write_private(const fs::path& p, const std::string& text) {
  mode_t old = ::umask(077);
  std::ofstream(p, std::ios::trunc) << text;
  ::umask(old);
}

// Care targets (SPEC §14) — one elder in twenty-five: living alone, disabled, poor … — with their
// visits so far (some overdue), care1 and care2 each the care worker of one community's
// targets; and two deaths in the history (one last month, one this month), recorded as the
// civil registry's list would: their open tickets cancelled, their cards revoked, the previous
// month's settlement excluding what came after.
Status seed_care(store::Store& store, const domain::Policy& policy, TimeMs now) {
  using domain::CareFlag;
  auto& db = store.db();
  using Target = std::pair<std::int64_t, std::string>;  // elder id, community
  VNH_ASSIGN_OR_RETURN(auto ids, (store::query_all<Target>(
                                     db.prepare("SELECT id, community_code FROM elders WHERE id % 25 = 0 ORDER BY id"),
                                     [](store::Statement& r) { return Target{r.int64(0), r.text(1)}; })));
  if (ids.empty()) return Status::Ok();
  // The two communities with the most targets get care1 and care2.
  std::map<std::string, int> per;
  for (const auto& [id, c] : ids) ++per[c];
  std::vector<std::pair<int, std::string>> busiest;
  for (const auto& [c, n] : per) busiest.emplace_back(-n, c);
  std::sort(busiest.begin(), busiest.end());
  std::map<std::string, std::string> worker_of;
  if (!busiest.empty()) worker_of[busiest[0].second] = "care1";
  if (busiest.size() > 1) worker_of[busiest[1].second] = "care2";
  const CareFlag kinds[] = {CareFlag::kLivesAlone, CareFlag::kEmptyNest, CareFlag::kDisabled, CareFlag::kLowIncome,
                            CareFlag::kSeverelyDisabled, CareFlag::kSpecialFamily, CareFlag::kLeftBehind};
  std::mt19937_64 rng(2026);
  constexpr TimeMs kDay = 86'400'000;
  Status st = store::run_transaction(db, [&](store::WriteTx& tx) -> Status {
    for (const auto& [id, community] : ids) {
      domain::CareTier tier = id % 100 == 0 ? domain::CareTier::kHigh : id % 50 == 0 ? domain::CareTier::kKey
                                                                                    : domain::CareTier::kGeneral;
      domain::CareFlags flags = domain::care_flag_bit(kinds[rng() % 7]);
      if (rng() % 3 == 0) flags |= domain::care_flag_bit(CareFlag::kLivesAlone);
      auto w = worker_of.find(community);
      care::TargetInput in{id, flags, tier, w == worker_of.end() ? std::nullopt : std::optional<std::string>(w->second)};
      VNH_ASSIGN_OR_RETURN(auto t, care::set_target(tx, policy, in, domain::Actor::import("demo"), now - 200 * kDay));
      // Visits in the past at about the tier's interval; one in six targets is late.
      const TimeMs interval = policy.care_interval(tier) * kDay;
      const bool late = rng() % 6 == 0;
      TimeMs last = now - static_cast<TimeMs>(rng() % static_cast<std::uint64_t>(interval)) - (late ? interval : 0);
      for (TimeMs at = last; at > now - 120 * kDay && at > t.since; at -= interval) {
        store::CareVisitRow v;
        v.elder_id = id;
        v.visited_at = at;
        v.method = rng() % 4 == 0 ? domain::VisitMethod::kPhone : domain::VisitMethod::kInPerson;
        v.health = rng() % 5 == 0 ? domain::Finding::kFair : domain::Finding::kGood;
        v.needs = rng() % 7 == 0 ? "需要助浴" : "";
        v.recorded_by = w == worker_of.end() ? "community" : w->second;
        v.recorded_at = at;
        VNH_RETURN_IF_ERROR(store::insert_care_visit(tx.db(), v).status());
      }
      if (last > t.since) {
        t.last_visit_at = last;
        t.due_at = care::scheduled_due(policy, t);
        VNH_RETURN_IF_ERROR(store::put_care_target(tx.db(), t));
      }
    }
    return Status::Ok();
  });
  VNH_RETURN_IF_ERROR(st);
  // Two deaths, through the same path as the registry's list.
  SystemClock clock;
  VNH_ASSIGN_OR_RETURN(auto offline, OfflineTickets::open(store, policy, clock));
  // Recurring orders (SPEC §14) for one elder in 150: a weekly bath, a clean on Mondays, Wednesdays
  // and Fridays, a fortnightly blood-pressure check. The server's job makes their tickets.
  VNH_ASSIGN_OR_RETURN(auto regulars, (store::query_all<std::int64_t>(
                                          db.prepare("SELECT id FROM elders WHERE id % 150 = 11 AND status = 'active' ORDER BY id"),
                                          [](store::Statement& r) { return r.int64(0); })));
  const char* kRegular[][2] = {{"FREQ=WEEKLY", "LC005"}, {"FREQ=WEEKLY;BYDAY=MO,WE,FR", "LC021"}, {"FREQ=WEEKLY;INTERVAL=2", "MC001"}};
  recurrence::Deps deps{policy, store.crypto(), offline->service()};
  for (std::size_t i = 0; i < regulars.size(); ++i) {
    recurrence::NewRecurrence in;
    in.elder_id = store::elder_public_id(regulars[i]);
    in.rule = kRegular[i % 3][0];
    in.item_code = kRegular[i % 3][1];
    in.window_start = "09:00";
    in.window_end = "11:00";
    in.starts_on = policy.tz->local_date(now);
    VNH_RETURN_IF_ERROR(store::run_transaction(db, [&](store::WriteTx& tx) {
      return recurrence::create(tx, deps, in, domain::Actor::import("demo"), now).status();
    }));
  }
  const Date today = policy.tz->local_date(now);
  const Date days[] = {civil_from_days(days_from_civil(today) - 35), civil_from_days(days_from_civil(today) - 6)};
  const std::int64_t who[] = {7, 13};
  for (int i = 0; i < 2; ++i) {
    VNH_ASSIGN_OR_RETURN(auto elder, store::get_elder_core(db, who[i]));
    if (!elder) continue;  // a district too small to have them
    registry::DeathReport d{who[i], days[i], registry::DeathSource::kRegistry, "", "民政部门死亡名单 civil registry"};
    VNH_RETURN_IF_ERROR(store::run_transaction(db, [&](store::WriteTx& tx) {
      return registry::record_death(tx, policy, &offline->service(), d, domain::Actor::import("demo"), now).status();
    }));
  }
  return Status::Ok();
}

// The month before last settled by fin2 and approved by fin1, then a death in it that the civil
// registry's list brings late: what the approved month paid for that elder after the day is
// proposed as a recovery, for finance to turn into an adjustment of the previous month (SPEC §13).
Status seed_approved_month(store::Store& store, const domain::Policy& policy, const fs::path& dir, YearMonth month,
                           TimeMs now) {
  auto& db = store.db();
  settlement::RunOptions ro{month, (dir / "settlements").string(), "fin2", now};
  auto run = settlement::run(
      db, [&](const auto& w) { return store::run_transaction(db, w); }, policy, ro);
  if (!run.ok()) return run.status().reason() == "empty_month" ? Status::Ok() : run.status();
  VNH_RETURN_IF_ERROR(store::run_transaction(db, [&](store::WriteTx& tx) {
    return settlement::approve(tx, month, "fin1", now, policy);
  }));
  // An A-category elder served late in that month, dying the day before that service.
  using Served = std::pair<std::int64_t, TimeMs>;
  const TimeMs from = policy.tz->month_start(month) + 5 * kMsPerDay, to = policy.tz->month_start(month.next());
  auto st = db.prepare(
      "SELECT t.elder_id, t.checkout_at FROM tickets t JOIN elders e ON e.id = t.elder_id "
      "WHERE t.state = 'completed' AND e.category = 'A' AND e.status = 'active' "
      "AND t.checkout_at >= ?1 AND t.checkout_at < ?2 ORDER BY t.checkout_at DESC LIMIT 1");
  if (st.ok()) st->bind(1, from).bind(2, to);
  VNH_ASSIGN_OR_RETURN(auto served, (store::query_all<Served>(
                                        std::move(st), [](store::Statement& r) { return Served{r.int64(0), r.int64(1)}; })));
  if (served.empty()) return Status::Ok();
  const Date died = civil_from_days(days_from_civil(policy.tz->local_date(served[0].second)) - 1);
  SystemClock clock;
  VNH_ASSIGN_OR_RETURN(auto offline, OfflineTickets::open(store, policy, clock));
  registry::DeathReport d{served[0].first, died, registry::DeathSource::kRegistry, "", "民政部门死亡名单 civil registry"};
  return store::run_transaction(db, [&](store::WriteTx& tx) {
    return registry::record_death(tx, policy, &offline->service(), d, domain::Actor::import("demo"), now).status();
  });
}

// Builds the demo database: reference data, population, history, users, tokens, an approved
// month with a recovery, a settled previous month. Returns the logins.
Result<std::vector<Login>> generate(const fs::path& dir, const sim::DistrictSpec& spec, TimeMs now) {
  auto started = std::chrono::steady_clock::now();
  store::StoreOptions so;
  so.path = (dir / "vnh.db").string();
  so.start_writer = false;
  so.open.synchronous = "OFF";  // bulk generation; the server runs with FULL
  auto st = store::Store::open(so);
  if (!st.ok()) return st.status();
  auto& store = **st;
  auto policy = domain::load_policy(data::default_policy_text(), "built-in data/policy.toml");
  if (!policy.ok()) return policy.status();
  importer::ImportContext ctx{*policy, store.crypto(), now, "demo", "demo", nullptr};
  std::string failure;
  auto sink = [&](const std::string& kind, const std::string& csv) {
    auto k = importer::parse_kind(kind);
    auto rep = importer::import_csv(store.db(), *k, csv, ctx);
    if (!rep.ok()) {
      failure = rep.status().message();
      return false;
    }
    if (!rep->ok()) {
      failure = rep->format_errors(kind + ".csv", 5);
      return false;
    }
    return true;
  };
  fmt::print(stderr, "[1/5] reference data: 兰州市 areas and the service catalog\n");
  if (!sink("areas", std::string(data::areas_csv())) || !sink("catalog", std::string(data::catalog_csv()))) {
    return internal("reference data: " + failure);
  }
  fmt::print(stderr, "[2/5] district population: {} elders, {} firms\n", spec.elders, spec.firms);
  sim::DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
  if (!gen.emit_population(sink, progress_line)) return internal("population: " + failure);
  progress_line("generating elders", static_cast<size_t>(spec.elders), static_cast<size_t>(spec.elders));
  // The map's street and community outlines, through the same import a district would use.
  ctx.file_name = "demo-areas.geojson";
  if (!sink("area-shapes", gen.area_shapes_geojson())) return internal("area shapes: " + failure);
  ctx.file_name = "demo";
  fmt::print(stderr, "[3/5] {} days of history\n", spec.history_days);
  Date today = policy->tz->local_date(now);
  if (!gen.emit_history(sink, progress_line, today, *policy->tz)) return internal("history: " + failure);
  fmt::print(stderr, "      canteens, meal cards and their lunches\n");
  if (!gen.emit_meals(sink, progress_line, today, *policy->tz)) return internal("meals: " + failure);

  fmt::print(stderr, "[4/5] users and partner tokens\n");
  std::vector<Login> logins = {{"operator", "op1", ""},  {"supervisor", "sup1", ""}, {"inspector", "insp1", ""},
                               {"finance", "fin1", ""},  {"finance", "fin2", ""},    {"admin", "admin", ""},
                               {"operator", "robot", ""},  {"care", "care1", ""},        {"care", "care2", ""},
                               {"display", "wall1", ""}};
  // The counter of the first canteen for a person; a few more for the lunch-rush robots.
  std::map<std::string, std::string> canteen_of;
  if (!gen.canteens().empty()) {
    logins.push_back({"canteen", "canteen1", ""});
    canteen_of["canteen1"] = gen.canteens().front().code;
    for (size_t i = 0; i < std::min<size_t>(kCounterRobots, gen.canteens().size()); ++i) {
      std::string name = "robot-" + gen.canteens()[i].code;
      logins.push_back({"canteen", name, ""});
      canteen_of[name] = gen.canteens()[i].code;
    }
  }
  std::string logins_txt, tokens_txt;
  for (auto& l : logins) {
    l.password = random_token().substr(0, 12);
    auto hash = hotline::hash_new_password(l.password, *policy);
    if (!hash.ok()) return hash.status();
    hotline::NewUser u{l.user, l.user, *domain::parse_role(l.role), *hash, std::nullopt};
    if (auto k = canteen_of.find(l.user); k != canteen_of.end()) {
      auto c = store::find_canteen(store.db(), k->second);
      if (!c.ok() || !*c) return internal("demo canteen vanished");
      u.canteen_id = (*c)->id;
    }
    VNH_RETURN_IF_ERROR(store::run_transaction(store.db(), [&](store::WriteTx& tx) {
      return hotline::insert_new_user(tx.db(), u, now, "demo").status();
    }));
    logins_txt += fmt::format("{} {} {}\n", l.role, l.user, l.password);
  }
  for (const auto& f : gen.firms()) {
    auto firm = store::find_firm(store.db(), f.code);
    if (!firm.ok() || !*firm) return internal("firm vanished");
    std::string token;
    VNH_RETURN_IF_ERROR(store::run_transaction(store.db(), [&](store::WriteTx& tx) -> Status {
      VNH_ASSIGN_OR_RETURN(token, store::issue_firm_token(tx.db(), **firm, "demo", now));
      return Status::Ok();
    }));
    std::string staff;
    for (const auto& [code, skills] : f.staff) staff += (staff.empty() ? "" : ",") + code;
    tokens_txt += fmt::format("{} {} {}\n", f.code, token, staff);
  }
  write_private(dir / "logins.txt", logins_txt);
  write_private(dir / "firm-tokens.txt", tokens_txt);

  fmt::print(stderr, "      care targets and their visits, deaths in the history\n");
  VNH_RETURN_IF_ERROR(seed_care(store, *policy, now));

  fmt::print(stderr, "[5/5] settling: the month before last approved (and a death found late in it), the previous month a draft\n");
  YearMonth prev = YearMonth{today.year, today.month}.prev();
  VNH_RETURN_IF_ERROR(seed_approved_month(store, *policy, dir, prev.prev(), now));
  settlement::RunOptions ro{prev, (dir / "settlements").string(), "fin2", now};
  auto run = settlement::run(
      store.db(), [&](const auto& w) { return store::run_transaction(store.db(), w); }, *policy, ro);
  if (!run.ok() && run.status().reason() != "empty_month") return internal("settlement: " + run.status().message());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto tickets = store::count_rows(store.db(), store::SeededTable::kTickets);
  fmt::print(stderr, "generated in {:.1f} s: {} elders, {} firms, {} canteens, {} tickets; {} {}\n", secs, spec.elders,
             spec.firms, gen.canteens().size(), tickets.ok() ? *tickets : 0, prev.to_string(),
             run.ok() ? fmt::format("payout ¥{:.2f} to firms, ¥{:.2f} to canteens",
                                    static_cast<double>(run->settlement.payout) / 100,
                                    static_cast<double>(run->settlement.meals_payout) / 100)
                      : std::string("had no activity: not settled"));
  return logins;
}

// Today's delivery orders (SPEC §12), as if taken yesterday afternoon: a dozen lunches for each
// canteen that delivers, for card holders of its street, unless today already has orders (a
// demo folder reused). The robot counters report them during the demo.
Status seed_todays_orders(const fs::path& dir, TimeMs now) {
  store::StoreOptions so;
  so.path = (dir / "vnh.db").string();
  so.start_writer = false;
  auto st = store::Store::open(so);
  if (!st.ok()) return st.status();
  auto& db = (**st).db();
  auto policy = domain::load_policy(data::default_policy_text(), "built-in data/policy.toml");
  if (!policy.ok()) return policy.status();
  const Date today = policy->tz->local_date(now);
  VNH_ASSIGN_OR_RETURN(auto canteens, store::list_canteens(db));
  return store::run_transaction(db, [&](store::WriteTx&) -> Status {
    for (const auto& k : canteens) {
      if (!k.delivers || k.status != domain::CanteenStatus::kActive) continue;
      VNH_ASSIGN_OR_RETURN(auto booked, store::count_meal_orders(db, k.id, today));
      if (booked > 0) continue;
      auto q = db.prepare(
          "SELECT e.id, e.category FROM meal_cards m JOIN elders e ON e.id = m.elder_id WHERE m.status = 'active' AND "
          "e.status = 'active' AND substr(e.community_code, 1, 9) = ? ORDER BY e.id LIMIT 12");
      if (!q.ok()) return q.status();
      q->bind(1, k.community_code.substr(0, 9));
      std::vector<std::pair<std::int64_t, std::string>> who;
      VNH_RETURN_IF_ERROR(store::for_each_row(std::move(q), [&](store::Statement& r) { who.emplace_back(r.int64(0), r.text(1)); }));
      for (const auto& [elder, cat] : who) {
        store::MealOrder o;
        o.elder_id = elder;
        o.canteen_id = k.id;
        o.day = today;
        o.slot = domain::MealSlot::kLunch;
        o.mode = domain::MealMode::kDelivery;
        auto c = domain::parse_elder_category(cat);
        o.delivery_fee_fen = c && policy->meals.free_delivery_for(*c) ? 0 : policy->meals.delivery_fee_fen;
        o.created_by = "demo";
        o.created_at = now - 20 * 3600 * 1000LL;
        auto id = store::insert_meal_order(db, o);
        if (!id.ok() && id.status().code() != Code::kAlreadyExists) return id.status();
      }
    }
    return Status::Ok();
  });
}

std::vector<Login> read_logins(const fs::path& dir) {
  std::vector<Login> out;
  std::ifstream in(dir / "logins.txt");
  Login l;
  while (in >> l.role >> l.user >> l.password) out.push_back(l);
  return out;
}

}  // namespace

int cmd_demo(const Args& args) {
  po::options_description desc("options");
  int port = 8080;
  std::string dir_arg, level = "warn";
  sim::DistrictSpec spec;
  double call_every = 4, time_scale = 60;
  desc.add_options()("port", po::value(&port)->default_value(8080), "HTTP port on 127.0.0.1 (0: any free port)")(
      "dir", po::value(&dir_arg), "folder for the demo database (reused when it exists; default: a new temp folder)")(
      "elders", po::value(&spec.elders)->default_value(110000), "elders to generate")(
      "firms", po::value(&spec.firms)->default_value(126), "partner firms to generate")(
      "history-days", po::value(&spec.history_days)->default_value(60), "days of ticket history")(
      "call-every", po::value(&call_every)->default_value(4), "mean seconds between simulated incoming calls")(
      "time-scale", po::value(&time_scale)->default_value(60), "how much faster than real time firms travel and serve")(
      "seed", po::value(&spec.seed)->default_value(20261123), "random seed of the generated district")(
      "log-level", po::value(&level)->default_value("warn"), "server log level");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("demo", "[--port N] [--dir D]", args, desc, pos, vm)) return *rc;
  if (spec.elders < 10 || spec.firms < 3 || spec.history_days < 1 || time_scale <= 0 || call_every <= 0) {
    return fail("demo", "needs at least 10 elders, 3 firms, 1 history day, positive time scale and call interval", 2);
  }
  log::init(level);
  crypto_init();
  fs::path dir = dir_arg.empty() ? fs::temp_directory_path() / fmt::format("vnh-demo-{}", random_token().substr(0, 8))
                                 : fs::path(dir_arg);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("demo", fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  SystemClock clock;
  std::vector<Login> logins;
  if (fs::exists(dir / "vnh.db") && fs::exists(dir / "logins.txt")) {
    fmt::print(stderr, "reusing the demo district in {}\n", dir.string());
    logins = read_logins(dir);
  } else {
    fmt::print(stderr, "generating a demo district in {}\n", dir.string());
    auto g = generate(dir, spec, clock.now_ms());
    if (!g.ok()) return fail("demo", g.status().message());
    logins = *g;
  }

  // The demo compresses travel and service time; its policy (effective this month) scales the
  // short-visit rule to match so compressed visits are not all flagged. Past months keep the
  // default policy — versioned policies at work.
  std::string policy_text(data::default_policy_text());
  YearMonth this_month = current_month(clock.now_ms());
  auto replace = [&](const std::string& from, const std::string& to) {
    auto p = policy_text.find(from);
    if (p == std::string::npos) return false;  // the built-in policy changed under the demo
    policy_text.replace(p, from.size(), to);
    return true;
  };
  if (!replace("effective_from = \"2020-01\"", fmt::format("effective_from = \"{}\"", this_month.to_string())) ||
      !replace("min_duration_ratio = 0.5 ",
               fmt::format("min_duration_ratio = {:.4f} ", std::max(0.0001, 0.5 / time_scale)))) {
    return fail("demo", "the built-in policy no longer has the effective_from / min_duration_ratio lines the demo scales");
  }
  policy_text = "# vnh demo policy: the default with the short-visit ratio scaled by the demo's time scale.\n" + policy_text;
  std::ofstream(dir / "policy-demo.toml", std::ios::trunc) << policy_text;

  if (Status orders = seed_todays_orders(dir, clock.now_ms()); !orders.ok()) {
    return fail("demo", "today's meal orders: " + orders.message());
  }
  ServerOptions so;
  so.db = (dir / "vnh.db").string();
  so.listen = fmt::format("127.0.0.1:{}", port);
  so.policy_file = (dir / "policy-demo.toml").string();
  auto server = Server::create(so);
  if (!server.ok()) return fail("demo", server.status().message());
  Status started = (*server)->start();
  if (!started.ok()) return fail("demo", started.message() + " (is another demo running? try --port 0)");
  sim::Endpoint ep{"127.0.0.1", std::to_string((*server)->port())};

  // Simulated partner firms: accept most offers, think a little, travel and serve (compressed),
  // now and then check in far away, leave early or lose their link for a while.
  boost::asio::io_context firms_io;
  std::vector<std::shared_ptr<sim::FirmAgent>> agents;
  {
    std::ifstream in(dir / "firm-tokens.txt");
    std::string code, token, staff;
    std::uint64_t seed = spec.seed;
    while (in >> code >> token >> staff) {
      sim::AgentBehaviour b;
      b.accept_prob = 0.88;
      b.think_min_s = 1;
      b.think_max_s = 8;
      b.time_scale = time_scale;
      b.far_checkin_prob = 0.03;
      b.short_visit_prob = 0.03;
      b.drop_prob = (seed % 9 == 0) ? 0.05 : 0.0;
      b.offline_s = 20;
      b.seed = ++seed;
      agents.push_back(std::make_shared<sim::FirmAgent>(firms_io, ep, token, code, split(staff, ','), b));
      agents.back()->start();
    }
  }
  std::thread firms_thread([&] { firms_io.run(); });

  // A gentle stream of calls through their whole life (SPEC §11), from the PBX and the robot operator.
  std::atomic<bool> stop{false};
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  std::thread calls([&] {
    std::vector<std::pair<std::string, std::string>> callers;  // (elder_id, phone)
    {
      auto rd = (*server)->store().read();
      if (rd.ok()) {
        auto n = store::max_elder_id(**rd);
        std::mt19937_64 rng(spec.seed);
        for (int i = 0; i < 400 && n.ok() && *n > 0; ++i) {
          std::int64_t id = std::uniform_int_distribution<std::int64_t>(1, *n)(rng);
          auto s = store::decrypt_elder(**rd, (*server)->store().crypto(), id);
          if (s.ok() && !s->phones.empty()) callers.emplace_back(store::elder_public_id(id), s->phones.front());
        }
      }
    }
    std::string robot_pw;
    for (const auto& l : logins) {
      if (l.user == "robot") robot_pw = l.password;
    }
    sim::HttpClient http(ep);
    if (!http.login("robot", robot_pw).ok() || callers.empty()) return;
    auto items = http.get("/api/v1/catalog").json();
    std::vector<std::pair<std::string, std::string>> catalog;
    for (const auto& it : items.at("items").as_array()) {
      catalog.emplace_back(std::string(it.at("code").as_string()), std::string(it.at("category").as_string()));
    }
    std::mt19937_64 rng(spec.seed ^ 0x5eed);
    std::exponential_distribution<double> gap(1.0 / call_every);
    // Waits `s` seconds unless the demo stops meanwhile; false once it stops.
    auto pause = [&](double s) {
      std::unique_lock lk(stop_mu);
      stop_cv.wait_for(lk, std::chrono::milliseconds(static_cast<int>(1000 * s)), [&] { return stop.load(); });
      return !stop.load();
    };
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    const std::map<std::string, std::string> pbx = {{"X-PBX-Secret", (*server)->pbx_secret()}};
    int n = 0;
    double busy_s = 0;  // how long the last call took: the next one comes that much sooner
    while (pause(std::max(0.0, std::min(30.0, gap(rng)) - busy_s))) {
      const auto started = std::chrono::steady_clock::now();
      auto done = [&] { busy_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
      // A call's whole life (SPEC §11): it rings; one in six is hung up before anyone answers
      // and one in five is left for the operators at the consoles (missed if nobody takes it
      // within the ring timeout); the rest the PBX hands to the robot operator, who files a
      // ticket (or answers a question) during the call and records the outcome.
      const auto& [elder, phone] = callers[std::uniform_int_distribution<size_t>(0, callers.size() - 1)(rng)];
      auto rang = http.post("/api/v1/calls/incoming", json::object{{"caller", phone}, {"line", "965885"}}, pbx);
      if (rang.status != 200) continue;
      const std::string call_id(rang.json().at("call_id").as_string());
      if (chance(1.0 / 6)) {
        if (pause(1 + 3 * std::uniform_real_distribution<double>(0, 1)(rng))) {
          http.post("/api/v1/calls/" + call_id + "/hangup", json::object{}, pbx);
        }
        done();
        continue;
      }
      if (chance(0.2)) {
        done();
        continue;  // for the desks
      }
      if (!pause(1.5)) break;
      if (http.post("/api/v1/calls/" + call_id + "/answer", json::object{{"agent", "robot"}}, pbx).status != 200) continue;
      json::object outcome{{"outcome", "information"}, {"note", "咨询服务项目"}};
      if (chance(0.8)) {
        const auto& [code, category] = catalog[std::uniform_int_distribution<size_t>(0, catalog.size() - 1)(rng)];
        bool emergency = category == "emergency_aid" && chance(0.5);
        auto t = http.post("/api/v1/tickets",
                           json::object{{"elder_id", elder}, {"item_code", code}, {"urgency", emergency ? "emergency" : "normal"},
                                        {"notes", "演示来电"}, {"call_id", call_id}},
                           {{"Idempotency-Key", fmt::format("demo-{}-{}", clock.now_ms(), ++n)}});
        if (t.status == 201) outcome = {{"outcome", "ticket"}, {"ticket_no", t.json().at("ticket_no")}};
      }
      pause(1 + 3 * std::uniform_real_distribution<double>(0, 1)(rng));
      http.post("/api/v1/calls/" + call_id + "/outcome", outcome);
      http.post("/api/v1/calls/" + call_id + "/hangup", json::object{}, pbx);
      done();
    }
  });

  // The lunch rush at a few counters (SPEC §12): card holders of the canteen's street swipe
  // their cards; now and then one has a second lunch or forgets the card (the ID number typed).
  std::vector<std::thread> counters;
  for (const auto& l : logins) {
    if (l.user.rfind("robot-", 0) != 0) continue;
    counters.emplace_back([&, l] {
      const std::string code = l.user.substr(6);
      std::vector<std::string> cards;
      {
        auto rd = (*server)->store().read();
        if (!rd.ok()) return;
        auto k = store::find_canteen(**rd, code);
        if (!k.ok() || !*k) return;
        auto st = (*rd)->prepare(
            "SELECT m.card_no FROM meal_cards m JOIN elders e ON e.id = m.elder_id WHERE m.status = 'active' AND "
            "e.status = 'active' AND substr(e.community_code, 1, 9) = ? LIMIT 400");
        if (st.ok()) st->bind(1, (*k)->community_code.substr(0, 9));
        (void)store::for_each_row(std::move(st), [&](store::Statement& r) { cards.push_back(r.text(0)); });
      }
      sim::HttpClient http(ep);
      if (cards.empty() || !http.login(l.user, l.password).ok()) return;
      std::mt19937_64 rng(spec.seed ^ std::hash<std::string>()(code));
      std::exponential_distribution<double> gap(1.0 / 6);
      std::set<std::string> eaten;  // day + card
      int n = 0;
      while (true) {
        {
          std::unique_lock lk(stop_mu);
          stop_cv.wait_for(lk, std::chrono::milliseconds(static_cast<int>(1000 * std::min(30.0, gap(rng)))),
                           [&] { return stop.load(); });
          if (stop) return;
        }
        // The slot of the hour in the business time zone, as the counter page picks it; an elder
        // eats once a day here, a second lunch one time in fifty.
        const TimeMs now = clock.now_ms();
        const int hour = static_cast<int>(((now / 1000 + 8 * 3600) % 86400) / 3600);
        const char* slot = hour < 10 ? "breakfast" : hour < 15 ? "lunch" : "dinner";
        const std::string today = format_date(civil_from_days((now / 1000 + 8 * 3600) / 86400));
        // One swipe in five, the deliverer reports the next delivery: one in twelve nobody answers.
        if (std::uniform_real_distribution<double>(0, 1)(rng) < 0.2) {
          auto orders = http.get("/api/v1/meals/orders?date=" + today);
          if (orders.status == 200) {
            for (const auto& o : orders.json().at("orders").as_array()) {
              if (o.at("mode").as_string() != "delivery" || o.at("state").as_string() != "ordered") continue;
              bool answered = std::uniform_real_distribution<double>(0, 1)(rng) > 1.0 / 12;
              http.post(fmt::format("/api/v1/meals/orders/{}/{}", o.at("order_id").as_int64(), answered ? "delivered" : "no-answer"),
                        json::object{{"note", answered ? "" : "敲门无人应答"}});
              break;
            }
          }
          continue;
        }
        const std::string& card = cards[std::uniform_int_distribution<size_t>(0, cards.size() - 1)(rng)];
        if (eaten.count(today + card) && std::uniform_real_distribution<double>(0, 1)(rng) > 0.02) continue;
        eaten.insert(today + card);
        http.post("/api/v1/meals", json::object{{"card_no", card}, {"slot", slot}},
                  {{"Idempotency-Key", fmt::format("{}-{}-{}", l.user, now, ++n)}});
      }
    });
  }

  fmt::print("console: http://127.0.0.1:{}/\n", (*server)->port());
  for (const auto& l : logins) {
    if (!is_robot(l.user)) fmt::print("login: {} {} {}\n", l.role, l.user, l.password);
  }
  fmt::print("demo folder: {} (run `vnh demo --dir {}` to come back to it)\n", dir.string(), dir.string());
  fmt::print("{} simulated firms are connecting; a call comes in every ~{:.0f} s. Ctrl-C stops everything.\n",
             agents.size(), call_every);
  std::fflush(stdout);

  (*server)->wait_for_signal();
  // The robots finish what they are sending while the server still answers, then it stops.
  stop = true;
  stop_cv.notify_all();
  calls.join();
  for (auto& c : counters) c.join();
  (*server)->stop();
  for (auto& a : agents) a->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  firms_io.stop();
  firms_thread.join();
  fmt::print(stderr, "demo stopped\n");
  return 0;
}

}  // namespace vnh::app
