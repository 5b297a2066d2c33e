#pragma once

// Stage "HTTP framing": cpp-httplib parses the request line and headers and writes the response,
// over our Connection instead of its own sockets (its thread-per-connection model, its keep-alive
// polling and its unbounded body paths are not used).

#include <memory>

#include "imcb/options.h"
#include "pipeline.h"
#include "transport.h"

namespace imcb::detail {

class HttpEngine final : public RequestServer {
  public:
    HttpEngine(const ReceiverOptions& options, const Pipeline& pipeline, const Reporter& reporter,
               Counters& counters);
    ~HttpEngine() override;
    bool serve(Connection& conn, bool last_request) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace imcb::detail
