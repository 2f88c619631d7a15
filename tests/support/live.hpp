#pragma once
// A console's live channel for integration tests (text websocket GET /api/v1/live): connects,
// authenticates with a bearer token and reads events, skipping those of other types.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace vnh::testing {

class Live {
 public:
  // Connects and authenticates with `token` (an empty token: connects only).
  Live(const std::string& port, const std::string& token) : ws_(ioc_) {
    boost::asio::ip::tcp::resolver r(ioc_);
    boost::asio::connect(ws_.next_layer(), r.resolve("127.0.0.1", port));
    ws_.handshake("127.0.0.1:" + port, "/api/v1/live");
    if (!token.empty()) {
      ws_.write(boost::asio::buffer(boost::json::serialize(boost::json::object{{"type", "auth"}, {"token", token}})));
    }
  }
  // The next event of `type` (and, when given, whose `key` is `value`) among the next 50.
  boost::json::value next_of(const std::string& type, const std::string& key = "", const std::string& value = "") {
    for (int i = 0; i < 50; ++i) {
      boost::beast::flat_buffer b;
      ws_.read(b);
      auto v = boost::json::parse(boost::beast::buffers_to_string(b.data()));
      if (!v.is_object()) continue;
      const auto& o = v.as_object();
      auto* t = o.if_contains("type");
      if (!t || !t->is_string() || t->as_string() != type) continue;
      if (!key.empty()) {
        auto* k = o.if_contains(key);
        if (!k || !k->is_string() || k->as_string() != value) continue;
      }
      return v;
    }
    return {};
  }
  // The close code the server ends the channel with, reading (and dropping) events until then;
  // nullopt when the channel is still open after `timeout`. Ends this client's use of it.
  std::optional<int> closed_within(std::chrono::milliseconds timeout) {
    std::optional<int> code;
    bool done = false;
    boost::beast::flat_buffer b;
    std::function<void()> read_next = [&] {
      ws_.async_read(b, [&](boost::system::error_code ec, std::size_t) {
        if (ec == boost::beast::websocket::error::closed) code = static_cast<int>(ws_.reason().code);
        if (ec) {
          done = true;
          return;
        }
        b.consume(b.size());
        read_next();
      });
    };
    read_next();
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done) {
      boost::system::error_code ignored;
      ws_.next_layer().cancel(ignored);
      ioc_.restart();
      ioc_.run();
    }
    return code;
  }
  // Whether the channel is open: a ping answered by a pong.
  bool open() {
    boost::system::error_code ec;
    ws_.write(boost::asio::buffer(boost::json::serialize(boost::json::object{{"type", "ping"}})), ec);
    if (ec) return false;
    for (int i = 0; i < 50; ++i) {
      boost::beast::flat_buffer b;
      ws_.read(b, ec);
      if (ec) return false;
      if (boost::beast::buffers_to_string(b.data()).find("\"pong\"") != std::string::npos) return true;
    }
    return false;
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

}  // namespace vnh::testing
