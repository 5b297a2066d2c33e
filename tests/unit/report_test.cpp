// Report lines: whatever bytes a request carries (the percent-decoded CallbackCommand or
// SdkAppid, a header value), an ErrorReport holds no control character and no malformed UTF-8,
// so a request cannot forge or break a log line.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline.h"
#include "query.h"
#include "registry.h"
#include "runtime.h"

namespace imcb::detail {
namespace {

struct Reports {
    Reporter reporter;
    std::vector<ErrorReport> seen;
    Reports() {
        reporter.set_handler([this](const ErrorReport& r) { seen.push_back(r); });
    }
};

TEST(Reporter, EscapesControlCharactersAndMalformedUtf8) {
    Reports r;
    r.reporter.report(ErrorKind::BadRequest, "bad\r\nimcb: forged line \x1b[31m", "A.B\n\xba\\",
                      "127.0.0.1:1");
    ASSERT_EQ(r.seen.size(), 1u);
    EXPECT_EQ(r.seen[0].message, "bad\\r\\nimcb: forged line \\x1b[31m");
    EXPECT_EQ(r.seen[0].command, "A.B\\n\\xba\\");
    EXPECT_EQ(r.seen[0].remote_addr, "127.0.0.1:1");
}

TEST(Reporter, KeepsPrintableTextAsItIs) {
    Reports r;
    const std::string message = "SdkAppid 1 is not this receiver's application (ask \"ops\")";
    r.reporter.report(ErrorKind::Unauthorized, message, "C2C.CallbackBeforeSendMsg", "[::1]:443");
    ASSERT_EQ(r.seen.size(), 1u);
    EXPECT_EQ(r.seen[0].message, message);
    EXPECT_EQ(r.seen[0].command, "C2C.CallbackBeforeSendMsg");
    EXPECT_EQ(r.seen[0].remote_addr, "[::1]:443");
}

struct PipelineReports : Reports {
    ReceiverOptions options;
    Registry registry;
    Counters counters;
    std::shared_ptr<const PeerIdentity> peer;  // a vendor that presented a client certificate
    std::string remote = "127.0.0.1:1";

    PipelineReports() {
        options.sdk_app_id = 888888;
        PeerIdentity vendor;
        vendor.sha256_fingerprint = std::string(64, 'a');
        peer = std::make_shared<const PeerIdentity>(vendor);
    }
    Response handle(const std::string& target) {
        const Pipeline pipeline(options, registry, reporter, counters);
        const QueryParams params = parse_query_string(target);
        return pipeline.handle(InboundRequest{params, "{}", peer, remote});
    }
};

TEST(Reporter, AnUnknownCommandFromTheUrlIsReportedEscaped) {
    PipelineReports p;
    EXPECT_EQ(p.handle("/?SdkAppid=888888&CallbackCommand=No.Such%0Aimcb:+forged%1B%FF").status, 200);
    ASSERT_EQ(p.seen.size(), 1u);
    EXPECT_EQ(p.seen[0].kind, ErrorKind::UnknownCommand);
    EXPECT_EQ(p.seen[0].command, "No.Such\\nimcb: forged\\x1b\\xff");
}

TEST(Reporter, AForeignSdkAppidIsReportedEscaped) {
    PipelineReports p;
    EXPECT_EQ(p.handle("/?SdkAppid=1%0D%0Aimcb:+forged&CallbackCommand=State.StateChange").status, 403);
    ASSERT_EQ(p.seen.size(), 1u);
    EXPECT_EQ(p.seen[0].message, "SdkAppid 1\\r\\nimcb: forged is not this receiver's application");
}

}  // namespace
}  // namespace imcb::detail
