#include "partners/hub.hpp"

#include "common/crypto.hpp"
#include "store/reference.hpp"

namespace vnh::partners {

namespace {
constexpr std::uint16_t kCloseGoingAway = 1001;
constexpr std::uint16_t kClosePolicy = 1008;
}  // namespace

PartnerHub::PartnerHub(boost::asio::io_context& ioc, store::Store& store, PartnerSessions& sessions,
                       CommandHandler& commands, const domain::Policy& policy, const Clock& clock, Events events)
    : clock_(clock),
      store_(store),
      sessions_(sessions),
      events_(std::move(events)),
      gw_{ioc, store, commands, sessions, policy, clock, stats_, events_.escalated},
      timer_(ioc) {}

PartnerHub::~PartnerHub() { stop(); }

net::Upgrade PartnerHub::upgrade(const net::Request& req) {
  net::Upgrade up;
  auto token = req.bearer();
  if (!token) {
    up.refusal = net::json_error(401, std::string(reason::kUnauthenticated.code()), "send Authorization: Bearer <firm token>");
    up.refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vnh-partner\"");
    return up;
  }
  Result<std::optional<store::Firm>> firm = Status(Code::kUnavailable, "storage unavailable");
  if (auto db = store_.read(); db.ok()) firm = store::find_firm_by_token(**db, sha256_raw(*token));
  if (!firm.ok()) {
    up.refusal = net::json_error(503, std::string(reason::kUnavailable.code()), "storage unavailable");
    return up;
  }
  if (!*firm) {
    up.refusal = net::json_error(401, std::string(reason::kUnauthenticated.code()), "unknown or revoked firm token");
    up.refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vnh-partner\", error=\"invalid_token\"");
    return up;
  }
  if ((*firm)->status != domain::FirmStatus::kActive) {
    up.refusal = net::json_error(403, std::string(transport::kPermissionDenied),
                                 std::string("the firm is ") + std::string(domain::to_string((*firm)->status)));
    return up;
  }
  up.handler = std::make_shared<Session>(gw_, FirmIdentity{(*firm)->id, (*firm)->code, sha256_raw(*token)});
  return up;
}

void PartnerHub::close_all(const std::string& reason) {
  for (auto& [id, s] : sessions_.all()) s->close(kCloseGoingAway, reason);
}

void PartnerHub::start() { arm_timer(); }

void PartnerHub::stop() {
  std::lock_guard lk(mu_);
  stopped_ = true;
  timer_.cancel();
}

void PartnerHub::arm_timer() {
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    on_tick();
    std::lock_guard lk(mu_);
    if (!stopped_) arm_timer();
  });
}

void PartnerHub::revalidate() {
  auto open = sessions_.all();
  if (open.empty()) return;
  auto db = store_.read();
  if (!db.ok()) return;
  if (auto standings = store::firm_standings(**db); standings.ok()) end_lapsed(open, *standings);
}

void PartnerHub::end_lapsed(const std::map<std::int64_t, std::shared_ptr<Session>>& open,
                            const std::vector<store::FirmStanding>& standings) {
  std::map<std::int64_t, const store::FirmStanding*> by_id;
  for (const auto& f : standings) by_id[f.id] = &f;
  for (const auto& [id, s] : open) {
    auto it = by_id.find(id);
    if (it == by_id.end() || it->second->token_hash != s->firm().token_hash) {
      s->close(kClosePolicy, "the firm's token was replaced or revoked");
    } else if (it->second->status != domain::FirmStatus::kActive) {
      s->close(kClosePolicy, std::string("the firm is ") + std::string(domain::to_string(it->second->status)));
    }
  }
}

// Each second: one read of the firms ends the sessions whose standing lapsed (within a second,
// SPEC §9) and tells the consoles whose presence changed.
void PartnerHub::on_tick() {
  const TimeMs now = clock_.now_ms();
  Result<std::vector<store::FirmStanding>> firms = Status(Code::kUnavailable, "no read connection");
  if (auto db = store_.read(); db.ok()) firms = store::firm_standings(**db);
  auto all = sessions_.all();
  if (firms.ok()) end_lapsed(all, *firms);
  for (auto& [id, s] : all) s->tick(now);
  if (!events_.presence || !firms.ok()) return;
  std::vector<std::pair<std::string, Presence>> changes;
  for (const auto& f : *firms) {
    Presence p = Presence::kOffline;
    if (auto it = all.find(f.id); it != all.end()) p = it->second->snapshot(now).presence;
    std::lock_guard lk(mu_);
    auto& last = reported_[f.id];
    if (last != p) {
      last = p;
      changes.emplace_back(f.code, p);
    }
  }
  for (const auto& [code, p] : changes) events_.presence(code, p);
}

std::vector<FirmPresence> PartnerHub::presence() const {
  const TimeMs now = clock_.now_ms();
  std::vector<FirmPresence> out;
  for (const auto& [id, s] : sessions_.all()) out.push_back(s->snapshot(now));
  return out;
}

Presence PartnerHub::presence_of(std::int64_t firm_id) const {
  auto s = sessions_.find(firm_id);
  return s ? s->snapshot(clock_.now_ms()).presence : Presence::kOffline;
}

}  // namespace vnh::partners
