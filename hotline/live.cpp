#include "hotline/live.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "common/log.hpp"
#include "hotline/views.hpp"
#include "store/alerts.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

class LiveHub::Client final : public net::WsHandler, public std::enable_shared_from_this<Client> {
 public:
  explicit Client(LiveHub& hub) : hub_(hub), opened_at_(hub.clock_.now_ms()) {}

  void on_open(std::shared_ptr<net::WsConnection> conn) override {
    {
      std::lock_guard lk(mu_);
      conn_ = std::move(conn);
    }
    hub_.add(shared_from_this());  // watched from the start: it has 5 s to authenticate
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
        token_ = std::string(token->as_string());
      }
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
  std::optional<Principal> principal() const {
    std::lock_guard lk(mu_);
    return principal_;
  }
  std::string token() const {
    std::lock_guard lk(mu_);
    return token_;
  }
  TimeMs opened_at() const { return opened_at_; }
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
  const TimeMs opened_at_;
  mutable std::mutex mu_;
  std::shared_ptr<net::WsConnection> conn_;
  std::optional<Principal> principal_;
  std::string token_;  // to check the session again each second (revalidate)
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
  std::vector<std::shared_ptr<Client>> all;
  {
    std::lock_guard lk(mu_);
    all.assign(clients_.begin(), clients_.end());
  }
  return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [](const auto& c) { return c->authenticated(); }));
}

void LiveHub::end_sessions(const std::function<bool(const Principal&)>& which, const std::string& why) {
  std::vector<std::shared_ptr<Client>> all;
  {
    std::lock_guard lk(mu_);
    all.assign(clients_.begin(), clients_.end());
  }
  for (auto& c : all) {
    auto p = c->principal();
    if (p && which(*p)) c->close(4401, why);
  }
}

void LiveHub::revalidate() {
  std::vector<std::shared_ptr<Client>> all;
  {
    std::lock_guard lk(mu_);
    all.assign(clients_.begin(), clients_.end());
  }
  if (all.empty()) return;
  const TimeMs now = clock_.now_ms();
  auto db = store_.read();
  for (auto& c : all) {
    if (!c->authenticated()) {
      if (now - c->opened_at() >= kAuthWithinMs) c->close(4401, "authenticate within 5 s");
      continue;
    }
    if (!db.ok()) continue;  // the storage is down: nothing to decide on
    if (!authenticate(**db, c->token(), now).ok()) c->close(4401, "session ended");
  }
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
              (audience == Audience::kSupervisors && (*r == Role::kSupervisor || *r == Role::kAdmin)) ||
              (audience == Audience::kMap && (*r == Role::kSupervisor || *r == Role::kAdmin || *r == Role::kDisplay));
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

namespace {
// The supervisors' alert a ticket change raises, if any: an emergency filed, a ticket no firm
// took, a visit flagged, a dispute.
std::optional<json::object> alert_of(const tickets::TicketChange& change) {
  const bool emergency = change.ticket.urgency == domain::Urgency::kEmergency && change.event == "created";
  const bool alert = emergency || change.event == "unassigned" || change.event == "completed_flagged" ||
                     change.event == "checked_in_flagged" || change.event == "disputed";
  if (!alert) return std::nullopt;
  json::object a{{"type", "alert"}, {"kind", emergency ? "emergency" : change.event}, {"ticket_no", change.ticket.ticket_no}};
  if (change.ticket.unassigned_reason) a["unassigned_reason"] = *change.ticket.unassigned_reason;
  return a;
}
}  // namespace

void LiveHub::ticket_changed(const tickets::TicketChange& change) {
  // Alerts are kept whether or not a screen is open (SPEC §15).
  if (auto a = alert_of(change)) {
    boost::asio::post(ioc_, [this, a = std::move(*a)]() mutable { raise_alert(std::move(a)); });
  }
  {
    std::lock_guard lk(mu_);
    if (clients_.empty()) return;
  }
  boost::asio::post(ioc_, [this, change] { render_and_send(change); });
}

void LiveHub::worker_seen(const tickets::WorkerSeen& w) {
  std::lock_guard lk(positions_mu_);
  positions_[{w.firm_code, w.staff_code}] = w;
}

void LiveHub::flush_positions() {
  std::map<std::pair<std::string, std::string>, tickets::WorkerSeen> batch;
  {
    std::lock_guard lk(positions_mu_);
    batch.swap(positions_);
  }
  if (batch.empty()) return;
  json::array workers;
  for (const auto& [key, w] : batch) {
    workers.push_back(json::object{{"firm_code", w.firm_code},
                                   {"staff_code", w.staff_code},
                                   {"lat", w.lat},
                                   {"lon", w.lon},
                                   {"at", format_time(w.at, *policy_.tz)}});
  }
  broadcast(json::object{{"type", "map.workers"}, {"workers", std::move(workers)}}, Audience::kMap);
}

void LiveHub::raise_alert(json::object alert) {
  store::AlertRow row;
  row.kind = json::value_to<std::string>(alert.at("kind"));
  if (const auto* t = alert.if_contains("ticket_no"); t && t->is_string()) row.ticket_no = std::string(t->as_string());
  if (const auto* f = alert.if_contains("firm_code"); f && f->is_string()) row.firm_code = std::string(f->as_string());
  row.raised_at = clock_.now_ms();
  if (!alert.contains("at")) alert["at"] = format_time(row.raised_at, *policy_.tz);
  row.detail = json::serialize(alert);
  auto id = std::make_shared<std::int64_t>(0);
  store_.writer().submit(
      [row, id](store::WriteTx& tx) -> Status {
        VNH_ASSIGN_OR_RETURN(*id, store::insert_alert(tx.db(), row));
        return Status::Ok();
      },
      [this, alert = std::move(alert), id](Status st) mutable {
        // A store that cannot keep it still shows it: the screen must not miss an emergency.
        if (!st.ok()) log::warn("msg=\"alert not stored\" error={}", log::q(st.message()));
        else alert["id"] = *id;
        broadcast(alert, Audience::kSupervisors);
      });
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
}

}  // namespace vnh::hotline
