#pragma once

// Stage "HTTP framing": reads one HTTP/1.1 request from a connection (strictly: see http1.h),
// refuses what a callback never is before reading any body, hands the request to the pipeline and
// writes the reply as one TLS record.

#include <chrono>

#include "imcb/options.h"
#include "metrics_registry.h"
#include "pipeline.h"
#include "transport.h"

namespace imcb::detail {

class HttpEngine final : public RequestServer {
  public:
    /// `metrics`, where given, records every reply (imcb_callbacks_total and the duration).
    HttpEngine(const ReceiverOptions& options, const Pipeline& pipeline, const Reporter& reporter,
               Counters& counters, MetricsRegistry* metrics = nullptr);
    Served serve(Connection& conn, bool last_request) override;
    /// A whole HTTP response: status line, headers, body.
    std::string frame(int status, std::string_view body, bool keep_alive,
                      std::string_view extra_headers = {}) const;

  private:
    Served refuse(Connection& conn, int status, const std::string& why, std::string_view target,
                  const std::string& request_id);
    void record(std::string_view command, Outcome outcome, std::chrono::steady_clock::time_point since) const;
    void reply(Connection& conn, int status, std::string_view body, bool keep_alive,
               std::string_view extra_headers = {});

    const ReceiverOptions& options_;
    const Pipeline& pipeline_;
    const Reporter& reporter_;
    Counters& counters_;
    MetricsRegistry* metrics_;
    std::string keep_alive_header_;
};

}  // namespace imcb::detail
