#include "net/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <memory>

namespace vnh::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  std::string host;
  std::string port;
  std::string path;  // with the query
};

Result<Target> parse_target(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return Status(Code::kInvalidArgument, "is not an absolute URL: " + u.error().message());
  if (u->scheme() != "http") return Status(Code::kInvalidArgument, "must be an http:// URL (the PBX's own network)");
  if (u->host().empty()) return Status(Code::kInvalidArgument, "has no host");
  Target t{std::string(u->encoded_host()), u->has_port() ? std::string(u->port()) : "80",
           std::string(u->encoded_path().empty() ? "/" : u->encoded_path())};
  if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
  return t;
}

// One request's connection; keeps itself alive through its handlers.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& ioc, Target t, std::string body, std::string type, std::chrono::milliseconds timeout,
           std::function<void(Result<ClientReply>)> done)
      : strand_(asio::make_strand(ioc)), resolver_(strand_), stream_(strand_), deadline_(strand_), target_(std::move(t)), timeout_(timeout), done_(std::move(done)) {
    req_.method(http::verb::post);
    req_.target(target_.path);
    req_.set(http::field::host, target_.host);
    req_.set(http::field::user_agent, "vnh");
    req_.set(http::field::content_type, type);
    req_.body() = std::move(body);
    req_.prepare_payload();
  }

  void start() {
    // One deadline for the whole exchange, the name lookup included (the stream's own timeout
    // covers only connect, write and read).
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the exchange finished first
      self->timed_out_ = true;
      self->resolver_.cancel();
      self->stream_.cancel();
    });
    stream_.expires_after(timeout_);
    resolver_.async_resolve(target_.host, target_.port, [self = shared_from_this()](beast::error_code ec, auto results) {
      if (ec) return self->fail("resolve", ec);
      self->stream_.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
        if (ec2) return self->fail("connect", ec2);
        self->write();
      });
    });
  }

 private:
  void write() {
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("write", ec);
      http::async_read(self->stream_, self->buffer_, self->res_, [self](beast::error_code ec2, std::size_t) {
        if (ec2) return self->fail("read", ec2);
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->finish(ClientReply{static_cast<int>(self->res_.result_int()), std::move(self->res_.body())});
      });
    });
  }

  void fail(const char* step, beast::error_code ec) {
    const std::string why = timed_out_ ? "no answer within the timeout" : ec.message();
    finish(Status(Code::kUnavailable, std::string(step) + " " + target_.host + ":" + target_.port + ": " + why));
  }
  // Handlers run one at a time on the strand; `done_` is called once.
  void finish(Result<ClientReply> r) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    done_(std::move(r));
  }

  asio::strand<asio::io_context::executor_type> strand_;  // every handler here runs on it, one at a time
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  asio::steady_timer deadline_;
  bool timed_out_ = false;
  bool finished_ = false;
  Target target_;
  std::chrono::milliseconds timeout_;
  std::function<void(Result<ClientReply>)> done_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buffer_;
};

}  // namespace

Status check_http_url(const std::string& url) {
  auto t = parse_target(url);
  return t.ok() ? Status::Ok() : t.status();
}

void http_post(asio::io_context& ioc, const std::string& url, std::string body, std::string content_type,
               std::chrono::milliseconds timeout, std::function<void(Result<ClientReply>)> done) {
  auto t = parse_target(url);
  if (!t.ok()) {
    asio::post(ioc, [done = std::move(done), st = t.status()] { done(st); });
    return;
  }
  std::make_shared<Exchange>(ioc, std::move(*t), std::move(body), std::move(content_type), timeout, std::move(done))
      ->start();
}

}  // namespace vnh::net
