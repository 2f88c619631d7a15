#pragma once
// PartnerHub: the partner websocket gateway (SPEC §8). Authenticates firms on upgrade by
// bearer token (stored as SHA-256; 401 otherwise) and gives each a Session (partners/
// session.hpp) registered in PartnerSessions, where the Outbox's committed frames find it.
// Once a second it ticks every session (re-sends, escalation) and reports presence changes.
// The parts it is built from are each their own unit: the per-firm Delivery state machine,
// the CommandHandler, the Outbox.
//
// Thread-safety: the registry has its own mutex; the hub's own state (the last presence
// reported, the timer) is touched by the timer's handler and under mu_; no database read
// happens while a lock is held.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "domain/policy.hpp"
#include "net/router.hpp"
#include "partners/commands.hpp"
#include "partners/session.hpp"
#include "partners/sessions.hpp"
#include "store/reference.hpp"
#include "store/store.hpp"

namespace vnh::partners {

class PartnerHub {
 public:
  // Notified (from any thread) when presence changes or frames are escalated.
  struct Events {
    std::function<void(const std::string& firm_code, Presence p)> presence;
    std::function<void(const std::string& firm_code, std::uint64_t up_to_seq, int frames)> escalated;
  };

  PartnerHub(boost::asio::io_context& ioc, store::Store& store, PartnerSessions& sessions, CommandHandler& commands,
             const domain::Policy& policy, const Clock& clock, Events events);
  ~PartnerHub();

  // The factory for GET /partner/v1/ws.
  net::Upgrade upgrade(const net::Request& req);
  // Closes every session (shutdown).
  void close_all(const std::string& reason);
  // Closes (1008) the sessions whose firm's token has been replaced or revoked, or whose firm is
  // no longer active (SPEC §9). Runs each second; call it too right after such a change.
  void revalidate();
  // Starts the ack/heartbeat supervision timer.
  void start();
  void stop();
  std::vector<FirmPresence> presence() const;
  Presence presence_of(std::int64_t firm_id) const;
  const HubStats& stats() const { return stats_; }

 private:
  void on_tick();
  void end_lapsed(const std::map<std::int64_t, std::shared_ptr<Session>>& open,
                  const std::vector<store::FirmStanding>& standings);
  void arm_timer();

  const Clock& clock_;
  store::Store& store_;
  PartnerSessions& sessions_;
  Events events_;
  HubStats stats_;
  Gateway gw_;
  mutable std::mutex mu_;
  std::map<std::int64_t, Presence> reported_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace vnh::partners
