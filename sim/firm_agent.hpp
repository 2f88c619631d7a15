#pragma once
// FirmAgent: a simulated partner firm over a real websocket — what `vnh partner`, `vnh
// demo` and `vnh simulate` run. It acknowledges durable frames, accepts or declines offers
// by rule after a thinking delay, assigns a worker, reports where its worker is on the way and checks in at the
// elder's home after a travel time and checks out after the item's duration (both scaled by time_scale), and
// now and then misbehaves on purpose (checks in far away, leaves early, goes offline) so
// exceptions and reconnections happen. Heartbeats keep its presence online. Reconnects by
// itself. All callbacks run on one strand of the given io_context.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sim/clients.hpp"

namespace vnh::sim {

struct AgentBehaviour {
  double accept_prob = 0.9;
  double think_min_s = 0.3, think_max_s = 2.0;  // real seconds before answering an offer
  bool visits = true;
  double time_scale = 60;                       // simulated seconds per real second for visits
  double travel_min_s = 600, travel_max_s = 1800;  // simulated seconds from accept to check-in
  double far_checkin_prob = 0.03;               // check in ~600 m away (a distance exception)
  double short_visit_prob = 0.03;               // leave after a tenth of the duration
  // While a worker travels, a StaffLocation every this many simulated seconds on the way from
  // where they were (SPEC §15: the live map moves); 0: none.
  double location_every_s = 60;
  double drop_prob = 0.0;                       // per offer: drop the link before acking it
  double offline_s = 5;                         // real seconds offline after a drop
  double min_online_s = 0;                      // real seconds connected before a drop may happen
  int heartbeat_s = 20;
  bool ack = true;
  std::uint64_t seed = 1;
};

struct AgentStats {
  std::atomic<std::uint64_t> offers{0}, accepted{0}, declined{0}, completed{0}, withdrawn{0}, cancelled{0};
  std::atomic<std::uint64_t> errors{0}, drops{0}, connects{0}, duplicates{0};
};

class FirmAgent final : public std::enable_shared_from_this<FirmAgent> {
 public:
  FirmAgent(boost::asio::io_context& ioc, Endpoint ep, std::string token, std::string firm_code,
            std::vector<std::string> staff, AgentBehaviour b);
  void start();
  void stop();
  const AgentStats& stats() const { return stats_; }
  const std::string& firm_code() const { return firm_code_; }
  // Optional observers (on the agent's strand).
  std::function<void(const std::string& line)> log;
  std::function<void(const vnh::v1::TicketOffer&, std::int64_t received_ms)> on_offer;
  std::function<void(const std::string& ticket_no, const vnh::v1::CommandResult&)> on_result;
  std::function<void(const std::string& ticket_no)> on_completed;
  // Overrides the accept rule (e.g. interactive): called on the strand, answer via decide().
  std::function<void(const vnh::v1::TicketOffer&, std::function<void(bool)>)> ask;
  // Ticket numbers this firm has seen offered (every seq>0 offer frame, for consistency checks).
  std::set<std::string> offered_tickets() const;

 private:
  void connect();
  void on_frame(const vnh::v1::ServerFrame& f);
  void handle_offer(const vnh::v1::TicketOffer& o);
  void command(vnh::v1::ClientFrame f, std::function<void(const vnh::v1::CommandResult&)> done);
  void after(double real_seconds, std::function<void()> f);
  void heartbeat();
  void visit(const std::string& ticket_no, const vnh::v1::Elder& elder, int duration_min);
  void report_location(const std::string& staff, double lat, double lon);
  double uniform(double a, double b);
  void say(const std::string& s);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::io_context& ioc_;
  Endpoint ep_;
  std::map<std::string, std::pair<double, double>> where_;  // each worker's last reported position
  std::string token_;
  std::string firm_code_;
  std::vector<std::string> staff_;
  AgentBehaviour b_;
  AgentStats stats_;
  std::shared_ptr<PartnerClient> client_;
  std::chrono::steady_clock::time_point connected_at_{};
  std::mt19937_64 rng_;
  std::uint64_t next_request_ = 1;
  std::uint64_t highest_seq_ = 0;
  struct Pending {
    vnh::v1::ClientFrame frame;
    std::function<void(const vnh::v1::CommandResult&)> done;
  };
  // Commands awaiting their result; re-sent with the same request_id after a reconnect (the
  // server answers a repeated request_id from its record, so a retry never acts twice).
  std::map<std::string, Pending> pending_;
  std::map<std::string, int> durations_;  // ticket → item duration (from the offer)
  std::set<std::string> seen_offers_;
  mutable std::mutex seen_mu_;
  bool stopped_ = false;
  std::shared_ptr<boost::asio::steady_timer> heartbeat_timer_;
};

}  // namespace vnh::sim
