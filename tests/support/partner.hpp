#pragma once
// A partner firm for tests: a real websocket client on its own thread with blocking helpers
// (wait for a frame, send a command and wait for its CommandResult).
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "sim/clients.hpp"

namespace vnh::testing {

class TestPartner {
 public:
  using Frame = vnh::v1::ServerFrame;
  TestPartner(sim::Endpoint ep, std::string token, bool auto_ack = true);
  ~TestPartner();

  bool wait_open(std::chrono::milliseconds t = std::chrono::seconds(5));
  bool wait_closed(std::chrono::milliseconds t = std::chrono::seconds(5));
  // The next unconsumed frame matching `pred` (consumed), or nullopt after the timeout.
  std::optional<Frame> next(const std::function<bool(const Frame&)>& pred,
                            std::chrono::milliseconds t = std::chrono::seconds(5));
  std::optional<Frame> next_offer(std::chrono::milliseconds t = std::chrono::seconds(5)) {
    return next([](const Frame& f) { return f.has_offer(); }, t);
  }
  // Sends a command (request_id "r<n>" unless set) and waits for its result.
  std::optional<vnh::v1::CommandResult> command(vnh::v1::ClientFrame f,
                                                std::chrono::milliseconds t = std::chrono::seconds(5));
  void send(const vnh::v1::ClientFrame& f) { client_->send(f); }
  void send_raw(std::string bytes, bool binary = true) { client_->send_raw(std::move(bytes), binary); }
  void ack(std::uint64_t seq);
  // A Ping answered by its Pong: the server has seen this firm alive (presence online) now.
  bool ping();
  void drop() { client_->drop(); }
  void close() { client_->close(); }
  int refused_status() const;
  std::string close_reason() const;
  std::size_t received() const;

 private:
  boost::asio::io_context ioc_;
  std::shared_ptr<sim::PartnerClient> client_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Frame> frames_;
  std::size_t received_ = 0;
  bool open_ = false, closed_ = false;
  int status_ = 0;
  std::string reason_;
  int next_id_ = 1;
  bool auto_ack_;
};

// Command frames as a firm sends them.
inline vnh::v1::ClientFrame accept(const std::string& ticket_no) {
  vnh::v1::ClientFrame f;
  f.mutable_accept()->set_ticket_no(ticket_no);
  return f;
}
inline vnh::v1::ClientFrame assign(const std::string& ticket_no, const std::string& staff) {
  vnh::v1::ClientFrame f;
  f.mutable_assign()->set_ticket_no(ticket_no);
  f.mutable_assign()->set_staff_code(staff);
  return f;
}

}  // namespace vnh::testing
