#pragma once
// Server: the running platform. Owns the io_context and its threads, the store (with the
// Writer), the policy, the clock, and wires the modules once, in dependency order:
// partners::Outbox → dispatcher::Dispatcher → tickets::Service → partners::CommandHandler →
// PartnerHub; registry::Elders; hotline::Api and LiveHub; the console's static files;
// /healthz and /metrics. port() tells the bound port (listen on :0 in tests); stop() shuts
// down cleanly (stop accepting, close sockets, finish queued writes). No globals.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "dispatcher/dispatcher.hpp"
#include "domain/policy.hpp"
#include "hotline/api.hpp"
#include "hotline/live.hpp"
#include "net/server.hpp"
#include "partners/hub.hpp"
#include "partners/outbox.hpp"
#include "calls/calls.hpp"
#include "registry/elders.hpp"
#include "store/store.hpp"
#include "tickets/service.hpp"

namespace prometheus {
class Registry;
}

namespace vnh::app {

struct ServerOptions {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::optional<std::string> policy_file;
  bool fake_clock = false;
  std::optional<TimeMs> fake_clock_start;
  int threads = 0;  // 0: hardware concurrency (at least 2)
  std::string pbx_secret;
  std::string pbx_dial_url;  // click-to-dial hook: {agent} and {number} (calls/dialer.hpp); empty: none
  std::string synchronous = "FULL";
  bool load_reference_data = true;  // areas and catalog into an empty database
  // Connection caps (net::Limits). 0: from the file limit, which the server raises to its hard
  // maximum at start: total = that limit less 256 (for the database, logs and the rest),
  // at most 8,192; per source = 1,024.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_source = 1024;
  int write_timeout_s = 30;  // a peer that does not take an answer in this long is dropped
  hotline::MapTiles map_tiles;  // tile layers for the command screen's map (none: points and outlines only)
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> create(const ServerOptions& opts);
  ~Server();

  Status start();
  unsigned short port() const { return http_ ? http_->port() : 0; }
  // Stops everything; idempotent. Safe from any thread except the io threads.
  void stop();
  // Blocks until SIGINT/SIGTERM (or stop()), then stops.
  void run_until_signal();
  // Blocks until SIGINT or SIGTERM, serving meanwhile; the caller stops the server.
  void wait_for_signal();

  store::Store& store() { return *store_; }
  const domain::Policy& policy() const { return *policy_; }
  const Clock& clock() const { return *clock_; }
  partners::PartnerHub& partners() { return *hub_; }
  dispatcher::Dispatcher& dispatcher() { return *dispatcher_; }
  const std::string& pbx_secret() const { return opts_.pbx_secret; }
  std::string metrics_text();

 private:
  explicit Server(ServerOptions opts);
  void arm_offer_timer();
  void fire_due_offers();
  // Once a second: calls that rang out become missed (SPEC §11), and the consoles hear it.
  void arm_call_timer();
  void expire_calls();
  // Raises the welfare checks' due alerts (SPEC §12): a call overdue, a care worker to send.
  void tick_welfare();
  // Once an hour (and at start, and when the test clock moves): the recurring orders' job
  // (SPEC §14) makes the occurrences now due, a few hundred recurrences per write.
  void tick_recurrences();
  void install_routes();

  ServerOptions opts_;
  std::unique_ptr<Clock> clock_;
  FakeClock* fake_ = nullptr;
  std::unique_ptr<domain::Policy> policy_;
  std::unique_ptr<store::Store> store_;
  boost::asio::io_context ioc_;
  boost::asio::thread_pool blocking_{2};
  std::unique_ptr<hotline::LoginDesk> logins_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  dispatcher::FirmDirectory directory_;
  dispatcher::OfferTimers timers_;
  partners::PartnerSessions partner_sessions_;
  std::unique_ptr<hotline::LiveHub> live_;
  std::unique_ptr<partners::Outbox> outbox_;
  std::unique_ptr<dispatcher::Dispatcher> dispatcher_;
  std::unique_ptr<tickets::Service> tickets_;
  std::unique_ptr<registry::Elders> elders_;
  std::unique_ptr<calls::Calls> calls_;
  std::unique_ptr<partners::CommandHandler> commands_;
  std::unique_ptr<partners::PartnerHub> hub_;
  std::unique_ptr<hotline::Api> api_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> http_;
  boost::asio::steady_timer offer_timer_;
  boost::asio::steady_timer call_timer_;
  std::vector<std::thread> threads_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::mutex metrics_mu_;
  TimeMs started_at_ = 0;
  std::int64_t recurrence_hour_ = -1;  // the hour the job last ran (io thread only)
  std::string marked_day_;             // the day the eligibility marks were made (io thread only)
  std::mutex stop_mu_;
  bool stopped_ = false;
};

}  // namespace vnh::app
