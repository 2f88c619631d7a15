#pragma once
// LiveHub: the consoles' live channel (websocket GET /api/v1/live). A console authenticates
// with its first message {"type":"auth","token":"…"}; from then on it receives JSON events:
// ticket changes ({"type":"ticket"}), calls as they ring, are answered and end ({"type":"call"}),
// the screen pop of a call to the desk that answered it ({"type":"screen_pop"}), firm presence
// and supervisor alerts (emergencies, unassigned tickets, partner escalations). Clients reconnect
// by themselves; nothing here is durable (the API is the source of truth).
//
// Thread-safe. Ticket changes arrive on the writer thread after commit and are rendered on
// the io_context, so the writer never waits on a console.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/clock.hpp"
#include "domain/policy.hpp"
#include "hotline/auth.hpp"
#include "net/router.hpp"
#include "store/store.hpp"
#include "tickets/service.hpp"

namespace vnh::hotline {

// kMap: who watches the live map (supervisors, admins and the wall display).
enum class Audience { kOperators, kSupervisors, kMap, kAll };

class LiveHub final : public tickets::Observer {
 public:
  LiveHub(boost::asio::io_context& ioc, store::Store& store, const domain::Policy& policy, const Clock& clock);

  net::Upgrade upgrade(const net::Request& req);
  void ticket_changed(const tickets::TicketChange& change) override;
  // Workers' positions wait here and go out together once a second (flush_positions), the
  // newest of each worker only: a map console gets at most one update a second (SPEC §15).
  void worker_seen(const tickets::WorkerSeen& w) override;
  void flush_positions();
  // Sends an event to the consoles of the audience (thread-safe).
  void broadcast(const boost::json::object& event, Audience audience);
  // A supervisors' alert (`"type":"alert"`, its `kind`, `ticket_no` or `firm_code`): stored until
  // acknowledged (SPEC §15), then pushed with its `id`.
  void raise_alert(boost::json::object alert);
  // Sends an event to every console signed in as `username` (a call's card goes only to the
  // desk that answered it).
  void send_to_user(const std::string& username, const boost::json::object& event);
  // Consoles signed in now.
  std::size_t connected() const;
  // Closes (4401) every signed-in console whose session `which` names: a logout, a disabled user.
  void end_sessions(const std::function<bool(const Principal&)>& which, const std::string& why);
  // Called each second: closes a console whose session has ended by any path (logout elsewhere,
  // disabled, expired, revoked from the command line) and one that has not authenticated within
  // kAuthWithinMs of connecting (SPEC §9).
  void revalidate();
  static constexpr TimeMs kAuthWithinMs = 5000;

  class Client;

 private:
  friend class Client;
  void add(const std::shared_ptr<Client>& c);
  void remove(const Client* c);
  void render_and_send(tickets::TicketChange change);

  boost::asio::io_context& ioc_;
  store::Store& store_;
  const domain::Policy& policy_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::set<std::shared_ptr<Client>> clients_;
  std::mutex positions_mu_;
  std::map<std::pair<std::string, std::string>, tickets::WorkerSeen> positions_;  // by firm and staff code
};

}  // namespace vnh::hotline
