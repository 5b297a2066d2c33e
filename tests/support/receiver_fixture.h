#pragma once

// A Receiver on 127.0.0.1 with an ephemeral port, serving the development PKI, with counters of
// what its handlers saw. Stopped and joined by the destructor.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <imcb/imcb.h>

#include "support/pki.h"

namespace imcb::test {

constexpr std::uint64_t kAppId = 888888;

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns its last value.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds limit = std::chrono::seconds(5));

/// Options for the development PKI in the given mode, pinned to the vendor's client CN.
ReceiverOptions dev_options(ServerCertMode mode = ServerCertMode::SelfProvided);

class RunningReceiver {
  public:
    /// Registers counting handlers for every known command unless `configure` registers its own.
    explicit RunningReceiver(ReceiverOptions options, const std::function<void(Receiver&)>& configure = {});
    ~RunningReceiver();

    Receiver& receiver() { return *receiver_; }
    std::uint16_t port() const { return port_; }
    int handled() const { return handled_.load(); }
    std::vector<ErrorReport> reports() const;
    /// Whether a report of this kind arrives (waits up to 5 s for it).
    bool has_report(ErrorKind kind) const;
    /// How many reports of this kind have arrived so far.
    std::size_t report_count(ErrorKind kind) const;

  private:
    std::unique_ptr<Receiver> receiver_;
    std::uint16_t port_ = 0;
    std::atomic<int> handled_{0};
    mutable std::mutex mu_;
    std::vector<ErrorReport> reports_;
};

}  // namespace imcb::test
