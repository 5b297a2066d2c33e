// Connection caps against peers that never authenticate: handshakes in progress
// (limits.max_handshaking) and connections per peer address (limits.max_connections_per_ip).
// Other loopback addresses (127.0.0.2...) stand for other peers.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

const std::string kState = fixture("State.StateChange.json");
// The first bytes of a TLS ClientHello record, and nothing more.
const std::string kHalfClientHello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);

ClientOptions vendor_from(const std::string& source_ip) {
    ClientOptions o = vendor_client();
    o.source_ip = source_ip;
    return o;
}

bool served(std::uint16_t port, const std::string& source_ip = {}) {
    TlsClient c(port, vendor_from(source_ip));
    if (!c.connect()) return false;
    const auto res = c.post(callback_target("State.StateChange"), kState);
    return res.has_value() && res->status == 200;
}

std::vector<ErrorReport> limit_reports(const RunningReceiver& r) {
    std::vector<ErrorReport> out;
    for (const auto& report : r.reports()) {
        if (report.kind == ErrorKind::ConnectionLimit) out.push_back(report);
    }
    return out;
}

bool has_limit_report(const RunningReceiver& r, const std::string& text) {
    return eventually([&] {
        const auto all = limit_reports(r);
        return std::any_of(all.begin(), all.end(),
                           [&](const ErrorReport& e) { return e.message.find(text) != std::string::npos; });
    });
}

TEST(ConnectionLimits, AFloodOfSilentHandshakesBeyondTheCapLeavesTheVendorServed) {
    ReceiverOptions o = dev_options();
    o.max_handshaking = 20;
    o.handshake_timeout = std::chrono::seconds(60);  // far beyond the test: no timeout helps here
    RunningReceiver r(o);
    TlsClient kept(r.port(), vendor_client());  // the vendor's keep-alive connection, from before
    ASSERT_TRUE(kept.connect());
    ASSERT_TRUE(kept.post(callback_target("State.StateChange"), kState).has_value());

    // Three times the cap, from four addresses, half of them stopping mid-ClientHello.
    constexpr int kFlood = 60;
    std::vector<std::unique_ptr<RawSocket>> flood;
    for (int i = 0; i < kFlood; ++i) {
        flood.push_back(std::make_unique<RawSocket>(r.port(), "127.0.0." + std::to_string(1 + i % 4)));
        ASSERT_TRUE(flood.back()->ok());
        if (i % 2 == 1) flood.back()->send(kHalfClientHello);
    }
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().connections_accepted >= kFlood + 1; }));
    const ReceiverStats during = r.receiver().stats();
    EXPECT_EQ(during.handshaking_connections, 20u);
    EXPECT_EQ(during.handshakes_evicted, static_cast<std::uint64_t>(kFlood - 20));
    EXPECT_EQ(during.connections_refused, 0u);
    EXPECT_TRUE(flood.front()->closed_by_peer(std::chrono::seconds(5)));  // the oldest went first

    // The vendor: its open connection, and new ones (each closes the oldest silent handshake).
    const auto res = kept.post(callback_target("State.StateChange"), kState);
    ASSERT_TRUE(res.has_value()) << kept.error();
    EXPECT_EQ(res->status, 200);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(served(r.port(), "127.0.0." + std::to_string(1 + i % 4)));
    EXPECT_LE(r.receiver().stats().handshaking_connections, 20u);

    // Reported, naming the limit, and not once per connection.
    EXPECT_TRUE(has_limit_report(r, "limits.max_handshaking"));
    EXPECT_LT(limit_reports(r).size(), static_cast<std::size_t>(kFlood - 20));
}

TEST(ConnectionLimits, EstablishedConnectionsDoNotCountAsHandshakes) {
    ReceiverOptions o = dev_options();
    o.max_handshaking = 2;
    RunningReceiver r(o);
    std::vector<std::unique_ptr<TlsClient>> vendor;
    for (int i = 0; i < 6; ++i) {
        vendor.push_back(std::make_unique<TlsClient>(r.port(), vendor_client()));
        ASSERT_TRUE(vendor.back()->connect()) << i << ": " << vendor.back()->error();
        ASSERT_TRUE(vendor.back()->post(callback_target("State.StateChange"), kState).has_value());
    }
    for (auto& c : vendor) {  // all six still open and served
        const auto res = c->post(callback_target("State.StateChange"), kState);
        ASSERT_TRUE(res.has_value()) << c->error();
        EXPECT_EQ(res->status, 200);
    }
    const ReceiverStats s = r.receiver().stats();
    EXPECT_EQ(s.handshakes_evicted, 0u);
    EXPECT_EQ(s.handshaking_connections, 0u);
    EXPECT_EQ(s.open_connections, 6u);
}

TEST(ConnectionLimits, PerAddressCapRefusesAtAcceptAndLeavesOtherAddressesServed) {
    ReceiverOptions o = dev_options();
    o.max_connections_per_ip = 5;
    o.handshake_timeout = std::chrono::seconds(60);
    RunningReceiver r(o);
    std::vector<std::unique_ptr<RawSocket>> silent;
    for (int i = 0; i < 5; ++i) silent.push_back(std::make_unique<RawSocket>(r.port(), "127.0.0.2"));
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 5; }));

    RawSocket sixth(r.port(), "127.0.0.2");
    EXPECT_TRUE(sixth.closed_by_peer(std::chrono::seconds(5)));
    EXPECT_FALSE(TlsClient(r.port(), vendor_from("127.0.0.2")).connect());
    EXPECT_TRUE(eventually([&] { return r.receiver().stats().connections_refused_per_ip >= 2; }));
    EXPECT_TRUE(has_limit_report(r, "limits.max_connections_per_ip"));
    EXPECT_TRUE(has_limit_report(r, "from 127.0.0.2 "));

    EXPECT_TRUE(served(r.port(), "127.0.0.1"));  // another address is not affected
    EXPECT_TRUE(served(r.port(), "127.0.0.3"));

    silent.clear();  // the address's count goes down as its connections close
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 0; }));
    EXPECT_TRUE(served(r.port(), "127.0.0.2"));
}

TEST(ConnectionLimits, PerAddressCapCountsEstablishedConnectionsToo) {
    ReceiverOptions o = dev_options();
    o.max_connections_per_ip = 3;
    RunningReceiver r(o);
    std::vector<std::unique_ptr<TlsClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<TlsClient>(r.port(), vendor_from("127.0.0.3")));
        ASSERT_TRUE(held.back()->connect()) << held.back()->error();
        ASSERT_TRUE(held.back()->post(callback_target("State.StateChange"), kState).has_value());
    }
    EXPECT_FALSE(TlsClient(r.port(), vendor_from("127.0.0.3")).connect());
    EXPECT_GE(r.receiver().stats().connections_refused_per_ip, 1u);
    held.pop_back();
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 2; }));
    EXPECT_TRUE(served(r.port(), "127.0.0.3"));
}

}  // namespace
}  // namespace imcb::test
