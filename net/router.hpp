#pragma once
// Router: maps (method, path pattern) to handlers and websocket paths to factories. Patterns
// are literal segments and {name} captures ("/api/v1/tickets/{ticket_no}/cancel"). No domain
// knowledge. Registration happens before the server starts; lookups are then read-only and
// safe from any thread.
#include <string>
#include <vector>

#include "net/http.hpp"

namespace vnh::net {

class Router {
 public:
  void add(const std::string& method, const std::string& pattern, Handler h);
  void add_ws(const std::string& path, WsFactory f);
  // Dispatches a request; answers 404/405 itself when nothing matches.
  void handle(Request&& req, Respond respond) const;
  // The websocket factory for a path, or nullptr.
  const WsFactory* ws(const std::string& path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  static std::vector<std::string> split_path(const std::string& path);
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, WsFactory>> ws_;
};

// A JSON error body as SPEC §8: {"error":{"code":…,"message":…,"field":…}}.
Response json_error(int status, const std::string& code, const std::string& message, const std::string& field = "");

}  // namespace vnh::net
