// Configuration warnings (a vendor CA with no pinned identity, an admin listener off loopback)
// go to on_error as ConfigWarning once a handler is installed, and only then: the library writes
// nothing to stderr. Without a handler they are "imcb: warning: ..." lines on stderr.

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "support/receiver_fixture.h"

namespace imcb::test {
namespace {

ReceiverOptions unpinned_options() {
    ReceiverOptions o = dev_options();
    o.host = "127.0.0.1";
    o.port = 0;
    o.tls.vendor_identity = {};    // any certificate of the vendor CA: a warning at start and reload
    o.admin_listen = "0.0.0.0:0";  // off loopback: another warning at start
    return o;
}

TEST(Warnings, GoToOnErrorAndNotToStderrOnceAHandlerIsInstalled) {
    std::mutex mu;
    std::vector<ErrorReport> reports;
    testing::internal::CaptureStderr();
    std::string err;
    {
        Receiver receiver(unpinned_options());
        receiver.on_error([&](const ErrorReport& r) {
            std::lock_guard<std::mutex> lock(mu);
            reports.push_back(r);
        });
        receiver.start();
        receiver.reload();
        receiver.stop();
    }
    err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "") << "the library wrote to stderr although on_error is installed";
    std::lock_guard<std::mutex> lock(mu);
    std::size_t identity = 0, admin = 0;
    for (const auto& r : reports) {
        if (r.kind != ErrorKind::ConfigWarning) continue;
        identity += r.message.find("vendor_identity") != std::string::npos;
        admin += r.message.find("admin") != std::string::npos;
    }
    EXPECT_EQ(identity, 2u) << "once at start, once on reload";
    EXPECT_EQ(admin, 1u);
}

TEST(Warnings, GoToStderrWithoutAHandler) {
    testing::internal::CaptureStderr();
    {
        Receiver receiver(unpinned_options());
        receiver.start();
        receiver.stop();
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("imcb: warning: "), std::string::npos) << err;
    EXPECT_NE(err.find("vendor_identity"), std::string::npos) << err;
}

}  // namespace
}  // namespace imcb::test
