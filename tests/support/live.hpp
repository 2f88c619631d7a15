#pragma once
// A console's live channel for integration tests (text websocket GET /api/v1/live): connects,
// authenticates with a bearer token and reads events, skipping those of other types.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <string>

namespace vnh::testing {

class Live {
 public:
  Live(const std::string& port, const std::string& token) : ws_(ioc_) {
    boost::asio::ip::tcp::resolver r(ioc_);
    boost::asio::connect(ws_.next_layer(), r.resolve("127.0.0.1", port));
    ws_.handshake("127.0.0.1:" + port, "/api/v1/live");
    ws_.write(boost::asio::buffer(boost::json::serialize(boost::json::object{{"type", "auth"}, {"token", token}})));
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

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

}  // namespace vnh::testing
