#include "hotline/live.hpp"

#include <boost/asio/post.hpp>

#include "common/log.hpp"
#include "hotline/views.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

class LiveHub::Client final : public net::WsHandler, public std::enable_shared_from_this<Client> {
 public:
  explicit Client(LiveHub& hub) : hub_(hub) {}

  void on_open(std::shared_ptr<net::WsConnection> conn) override {
    std::lock_guard lk(mu_);
    conn_ = std::move(conn);
  }

  void on_message(std::string&& data, bool binary) override {
    if (binary || data.size() > 4096) return close(4400, "text JSON messages only");
    boost::system::error_code ec;
    auto v = json::parse(data, ec);
    if (ec || !v.is_object()) return close(4400, "not a JSON object");
    const auto& o = v.as_object();
    auto type = o.if_contains("type");
    if (type && type->is_string() && type->as_string() == "auth") {
      auto token = o.if_contains("token");
      if (!token || !token->is_string()) return close(4401, "auth needs a token");
      auto db = hub_.store_.read();
      if (!db.ok()) return close(1011, "storage unavailable");
      auto p = authenticate(**db, std::string(token->as_string()), hub_.clock_.now_ms());
      if (!p.ok()) return close(4401, "invalid or expired token");
      {
        std::lock_guard lk(mu_);
        principal_ = *p;
      }
      hub_.add(shared_from_this());
      send(json::object{{"type", "hello"},
                        {"user", p->username},
                        {"role", std::string(domain::to_string(p->role))},
                        {"server_time", format_time(hub_.clock_.now_ms(), *hub_.policy_.tz)}});
      return;
    }
    if (type && type->is_string() && type->as_string() == "ping") {
      send(json::object{{"type", "pong"}, {"server_time", format_time(hub_.clock_.now_ms(), *hub_.policy_.tz)}});
      return;
    }
    if (!authenticated()) close(4401, "authenticate first");
  }

  void on_close(const std::string&) override { hub_.remove(this); }

  bool authenticated() const {
    std::lock_guard lk(mu_);
    return principal_.has_value();
  }
  bool is_user(const std::string& username) const {
    std::lock_guard lk(mu_);
    return principal_ && principal_->username == username;
  }
  std::optional<Role> role() const {
    std::lock_guard lk(mu_);
    if (!principal_) return std::nullopt;
    return principal_->role;
  }
  void send(const json::object& o) { send_raw(std::make_shared<const std::string>(json::serialize(o))); }
  void send_raw(std::shared_ptr<const std::string> s) {
    std::lock_guard lk(mu_);
    if (conn_) conn_->send(std::move(s), false);
  }
  void close(std::uint16_t code, const std::string& why) {
    std::lock_guard lk(mu_);
    if (conn_) conn_->close(code, why);
  }

 private:
  LiveHub& hub_;
  mutable std::mutex mu_;
  std::shared_ptr<net::WsConnection> conn_;
  std::optional<Principal> principal_;
};

LiveHub::LiveHub(boost::asio::io_context& ioc, store::Store& store, const domain::Policy& policy, const Clock& clock)
    : ioc_(ioc), store_(store), policy_(policy), clock_(clock) {}

net::Upgrade LiveHub::upgrade(const net::Request&) {
  net::Upgrade up;
  up.handler = std::make_shared<Client>(*this);
  return up;
}

void LiveHub::add(const std::shared_ptr<Client>& c) {
  std::lock_guard lk(mu_);
  clients_.insert(c);
}

void LiveHub::remove(const Client* c) {
  std::lock_guard lk(mu_);
  for (auto it = clients_.begin(); it != clients_.end(); ++it) {
    if (it->get() == c) {
      clients_.erase(it);
      return;
    }
  }
}

std::size_t LiveHub::connected() const {
  std::lock_guard lk(mu_);
  return clients_.size();
}

void LiveHub::broadcast(const json::object& event, Audience audience) {
  auto data = std::make_shared<const std::string>(json::serialize(event));
  std::vector<std::shared_ptr<Client>> targets;
  {
    std::lock_guard lk(mu_);
    targets.assign(clients_.begin(), clients_.end());
  }
  // Send outside the registry lock.
  for (auto& c : targets) {
    auto r = c->role();
    if (!r) continue;
    bool ok = audience == Audience::kAll ||
              (audience == Audience::kOperators && (*r == Role::kOperator || *r == Role::kSupervisor || *r == Role::kAdmin)) ||
              (audience == Audience::kSupervisors && (*r == Role::kSupervisor || *r == Role::kAdmin));
    if (ok) c->send_raw(data);
  }
}

void LiveHub::send_to_user(const std::string& username, const json::object& event) {
  auto data = std::make_shared<const std::string>(json::serialize(event));
  std::vector<std::shared_ptr<Client>> targets;
  {
    std::lock_guard lk(mu_);
    targets.assign(clients_.begin(), clients_.end());
  }
  for (auto& c : targets) {
    if (c->is_user(username)) c->send_raw(data);
  }
}

void LiveHub::ticket_changed(const tickets::TicketChange& change) {
  {
    std::lock_guard lk(mu_);
    if (clients_.empty()) return;
  }
  boost::asio::post(ioc_, [this, change] { render_and_send(change); });
}

void LiveHub::render_and_send(tickets::TicketChange change) {
  auto db = store_.read();
  if (!db.ok()) return;
  // Re-read: a later change may already have landed; consoles want the current row.
  auto cur = store::get_ticket(**db, change.ticket.id);
  if (!cur.ok() || !*cur) return;
  auto view = ticket_json(**db, **cur, Role::kOperator, *policy_.tz, false);
  if (!view.ok()) return;
  json::object ev{{"type", "ticket"}, {"event", change.event}, {"ticket", std::move(*view)}};
  if (change.firm_code) ev["firm_code"] = *change.firm_code;
  broadcast(ev, Audience::kOperators);
  bool emergency = change.ticket.urgency == domain::Urgency::kEmergency && change.event == "created";
  bool alert = emergency || change.event == "unassigned" || change.event == "completed_flagged" ||
               change.event == "checked_in_flagged" || change.event == "disputed";
  if (alert) {
    json::object a{{"type", "alert"},
                   {"kind", emergency ? "emergency" : change.event},
                   {"ticket_no", change.ticket.ticket_no},
                   {"at", format_time(clock_.now_ms(), *policy_.tz)}};
    broadcast(a, Audience::kSupervisors);
  }
}

}  // namespace vnh::hotline
