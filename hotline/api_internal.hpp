#pragma once
// Internals shared by the API's handler files: the write-then-render template.
#include <boost/asio/post.hpp>

#include "hotline/api.hpp"

namespace vnh::hotline {

template <class T>
void Api::write(net::Respond respond, std::function<Result<T>(store::WriteTx&)> work,
                std::function<Result<net::Response>(store::Database&, T&)> render) {
  auto out = std::make_shared<std::optional<T>>();
  c_.store.writer().submit(
      [work = std::move(work), out](store::WriteTx& tx) -> Status {
        auto r = work(tx);
        if (!r.ok()) return r.status();
        *out = std::move(*r);
        return Status::Ok();
      },
      [this, respond = std::move(respond), render = std::move(render), out](Status st) {
        if (!st.ok()) return respond(error_response(st));
        // Render after the commit, off the writer thread.
        boost::asio::post(c_.ioc, [this, respond, render, out] {
          read(respond, [&](store::Database& db) { return render(db, **out); });
        });
      });
}

}  // namespace vnh::hotline
