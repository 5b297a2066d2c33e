// Certificate dates after the first handshake, over real TLS 1.2 and 1.3 handshakes: a chain that
// passed verification is cached, and a session can be resumed from a ticket, but neither outlives
// any certificate of the chain. The tests make their own chain (root, intermediate that expires
// first, client) and move the TLS layer's clock (tls_clock.h) instead of waiting.

#include <gtest/gtest.h>

#include <cstring>
#include <ctime>

#include "support/receiver_fixture.h"
#include "support/test_pki.h"
#include "support/tls_client.h"
#include "tls_clock.h"

namespace imcb::test {
namespace {

constexpr std::time_t kDay = 24 * 3600;

// Fixes the TLS layer's clock for one scope.
class TlsClockAt {
  public:
    explicit TlsClockAt(std::time_t t) { detail::set_tls_clock_for_testing(t); }
    ~TlsClockAt() { detail::set_tls_clock_for_testing(0); }
    TlsClockAt(const TlsClockAt&) = delete;
    TlsClockAt& operator=(const TlsClockAt&) = delete;
};

// Root (10 years) > client (60 days) > intermediate (30 days), all valid since yesterday; and a
// re-issue of the intermediate (same name, same key) that expired yesterday.
struct DatedChain {
    TempPki files;
    const std::time_t t0 = std::time(nullptr);
    const Issued root = files.ca("imcb Test Vendor CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued sub = files.ca("imcb Test Vendor Sub CA", t0 - kDay, t0 + 30 * kDay, &root);
    const Issued old_sub = files.ca("imcb Test Vendor Sub CA", t0 - 60 * kDay, t0 - kDay, &root, &sub);
    const Issued leaf = files.client("im-callback.vendor.dev", t0 - kDay, t0 + 60 * kDay, sub);
    const std::string root_file = files.write("root", {&root});
    const std::string chain_file = files.write("client", {&leaf, &sub});
    const std::string old_chain_file = files.write("client-old-sub", {&leaf, &old_sub});
    const std::string leaf_only_file = files.write("client-alone", {&leaf});

    ReceiverOptions receiver_options() const {
        ReceiverOptions o = dev_options();
        o.tls.vendor_ca_files = {root_file};
        return o;
    }
    ClientOptions client(int version, const std::string& cert_file, SSL_SESSION* resume = nullptr) const {
        ClientOptions o;
        o.cert = cert_file;
        o.key = files.path("client.key");  // one key: the same leaf in every file
        o.max_version = version;
        o.resume = resume;
        return o;
    }
};

const std::string kBody = fixture("State.StateChange.json");

struct Outcome {
    bool served = false;
    bool resumed = false;
    SSL_SESSION* session = nullptr;  ///< the session to resume next (owned by the caller)
};

Outcome attempt(std::uint16_t port, const ClientOptions& options) {
    Outcome out;
    TlsClient c(port, options);
    if (!c.connect()) return out;
    out.resumed = c.session_reused();
    const auto res = c.post(callback_target("State.StateChange"), kBody);
    out.served = res.has_value() && res->status == 200;
    if (out.served) out.session = c.take_session();  // a TLS 1.3 ticket arrives with the reply
    return out;
}

// One callback on a new connection; the session it leaves is not kept.
bool served_once(std::uint16_t port, const ClientOptions& options) {
    const Outcome o = attempt(port, options);
    SSL_SESSION_free(o.session);
    return o.served;
}

// A new session, from a full handshake at the real time.
SSL_SESSION* first_session(std::uint16_t port, const ClientOptions& options) {
    const Outcome o = attempt(port, options);
    EXPECT_TRUE(o.served);
    EXPECT_FALSE(o.resumed);
    return o.session;
}

std::string ticket_of(const SSL_SESSION* s) {
    const unsigned char* tick = nullptr;
    size_t len = 0;
    SSL_SESSION_get0_ticket(s, &tick, &len);
    return std::string(reinterpret_cast<const char*>(tick), len);
}

std::string version_name(const ::testing::TestParamInfo<int>& p) {
    return p.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
}

class TlsDates : public ::testing::TestWithParam<int> {
  protected:
    DatedChain pki;
};

TEST_P(TlsDates, ACachedChainIsVerifiedAgainOnceOneOfItsCertificatesExpired) {
    RunningReceiver r(pki.receiver_options());
    ASSERT_TRUE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)));
    ASSERT_TRUE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)));
    const auto hits = r.receiver().stats().chain_cache_hits;
    ASSERT_GE(hits, 1u);  // the chain is cached
    {
        TlsClockAt later(pki.t0 + 10 * kDay);  // everything still valid: the cache still serves
        EXPECT_TRUE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)));
        EXPECT_EQ(r.receiver().stats().chain_cache_hits, hits + 1);
    }
    for (const std::time_t when : {pki.t0 + 45 * kDay, pki.t0 + 90 * kDay}) {  // intermediate, then all
        TlsClockAt later(when);
        EXPECT_FALSE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)))
            << "days: " << (when - pki.t0) / kDay;
    }
    EXPECT_EQ(r.receiver().stats().chain_cache_hits, hits + 1);
    ASSERT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
    bool expired = false;
    for (const auto& rep : r.reports()) expired |= rep.message.find("expired") != std::string::npos;
    EXPECT_TRUE(expired);
    EXPECT_EQ(r.handled(), 3);
}

TEST_P(TlsDates, TheSameLeafWithADifferentChainIsVerifiedAgain) {
    RunningReceiver r(pki.receiver_options());
    ASSERT_TRUE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)));
    ASSERT_TRUE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)));
    ASSERT_GE(r.receiver().stats().chain_cache_hits, 1u);
    // The same client certificate, now sent with an expired re-issue of its intermediate (same
    // name, same key), then alone: a full verification refuses both.
    EXPECT_FALSE(served_once(r.port(), pki.client(GetParam(), pki.old_chain_file)));
    EXPECT_FALSE(served_once(r.port(), pki.client(GetParam(), pki.leaf_only_file)));
    EXPECT_EQ(r.handled(), 2);
    EXPECT_TRUE(served_once(r.port(), pki.client(GetParam(), pki.chain_file)));
}

TEST_P(TlsDates, ASessionIsNotResumedOnceOneOfItsCertificatesExpired) {
    RunningReceiver r(pki.receiver_options());
    SSL_SESSION* session = first_session(r.port(), pki.client(GetParam(), pki.chain_file));
    ASSERT_NE(session, nullptr);
    {
        TlsClockAt later(pki.t0 + 10 * kDay);  // everything still valid: resumed
        const Outcome o = attempt(r.port(), pki.client(GetParam(), pki.chain_file, session));
        EXPECT_TRUE(o.served);
        EXPECT_TRUE(o.resumed);
        SSL_SESSION_free(o.session);
    }
    // The intermediate expired (the client's certificate has not), then everything; and a clock
    // before the client certificate's start. Each time no resumption, and the full handshake
    // that replaces it refuses the chain.
    for (const std::time_t when : {pki.t0 + 45 * kDay, pki.t0 + 90 * kDay, pki.t0 - 2 * kDay}) {
        TlsClockAt at(when);
        const Outcome o = attempt(r.port(), pki.client(GetParam(), pki.chain_file, session));
        EXPECT_FALSE(o.resumed) << "days: " << (when - pki.t0) / kDay;
        EXPECT_FALSE(o.served) << "days: " << (when - pki.t0) / kDay;
        SSL_SESSION_free(o.session);
    }
    SSL_SESSION_free(session);
    EXPECT_EQ(r.receiver().stats().handshakes_resumed, 1u);
    EXPECT_EQ(r.handled(), 2);
}

// A client that keeps resuming gets a new ticket each time (TLS 1.3); the new ticket must keep
// the bound of the chain verified at the full handshake, which the resumed connection no longer
// has (its intermediates are not part of a session).
TEST_P(TlsDates, ARenewedTicketDoesNotOutliveTheIntermediate) {
    RunningReceiver r(pki.receiver_options());
    SSL_SESSION* first = first_session(r.port(), pki.client(GetParam(), pki.chain_file));
    ASSERT_NE(first, nullptr);
    const Outcome again = attempt(r.port(), pki.client(GetParam(), pki.chain_file, first));
    ASSERT_TRUE(again.served);
    ASSERT_TRUE(again.resumed);
    ASSERT_NE(again.session, nullptr);
    if (GetParam() == TLS1_3_VERSION) {
        ASSERT_NE(ticket_of(again.session), ticket_of(first));  // renewed on the resumed connection
    }
    {
        TlsClockAt later(pki.t0 + 10 * kDay);
        const Outcome o = attempt(r.port(), pki.client(GetParam(), pki.chain_file, again.session));
        EXPECT_TRUE(o.resumed);
        SSL_SESSION_free(o.session);
    }
    {
        TlsClockAt later(pki.t0 + 45 * kDay);  // the intermediate has expired, the leaf has not
        const Outcome o = attempt(r.port(), pki.client(GetParam(), pki.chain_file, again.session));
        EXPECT_FALSE(o.resumed);
        EXPECT_FALSE(o.served);
        SSL_SESSION_free(o.session);
    }
    SSL_SESSION_free(again.session);
    SSL_SESSION_free(first);
    EXPECT_EQ(r.handled(), 3);
}

INSTANTIATE_TEST_SUITE_P(Tls, TlsDates, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), version_name);

}  // namespace
}  // namespace imcb::test
