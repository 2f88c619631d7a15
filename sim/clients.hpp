#pragma once
// Clients of a running vnh, over real sockets: a synchronous HTTP/JSON client (keep-alive,
// reconnects) and an asynchronous partner websocket client speaking vnh.v1 frames. Used by
// `vnh partner`, `vnh simulate`, `vnh demo` and the integration tests.
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.hpp"
#include "vnh/v1/partner.pb.h"

namespace vnh::sim {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::string port = "8080";
};
// Accepts http://host:port[/…], ws://host:port[/…] or host:port.
Result<Endpoint> parse_url(const std::string& url);

class HttpClient {
 public:
  struct Reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    boost::json::value json() const;
  };
  explicit HttpClient(Endpoint ep) : ep_(std::move(ep)), ioc_(std::make_unique<boost::asio::io_context>()) {}
  HttpClient(HttpClient&&) = default;
  HttpClient& operator=(HttpClient&&) = default;
  void set_token(std::string t) { token_ = std::move(t); }
  // Connects from this local address (127.0.0.2 …: another "desk" on one machine).
  void set_source(std::string addr) { source_ = std::move(addr); }
  // Sends one request (JSON body when given) and returns the reply; status 0 on a socket error.
  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {});
  Reply get(const std::string& target) { return request("GET", target); }
  Reply post(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& h = {}) {
    return request("POST", target, boost::json::serialize(body), h);
  }
  // POST /api/v1/login; keeps the token. Returns the role or an error.
  Result<std::string> login(const std::string& user, const std::string& password);

 private:
  bool connect();
  Endpoint ep_;
  std::string token_;
  std::string source_;
  std::unique_ptr<boost::asio::io_context> ioc_;  // owned so the client can move
  std::unique_ptr<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
};

// One firm's websocket connection. Callbacks run on the client's strand; send() and close()
// may be called from any thread.
class PartnerClient final : public std::enable_shared_from_this<PartnerClient> {
 public:
  PartnerClient(boost::asio::io_context& ioc, Endpoint ep, std::string token);
  std::function<void()> on_open;
  std::function<void(const vnh::v1::ServerFrame&)> on_frame;
  std::function<void(const std::string& reason, int http_status)> on_close;

  void connect();
  void send(const vnh::v1::ClientFrame& f);
  void send_raw(std::string bytes, bool binary = true);  // for malformed-frame tests
  void close();
  // Drops the TCP connection without a close handshake (a lost link).
  void drop();
  bool open() const { return open_; }

 private:
  void on_resolve(boost::beast::error_code ec, boost::asio::ip::tcp::resolver::results_type r);
  void on_connect(boost::beast::error_code ec, boost::asio::ip::tcp::endpoint);
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t);
  void do_write();
  void finish(const std::string& reason, int status = 0);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;  // one strand for everything
  boost::asio::ip::tcp::resolver resolver_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::websocket::response_type upgrade_res_;
  boost::beast::flat_buffer buffer_;
  Endpoint ep_;
  std::string token_;
  std::deque<std::pair<std::string, bool>> out_;
  bool open_ = false;
  bool finished_ = false;
};

}  // namespace vnh::sim
