#include "tests/support/partner.hpp"

namespace vnh::testing {

TestPartner::TestPartner(sim::Endpoint ep, std::string token, bool auto_ack) : auto_ack_(auto_ack) {
  client_ = std::make_shared<sim::PartnerClient>(ioc_, ep, token);
  client_->on_open = [this] {
    std::lock_guard lk(mu_);
    open_ = true;
    cv_.notify_all();
  };
  client_->on_frame = [this](const Frame& f) {
    if (auto_ack_ && f.seq() > 0) {
      vnh::v1::ClientFrame a;
      a.mutable_ack()->set_seq(f.seq());
      client_->send(a);
    }
    std::lock_guard lk(mu_);
    frames_.push_back(f);
    ++received_;
    cv_.notify_all();
  };
  client_->on_close = [this](const std::string& why, int status) {
    std::lock_guard lk(mu_);
    closed_ = true;
    status_ = status;
    reason_ = why;
    cv_.notify_all();
  };
  client_->connect();
  thread_ = std::thread([this] { ioc_.run(); });
}

TestPartner::~TestPartner() {
  client_->close();
  wait_closed(std::chrono::seconds(2));
  ioc_.stop();
  thread_.join();
}

bool TestPartner::wait_open(std::chrono::milliseconds t) {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, t, [this] { return open_ || closed_; }) && open_;
}

bool TestPartner::wait_closed(std::chrono::milliseconds t) {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, t, [this] { return closed_; });
}

std::optional<TestPartner::Frame> TestPartner::next(const std::function<bool(const Frame&)>& pred,
                                                    std::chrono::milliseconds t) {
  std::unique_lock lk(mu_);
  auto deadline = std::chrono::steady_clock::now() + t;
  while (true) {
    for (auto it = frames_.begin(); it != frames_.end(); ++it) {
      if (pred(*it)) {
        Frame f = *it;
        frames_.erase(it);
        return f;
      }
    }
    if (cv_.wait_until(lk, deadline) == std::cv_status::timeout) return std::nullopt;
  }
}

std::optional<vnh::v1::CommandResult> TestPartner::command(vnh::v1::ClientFrame f, std::chrono::milliseconds t) {
  if (f.request_id().empty()) {
    std::lock_guard lk(mu_);
    f.set_request_id("r" + std::to_string(next_id_++));
  }
  std::string rid = f.request_id();
  client_->send(f);
  auto r = next([&](const Frame& x) { return x.has_result() && x.result().request_id() == rid; }, t);
  if (!r) return std::nullopt;
  return r->result();
}

void TestPartner::ack(std::uint64_t seq) {
  vnh::v1::ClientFrame a;
  a.mutable_ack()->set_seq(seq);
  client_->send(a);
}

bool TestPartner::ping() {
  vnh::v1::ClientFrame p;
  p.mutable_ping()->set_time_ms(0);
  client_->send(p);
  return next([](const Frame& f) { return f.has_pong(); }).has_value();
}

int TestPartner::refused_status() const {
  std::lock_guard lk(mu_);
  return status_;
}

std::string TestPartner::close_reason() const {
  std::lock_guard lk(mu_);
  return reason_;
}

std::size_t TestPartner::received() const {
  std::lock_guard lk(mu_);
  return received_;
}

}  // namespace vnh::testing
