#include "app/server.hpp"

#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <pthread.h>

#include <csignal>
#include <future>

#include "app/cli.hpp"
#include "common/allocator.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "console/assets.hpp"
#include "data/embedded.hpp"
#include "hotline/views.hpp"
#include "importer/importer.hpp"
#include "store/policies.hpp"
#include "store/stats.hpp"
#include "store/tickets.hpp"
#include "recurrence/recurrence.hpp"
#include "registry/eligibility.hpp"
#include "store/recurrences.hpp"
#include "meals/meals.hpp"
#include "store/meals.hpp"

namespace vnh::app {
namespace json = boost::json;

Server::Server(ServerOptions opts) : opts_(std::move(opts)), offer_timer_(ioc_), call_timer_(ioc_) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::create(const ServerOptions& opts) {
  std::unique_ptr<Server> s(new Server(opts));
  crypto_init();
  if (opts.fake_clock) {
    SystemClock real;
    auto fake = std::make_unique<FakeClock>(opts.fake_clock_start.value_or(real.now_ms()));
    s->fake_ = fake.get();
    s->clock_ = std::move(fake);
  } else {
    s->clock_ = std::make_unique<SystemClock>();
  }
  store::StoreOptions so;
  so.path = opts.db;
  so.open.synchronous = opts.synchronous;
  so.readers = 8;
  auto st = store::Store::open(so);
  if (!st.ok()) return st.status();
  s->store_ = std::move(*st);
  auto& writer = s->store_->writer();
  TimeMs now = s->clock_->now_ms();

  // The policy: --policy (recorded), else the stored one in force, else the built-in default.
  {
    auto rd = s->store_->read();
    if (!rd.ok()) return rd.status();
    auto p = resolve_policy(**rd, opts.policy_file, current_month(now));
    if (!p.ok()) return p.status();
    s->policy_ = std::make_unique<domain::Policy>(std::move(*p));
  }
  VNH_RETURN_IF_ERROR(writer.run([&](store::WriteTx& tx) { return store::record_policy(tx.db(), *s->policy_, now); }));

  // A new database gets the reference data shipped in the binary.
  if (opts.load_reference_data) {
    for (auto [kind, text, table, seeded] :
         {std::tuple{importer::Kind::kAreas, data::areas_csv(), "areas", store::SeededTable::kAreas},
          std::tuple{importer::Kind::kCatalog, data::catalog_csv(), "catalog_items", store::SeededTable::kCatalogItems}}) {
      auto rd = s->store_->read();
      if (!rd.ok()) return rd.status();
      auto n = store::count_rows(**rd, seeded);
      if (!n.ok()) return n.status();
      if (*n > 0) continue;
      importer::ImportReport rep;
      importer::ImportContext ctx{*s->policy_, s->store_->crypto(), now, "system", std::string("built-in ") + table, nullptr};
      Status r = writer.run([&](store::WriteTx& tx) { return importer::import_csv_in(tx, kind, text, ctx, rep); });
      if (!r.ok()) return Status(Code::kInternal, "loading built-in " + std::string(table) + ": " + r.message() + "\n" +
                                                      rep.format_errors(table));
      log::info("msg=\"reference data loaded\" table={} rows={}", table, rep.rows);
    }
  }

  // Wired in dependency order, each part given what it uses when it is made: the outbox
  // hands committed frames to the partner sessions; the dispatcher decides; the ticket service
  // applies decisions through the outbox and the offer timers; the partner gateway runs firm
  // commands through the ticket service.
  Server* self = s.get();
  s->live_ = std::make_unique<hotline::LiveHub>(s->ioc_, *s->store_, *s->policy_, *s->clock_);
  s->outbox_ = std::make_unique<partners::Outbox>(s->partner_sessions_, *s->clock_);
  s->dispatcher_ = std::make_unique<dispatcher::Dispatcher>(*s->policy_, *s->clock_, s->directory_);
  s->tickets_ = std::make_unique<tickets::Service>(tickets::ServiceDeps{
      *s->policy_, s->store_->crypto(), *s->clock_, *s->dispatcher_, *s->outbox_, s->timers_, {s->live_.get()}});
  s->elders_ = std::make_unique<registry::Elders>(*s->policy_, s->store_->crypto(), *s->clock_);
  s->calls_ = std::make_unique<calls::Calls>(*s->policy_, s->store_->crypto(), *s->clock_);
  s->commands_ = std::make_unique<partners::CommandHandler>(*s->tickets_, s->store_->crypto(), *s->clock_);
  partners::PartnerHub::Events events;
  events.presence = [self](const std::string& firm, partners::Presence p) {
    self->live_->broadcast(json::object{{"type", "presence"}, {"firm_code", firm}, {"presence", std::string(to_string(p))}},
                           hotline::Audience::kSupervisors);
  };
  events.escalated = [self](const std::string& firm, std::uint64_t seq, int frames) {
    self->live_->raise_alert(json::object{{"type", "alert"},
                                          {"kind", "partner_not_acknowledging"},
                                          {"firm_code", firm},
                                          {"up_to_seq", seq},
                                          {"frames", frames}});
  };
  s->hub_ = std::make_unique<partners::PartnerHub>(s->ioc_, *s->store_, s->partner_sessions_, *s->commands_,
                                                   *s->policy_, *s->clock_, events);
  s->dispatcher_->set_presence(
      [self](std::int64_t firm) { return self->hub_->presence_of(firm) == partners::Presence::kOnline; });
  {
    auto rd = s->store_->read();
    if (!rd.ok()) return rd.status();
    VNH_RETURN_IF_ERROR(s->directory_.load(**rd, *s->policy_->tz, now));
    // Offers waiting for an answer get their deadlines back.
    VNH_ASSIGN_OR_RETURN(auto deadlines, store::offer_deadlines(**rd));
    for (const auto& d : deadlines) s->timers_.schedule(d);
    VNH_RETURN_IF_ERROR(s->calls_->restore(**rd));  // calls still ringing ring out on time
  }
  if (s->opts_.pbx_secret.empty()) s->opts_.pbx_secret = random_token();

  hotline::LoginLimits limits;
  limits.pair_failures = s->policy_->lockout_failures;
  limits.window = static_cast<TimeMs>(s->policy_->lockout_minutes) * kMsPerMinute;
  s->logins_ = std::make_unique<hotline::LoginDesk>(limits, 2, 64);
  hotline::ApiContext ctx{*s->store_, *s->tickets_, *s->elders_,      *s->calls_,  *s->policy_, *s->clock_,
                          *s->live_,  s->ioc_,      s->blocking_,    *s->logins_, s->opts_.pbx_secret,
                          s->fake_ != nullptr, {}, {}, {}, {}};
  ctx.presence_of = [self](std::int64_t firm) { return std::string(partners::to_string(self->hub_->presence_of(firm))); };
  ctx.firms_changed = [self] {
    boost::asio::post(self->ioc_, [self] {
      auto rd = self->store_->read();
      if (rd.ok()) (void)self->directory_.load(**rd, *self->policy_->tz, self->clock_->now_ms());
      self->hub_->revalidate();  // a suspended or exited firm, a replaced token: its socket ends now
    });
  };
  if (!s->opts_.pbx_dial_url.empty()) {
    VNH_RETURN_IF_ERROR(calls::check_dial_template(s->opts_.pbx_dial_url));
    ctx.dialer = std::make_shared<calls::Dialer>(s->ioc_, s->opts_.pbx_dial_url);
  }
  VNH_RETURN_IF_ERROR(hotline::check_map_tiles(s->opts_.map_tiles));
  ctx.map_tiles = s->opts_.map_tiles;
  s->api_ = std::make_unique<hotline::Api>(std::move(ctx));
  s->install_routes();
  s->registry_ = std::make_shared<prometheus::Registry>();
  s->started_at_ = now;
  return s;
}

void Server::install_routes() {
  api_->install(router_);
  if (fake_) {
    // The test seam: the clock moves only when told, and due offer timers fire at once.
    hotline::install_test_clock(*api_, router_, *fake_, [this] {
      boost::asio::post(ioc_, [this] {
        fire_due_offers();
        expire_calls();
        tick_welfare();
        recurrence_hour_ = -1;  // the day may have changed: run the job now
        tick_recurrences();
      });
    });
  }
  router_.add_ws("/partner/v1/ws", [this](const net::Request& r) { return hub_->upgrade(r); });
  router_.add_ws("/api/v1/live", [this](const net::Request& r) { return live_->upgrade(r); });
  router_.add("GET", "/healthz", [this](net::Request&&, net::Respond respond) {
    auto rd = store_->read();
    bool db_ok = rd.ok() && (*rd)->exec("SELECT 1").ok();
    respond(hotline::json_response(db_ok ? 200 : 503,
                                   json::object{{"status", db_ok ? "ok" : "degraded"},
                                                {"database", db_ok ? "ok" : "unavailable"},
                                                {"uptime_s", (clock_->now_ms() - started_at_) / 1000},
                                                {"version", "0.1.0"}}));
  });
  router_.add("GET", "/metrics", [this](net::Request&&, net::Respond respond) {
    net::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_text();
    respond(std::move(r));
  });
  // The console: every asset is compiled into the binary (no CDN, works offline).
  // Images from the tile servers the district configured, if any, and from nowhere else.
  const std::string tiles = hotline::map_tile_sources(opts_.map_tiles);
  const std::string csp = fmt::format(
      "default-src 'self'; connect-src 'self'; img-src 'self' data:{}{}; style-src 'self' 'unsafe-inline'; "
      "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
      tiles.empty() ? "" : " ", tiles);
  auto serve_asset = [csp](const std::string& path, const net::Respond& respond) {
    auto a = console::asset(path);
    if (!a) return respond(net::json_error(404, std::string(transport::kNotFound), "no such file: " + path));
    net::Response r;
    r.content_type = a->content_type;
    r.body = std::string(a->bytes);
    r.headers.emplace_back("Cache-Control", "no-cache");
    // Same origin only, the live channel included ('self' covers ws: and wss: to this host);
    // never framed (clickjacking), no referrer sent with a link out.
    r.headers.emplace_back("Content-Security-Policy", csp);
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    respond(std::move(r));
  };
  router_.add("GET", "/", [serve_asset](net::Request&&, net::Respond respond) { serve_asset("index.html", respond); });
  for (const auto& path : console::asset_paths()) {
    router_.add("GET", "/console/" + path,
                [serve_asset, path](net::Request&&, net::Respond respond) { serve_asset(path, respond); });
  }
}

namespace {
// Raises the soft file limit to the hard one (a systemd unit sets both with LimitNOFILE) and
// leaves 256 files for the database, its WAL, logs and outgoing connections.
std::size_t connection_cap_from_file_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit up = rl;
    up.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &up) == 0) rl = up;
  }
  const rlim_t files = rl.rlim_cur == RLIM_INFINITY ? 1'000'000 : rl.rlim_cur;
  const rlim_t cap = files > 512 ? files - 256 : files / 2;
  return static_cast<std::size_t>(std::min<rlim_t>(cap, 8192));
}
}  // namespace

Status Server::start() {
  net::Limits limits;
  limits.ws_message_bytes = static_cast<std::size_t>(policy_->max_frame_bytes);
  limits.write_timeout_s = opts_.write_timeout_s;
  limits.max_connections_per_source = opts_.max_connections_per_source;
  limits.max_connections = opts_.max_connections ? opts_.max_connections : connection_cap_from_file_limit();
  http_ = std::make_unique<net::HttpServer>(ioc_, router_, limits);
  VNH_RETURN_IF_ERROR(http_->listen(opts_.listen));
  work_.emplace(boost::asio::make_work_guard(ioc_));
  timers_.set_on_change([this] { boost::asio::post(ioc_, [this] { arm_offer_timer(); }); });
  arm_offer_timer();
  arm_call_timer();
  hub_->start();
  int n = opts_.threads > 0 ? opts_.threads : std::max(2u, std::thread::hardware_concurrency());
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "vnh-io");
      ioc_.run();
    });
  }
  log::info("msg=\"serving\" listen={} port={} db={} policy={} threads={} fake_clock={} allocator={}", opts_.listen,
            port(), opts_.db, policy_->digest.substr(0, 12), n, fake_ != nullptr, log::q(allocator_info().name));
  return Status::Ok();
}

void Server::arm_offer_timer() {
  auto next = timers_.next_deadline();
  if (!next) return;
  // Wake at the deadline (at most a second ahead, so a fake clock is also polled).
  TimeMs wait = std::clamp<TimeMs>(*next - clock_->now_ms(), 0, 1000);
  offer_timer_.expires_after(std::chrono::milliseconds(wait));
  offer_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    fire_due_offers();
    arm_offer_timer();
  });
}

void Server::fire_due_offers() {
  for (const auto& due : timers_.take_due(clock_->now_ms())) {
    store_->writer().submit(
        [this, due](store::WriteTx& tx) { return tickets_->offer_timed_out(tx, due.ticket_id, due.round).status(); },
        [due](Status st) {
          if (!st.ok()) log::warn("msg=\"offer timeout failed\" ticket_id={} error={}", due.ticket_id, log::q(st.message()));
        });
  }
}

void Server::arm_call_timer() {
  call_timer_.expires_after(std::chrono::seconds(1));
  call_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    expire_calls();
    tick_welfare();
    tick_recurrences();
    live_->revalidate();  // consoles whose session ended are closed within a second
    live_->flush_positions();  // the second's worker positions to the live maps, in one message
    arm_call_timer();
  });
}

void Server::expire_calls() {
  const TimeMs due = calls_->next_expiry();
  if (due == 0 || clock_->now_ms() < due) return;
  auto missed = std::make_shared<std::vector<store::CallRow>>();
  store_->writer().submit(
      [this, missed](store::WriteTx& tx) -> Status {
        VNH_ASSIGN_OR_RETURN(*missed, calls_->expire_ringing(tx));
        return Status::Ok();
      },
      [this, missed](Status st) {
        if (!st.ok()) return log::warn("msg=\"ring timeout failed\" error={}", log::q(st.message()));
        for (const auto& c : *missed) {
          auto ev = hotline::call_json(c, *policy_->tz);
          ev["type"] = "call";
          live_->broadcast(ev, hotline::Audience::kOperators);
        }
      });
}

void Server::tick_welfare() {
  const TimeMs now = clock_->now_ms();
  {
    // Most seconds nothing is due: a read decides, the Writer is asked only when something is.
    auto rd = store_->read();
    if (!rd.ok()) return;
    auto open = store::open_welfare_checks(**rd);
    if (!open.ok()) return;
    bool due = false;
    for (const auto& w : *open) due = due || meals::welfare_alert_due(w, now);
    if (!due) return;
  }
  auto alerts = std::make_shared<std::vector<meals::WelfareAlert>>();
  store_->writer().submit(
      [alerts, now](store::WriteTx& tx) -> Status {
        VNH_ASSIGN_OR_RETURN(*alerts, meals::welfare_due(tx.db(), now));
        return Status::Ok();
      },
      [this, alerts](Status st) {
        if (!st.ok()) return log::warn("msg=\"welfare tick failed\" error={}", log::q(st.message()));
        for (const auto& a : *alerts) {
          live_->broadcast(json::object{{"type", "alert"},
                                        {"kind", "welfare_check"},
                                        {"step", a.step},
                                        {"check_id", a.check.id},
                                        {"elder_id", store::elder_public_id(a.check.elder_id)}},
                           hotline::Audience::kOperators);
        }
      });
}

void Server::tick_recurrences() {
  const TimeMs now = clock_->now_ms();
  const std::int64_t hour = now / 3'600'000;
  if (hour == recurrence_hour_) return;
  recurrence_hour_ = hour;
  std::vector<store::RecurrenceRow> live;
  {
    auto rd = store_->read();
    if (!rd.ok()) return;
    auto rows = store::live_recurrences(**rd);
    if (!rows.ok()) return log::warn("msg=\"recurrence job failed\" error={}", log::q(rows.status().message()));
    live = std::move(*rows);
  }
  // Once a day: today's birthdays that change an elder's entitlements (SPEC §13), for the pop.
  if (const std::string today = format_date(policy_->tz->local_date(now)); today != marked_day_) {
    marked_day_ = today;
    store_->writer().submit(
        [this, now](store::WriteTx& tx) { return registry::mark_today(tx, *policy_, now).status(); },
        [](Status st) {
          if (!st.ok()) log::warn("msg=\"eligibility marks failed\" error={}", log::q(st.message()));
        });
  }
  constexpr size_t kPerWrite = 250;
  for (size_t at = 0; at < live.size(); at += kPerWrite) {
    auto chunk = std::make_shared<std::vector<store::RecurrenceRow>>(
        live.begin() + static_cast<std::ptrdiff_t>(at), live.begin() + static_cast<std::ptrdiff_t>(std::min(live.size(), at + kPerWrite)));
    store_->writer().submit(
        [this, chunk, now](store::WriteTx& tx) -> Status {
          recurrence::Deps deps{*policy_, store_->crypto(), *tickets_};
          return recurrence::run_due(tx, deps, *chunk, now).status();
        },
        [](Status st) {
          if (!st.ok()) log::warn("msg=\"recurrence job failed\" error={}", log::q(st.message()));
        });
  }
}

std::string Server::metrics_text() {
  auto& reg = *registry_;
  std::lock_guard lk(metrics_mu_);  // counters below are advanced by deltas: one scrape at a time
  // Names ending in _total are counters (monotonic since start; Prometheus' rate() needs that
  // type); the rest are gauges. Both read their value from the running parts at each scrape.
  auto gauge = [&](const std::string& name, const std::string& help, double v,
                   const std::map<std::string, std::string>& labels = {}) {
    if (name.size() > 6 && name.ends_with("_total")) {
      auto& c = prometheus::BuildCounter().Name(name).Help(help).Register(reg).Add(labels);
      if (v > c.Value()) c.Increment(v - c.Value());
      return;
    }
    prometheus::BuildGauge().Name(name).Help(help).Register(reg).Add(labels).Set(v);
  };
  const auto& hs = http_->stats();
  const auto& ps = hub_->stats();
  auto ds = dispatcher_->stats();
  gauge("vnh_up", "1 while the server runs", 1);
  gauge("vnh_uptime_seconds", "seconds since start", static_cast<double>(clock_->now_ms() - started_at_) / 1000.0);
  gauge("vnh_http_connections_total", "TCP connections accepted", static_cast<double>(hs.connections.load()));
  gauge("vnh_http_requests_total", "HTTP requests read", static_cast<double>(hs.requests.load()));
  gauge("vnh_storage_errors_total", "I/O and disk-full errors SQLite reported (the writes they broke were refused)",
        static_cast<double>(store::storage_errors()));
  gauge("vnh_connections_open", "open connections (HTTP and websocket)", static_cast<double>(hs.open_connections.load()));
  gauge("vnh_connections_refused_total", "connections closed at accept: the total or per-source cap was reached",
        static_cast<double>(hs.refused_over_cap.load()));
  gauge("vnh_accept_errors_total", "accepts that failed (out of files or memory); the loop waits after each",
        static_cast<double>(hs.accept_errors.load()));
  gauge("vnh_peers_dropped_not_reading_total", "connections dropped because the peer did not take a write in time",
        static_cast<double>(hs.dropped_not_reading.load()));
  gauge("vnh_writer_batches_total", "write transactions committed (group commits)", static_cast<double>(store_->writer().batches()));
  gauge("vnh_writer_jobs_total", "write jobs run", static_cast<double>(store_->writer().jobs()));
  gauge("vnh_writer_batch_replays_total", "batches run again with a savepoint per job (a job failed after writing)",
        static_cast<double>(store_->writer().replays()));
  gauge("vnh_writer_work_seconds_total", "writer time spent running jobs' statements",
        static_cast<double>(store_->writer().work_us()) / 1e6);
  gauge("vnh_writer_commit_seconds_total", "writer time spent committing (WAL write; and fsync unless pipelined)",
        static_cast<double>(store_->writer().commit_us()) / 1e6);
  gauge("vnh_wal_sync_seconds_total", "completer time in WAL fsyncs (pipelined syncs; 0 when off)",
        static_cast<double>(store_->writer().sync_us()) / 1e6);
  gauge("vnh_writer_cpu_seconds_total", "writer thread CPU time (the rest of work + commit is waiting)",
        static_cast<double>(store_->writer().cpu_us()) / 1e6);
  if (const auto* ck = store_->checkpointer()) {
    gauge("vnh_wal_pages", "pages in the WAL after the last commit", static_cast<double>(ck->wal_pages()));
    gauge("vnh_wal_frames_total", "pages the writer's commits appended to the WAL",
          static_cast<double>(ck->frames_written()));
    gauge("vnh_wal_checkpoints_background_total", "WAL checkpoints run by the checkpoint thread",
          static_cast<double>(ck->background_checkpoints()));
    gauge("vnh_wal_checkpoints_inline_total", "WAL checkpoints the writer ran itself (thread behind)",
          static_cast<double>(ck->inline_checkpoints()));
  }
  gauge("vnh_dispatch_decisions_total", "dispatch decisions", static_cast<double>(ds.decisions));
  gauge("vnh_offers_total", "offers made", static_cast<double>(ds.offers));
  gauge("vnh_unassigned_total", "tickets left without a candidate", static_cast<double>(ds.unassigned));
  gauge("vnh_offer_timers_pending", "offer deadlines being watched", static_cast<double>(timers_.pending()));
  gauge("vnh_partner_frames_sent_total", "durable frames sent to firms", static_cast<double>(ps.frames_sent.load()));
  gauge("vnh_partner_frames_resent_total", "frames re-sent after the ack timeout", static_cast<double>(ps.frames_resent.load()));
  gauge("vnh_partner_commands_total", "firm commands received", static_cast<double>(ps.commands.load()));
  gauge("vnh_partner_command_replays_total", "repeated request_ids answered from the record",
        static_cast<double>(ps.command_replays.load()));
  gauge("vnh_partner_malformed_total", "malformed partner frames", static_cast<double>(ps.malformed.load()));
  gauge("vnh_partner_escalations_total", "unacknowledged outboxes escalated", static_cast<double>(ps.escalations.load()));
  auto presence = hub_->presence();
  int online = 0;
  for (const auto& p : presence) online += p.presence == partners::Presence::kOnline ? 1 : 0;
  gauge("vnh_partners_connected", "partner firms with an open websocket", static_cast<double>(presence.size()));
  gauge("vnh_partners_online", "partner firms online (recent heartbeat)", online);
  gauge("vnh_logins_checked_total", "logins whose password was checked (argon2id)",
        static_cast<double>(logins_->checked.load()));
  gauge("vnh_logins_throttled_total", "logins refused by the guard before hashing (per source / account)",
        static_cast<double>(logins_->throttled.load()));
  gauge("vnh_logins_busy_total", "logins refused because the login pool's queue was full",
        static_cast<double>(logins_->busy.load()));
  gauge("vnh_consoles_connected", "console live channels", static_cast<double>(live_->connected()));
  const auto heap = allocator_info();
  gauge("vnh_allocator_info", "the malloc this process runs on", 1, {{"allocator", heap.name}});
  if (heap.allocated) gauge("vnh_heap_allocated_bytes", "bytes in live heap allocations", static_cast<double>(*heap.allocated));
  if (heap.resident) gauge("vnh_heap_resident_bytes", "physical memory the allocator maps", static_cast<double>(*heap.resident));
  if (auto rd = store_->read(); rd.ok()) {
    if (auto by_state = store::count_tickets_by_state(**rd); by_state.ok()) {
      for (const auto& [state, n] : *by_state) gauge("vnh_tickets", "tickets by state", static_cast<double>(n), {{"state", state}});
    }
  }
  return prometheus::TextSerializer().Serialize(reg.Collect());
}

void Server::stop() {
  {
    std::lock_guard lk(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  log::info("msg=\"stopping\"");
  if (http_) http_->stop();
  if (hub_) {
    hub_->close_all("server shutting down");
    hub_->stop();
  }
  boost::asio::post(ioc_, [this] {
    offer_timer_.cancel();
    call_timer_.cancel();
  });
  // Let queued writes finish (their answers still go out), then stop the loop.
  if (logins_) logins_->pool.join();
  if (store_) store_->writer().stop();
  work_.reset();
  blocking_.join();
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Server::run_until_signal() {
  wait_for_signal();
  stop();
}

void Server::wait_for_signal() {
  std::promise<void> done;
  boost::asio::signal_set signals(ioc_, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) log::info("msg=\"signal received\" signal={}", sig);
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace vnh::app
