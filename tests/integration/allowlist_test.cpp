// allow_sources over real TLS clients: peers from 127.0.0.1 and 127.0.0.2 (both loopback), one of
// them outside the allowlist. A refused peer is closed at accept, before any TLS work, counted and
// reported, and never served; a reload of the allowlist applies to new connections.

#include <gtest/gtest.h>

#include <algorithm>

#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

const std::string kBody = fixture("State.StateChange.json");

ClientOptions from(const std::string& ip) {
    ClientOptions o = vendor_client();
    o.source_ip = ip;
    return o;
}

// A whole callback on a new connection; false when the connection or the handshake is refused.
bool served(std::uint16_t port, const std::string& ip) {
    TlsClient c(port, from(ip));
    if (!c.connect()) return false;
    const auto res = c.post(callback_target("State.StateChange"), kBody);
    return res.has_value() && res->status == 200;
}

ReceiverOptions allowing(std::vector<std::string> sources) {
    ReceiverOptions o = dev_options();
    o.allow_sources = std::move(sources);
    return o;
}

TEST(Allowlist, APeerOutsideTheListIsClosedAtAcceptAndNeverServed) {
    RunningReceiver r(allowing({"127.0.0.2/32"}));
    EXPECT_FALSE(served(r.port(), "127.0.0.1"));
    EXPECT_TRUE(served(r.port(), "127.0.0.2"));
    EXPECT_EQ(r.handled(), 1);
    const ReceiverStats s = r.receiver().stats();
    EXPECT_EQ(s.connections_accepted, 1u);  // the refused one was never accepted
    EXPECT_EQ(s.handshakes_failed, 0u);     // and never reached TLS
    ASSERT_TRUE(r.has_report(ErrorKind::SourceRefused));
    const auto all = r.reports();
    const auto it = std::find_if(all.begin(), all.end(),
                                 [](const ErrorReport& e) { return e.kind == ErrorKind::SourceRefused; });
    EXPECT_EQ(it->remote_addr.rfind("127.0.0.1:", 0), 0u) << it->remote_addr;
    EXPECT_NE(it->message.find("allow_sources"), std::string::npos) << it->message;
}

TEST(Allowlist, AConnectionFromOutsideIsClosedWithoutBeingAccepted) {
    RunningReceiver r(allowing({"127.0.0.2/32"}));
    RawSocket raw(r.port(), "127.0.0.1");
    ASSERT_TRUE(raw.ok());
    // Nothing sent: an accepted peer would wait for its ClientHello until handshake_ms.
    EXPECT_TRUE(raw.closed_by_peer(std::chrono::seconds(5)));
    EXPECT_EQ(r.receiver().stats().connections_accepted, 0u);
}

TEST(Allowlist, ReportsOfAFloodAreRateLimited) {
    RunningReceiver r(allowing({"127.0.0.2/32"}));
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(served(r.port(), "127.0.0.1"));
    ASSERT_TRUE(r.has_report(ErrorKind::SourceRefused));
    EXPECT_LT(r.report_count(ErrorKind::SourceRefused), 20u);
    EXPECT_EQ(r.handled(), 0);
}

TEST(Allowlist, RangesAndBothFamiliesOfEntries) {
    RunningReceiver r(allowing({"2001:db8::/32", "127.0.0.0/31"}));  // 127.0.0.0 and 127.0.0.1
    EXPECT_TRUE(served(r.port(), "127.0.0.1"));
    EXPECT_FALSE(served(r.port(), "127.0.0.2"));
}

TEST(Allowlist, AReloadAppliesToNewConnectionsAndKeepsOpenOnes) {
    RunningReceiver r(allowing({"127.0.0.2/32"}));
    TlsClient open(r.port(), from("127.0.0.2"));
    ASSERT_TRUE(open.connect());
    ASSERT_EQ(open.post(callback_target("State.StateChange"), kBody)->status, 200);

    ReceiverOptions next = r.receiver().options();
    next.allow_sources = {"127.0.0.1"};
    r.receiver().reload(next);
    EXPECT_TRUE(served(r.port(), "127.0.0.1"));
    EXPECT_FALSE(served(r.port(), "127.0.0.2"));
    // The allowlist is checked at accept: a connection accepted before stays served.
    const auto again = open.post(callback_target("State.StateChange"), kBody);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(r.receiver().options().allow_sources, std::vector<std::string>{"127.0.0.1"});

    next.allow_sources = {};  // empty: every address
    r.receiver().reload(next);
    EXPECT_TRUE(served(r.port(), "127.0.0.2"));
}

TEST(Allowlist, ABadEntryIsRefusedAtStartAndAtReloadKeepingTheListInForce) {
    try {
        Receiver bad(allowing({"127.0.0.2/32", "10.0.0.0/40"}));
        FAIL() << "a bad allow_sources entry was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("allow_sources"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("10.0.0.0/40"), std::string::npos) << e.what();
    }
    RunningReceiver r(allowing({"127.0.0.2/32"}));
    ReceiverOptions next = r.receiver().options();
    next.allow_sources = {"127.0.0.1", "localhost"};
    EXPECT_THROW(r.receiver().reload(next), ConfigError);
    EXPECT_FALSE(served(r.port(), "127.0.0.1"));
    EXPECT_TRUE(served(r.port(), "127.0.0.2"));
    EXPECT_EQ(r.receiver().options().allow_sources, std::vector<std::string>{"127.0.0.2/32"});
}

}  // namespace
}  // namespace imcb::test
