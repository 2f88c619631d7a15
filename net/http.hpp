#pragma once
// Beast-free HTTP request/response values and the handler signatures that domain handlers
// use, so domain code never includes Beast (STYLE: net/ knows no domain, domain knows no
// Beast). A Respond callback may be called once, from any thread.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vnh::net {

// Header names are stored lower-case.
struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // raw target with query
  std::string path;    // decoded path
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> params;  // from the route pattern ({ticket_no})
  std::string body;
  std::string remote;  // peer address
  std::optional<std::string> header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> query_param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
  // The token of "Authorization: Bearer <token>", if any.
  std::optional<std::string> bearer() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after sending
};

using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Respond)>;

// A websocket connection as handlers see it. Thread-safe.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Queues a message; a connection whose queue exceeds its limit (a slow reader) is closed.
  virtual void send(std::shared_ptr<const std::string> data, bool binary) = 0;
  // Closes with a websocket close code and reason (sent to the peer).
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual const std::string& remote() const = 0;
};

// Receives one websocket connection's events, on that connection's strand.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_open(std::shared_ptr<WsConnection> conn) = 0;
  virtual void on_message(std::string&& data, bool binary) = 0;
  virtual void on_close(const std::string& reason) = 0;
};

// Decides an upgrade request: a handler to accept it, or a Response to refuse it with.
struct Upgrade {
  std::shared_ptr<WsHandler> handler;
  Response refusal;
};
using WsFactory = std::function<Upgrade(const Request&)>;

// Percent-decoding of a path or query component ('+' is a space in queries).
std::string url_decode(std::string_view s, bool plus_is_space);
std::map<std::string, std::string> parse_query(std::string_view q);

}  // namespace vnh::net
