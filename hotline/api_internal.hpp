#pragma once
// Internals shared by the API's handler files: the write-then-render template.
#include <boost/asio/post.hpp>

#include "hotline/api.hpp"

namespace vnh::hotline {

template <class T>
void Api::write(net::Respond respond, std::function<Result<T>(store::WriteTx&)> work,
                std::function<Result<net::Response>(store::Database&, T&)> render,
                std::function<std::optional<net::Response>(T&)> from_memory) {
  auto out = std::make_shared<std::optional<T>>();
  c_.store.writer().submit(
      [work = std::move(work), out](store::WriteTx& tx) -> Status {
        auto r = work(tx);
        if (!r.ok()) return r.status();
        *out = std::move(*r);
        return Status::Ok();
      },
      [this, respond = std::move(respond), render = std::move(render), from_memory = std::move(from_memory),
       out](Status st) {
        if (!st.ok()) return respond(error_response(st));
        // Render after the commit, off the writer and completer threads.
        boost::asio::post(c_.ioc, [this, respond, render, from_memory, out] {
          if (from_memory) {
            if (auto r = from_memory(**out)) return respond(std::move(*r));
          }
          read(respond, [&](store::Database& db) { return render(db, **out); });
        });
      });
}

}  // namespace vnh::hotline
