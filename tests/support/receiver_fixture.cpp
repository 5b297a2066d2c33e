#include "support/receiver_fixture.h"

#include <algorithm>
#include <thread>

namespace imcb::test {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

ReceiverOptions dev_options(ServerCertMode mode) {
    ReceiverOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.path = "/";
    o.sdk_app_id = kAppId;
    o.min_threads = 2;
    o.tls.mode = mode;
    o.tls.self_provided = {pki("server-self.crt"), pki("server-self.key")};
    o.tls.vendor_issued = {pki("server-vendor.crt"), pki("server-vendor.key")};
    o.tls.vendor_ca_files = {pki("vendor-ca.crt")};
    o.tls.vendor_identity.subject_names = {"im-callback.vendor.dev"};
    return o;
}

RunningReceiver::RunningReceiver(ReceiverOptions options, const std::function<void(Receiver&)>& configure)
    : receiver_(std::make_unique<Receiver>(std::move(options))) {
    receiver_->on_error([this](const ErrorReport& r) {
        std::lock_guard<std::mutex> lock(mu_);
        reports_.push_back(r);
    });
    if (configure) {
        configure(*receiver_);
    } else {
        for (const auto& info : command_catalogue()) {
            const bool pass_through = info.rules.has_rsp_data;  // answered with RspData, not allow()
            receiver_->on_raw(std::string(info.command),
                              [this, pass_through](const nlohmann::json&, const CallbackContext&) {
                                  handled_++;
                                  return pass_through ? Decision::respond("") : Decision::allow();
                              });
        }
    }
    port_ = receiver_->start();
}

RunningReceiver::~RunningReceiver() { receiver_->stop(); }

std::vector<ErrorReport> RunningReceiver::reports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
}

bool RunningReceiver::has_report(ErrorKind kind) const {
    // Reports are made on the server's threads, possibly just after the client saw the outcome.
    return eventually([&] { return report_count(kind) > 0; });
}

std::size_t RunningReceiver::report_count(ErrorKind kind) const {
    const auto all = reports();
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [kind](const ErrorReport& r) { return r.kind == kind; }));
}

}  // namespace imcb::test
