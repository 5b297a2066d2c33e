// cpp-httplib's client as a third, independent TLS client (besides curl and openssl s_client):
// it verifies the server against the development public CA and presents the vendor's certificate.

#include <gtest/gtest.h>

#include <httplib.h>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

TEST(Interop, HttplibClientKeepsAliveAndIsServed) {
    RunningReceiver r(dev_options());
    httplib::SSLClient client("localhost", r.port(), pki("vendor-client.crt"), pki("vendor-client.key"));
    client.set_ca_cert_path(pki("public-ca.crt").c_str());
    client.enable_server_certificate_verification(true);
    client.set_keep_alive(true);
    const std::string body = fixture("State.StateChange.json");
    for (int i = 0; i < 3; ++i) {
        const auto res = client.Post(callback_target("State.StateChange").c_str(), body, "application/json");
        ASSERT_TRUE(res) << httplib::to_string(res.error());
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(nlohmann::json::parse(res->body),
                  nlohmann::json::parse(R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})"));
    }
    EXPECT_EQ(r.handled(), 3);
    EXPECT_EQ(r.receiver().stats().handshakes_completed, 1u);
}

TEST(Interop, HttplibClientWithoutCertificateIsRefused) {
    RunningReceiver r(dev_options());
    httplib::SSLClient client("localhost", r.port());
    client.set_ca_cert_path(pki("public-ca.crt").c_str());
    client.enable_server_certificate_verification(true);
    const auto res = client.Post(callback_target("State.StateChange").c_str(), "{}", "application/json");
    EXPECT_FALSE(res);
    EXPECT_EQ(r.handled(), 0);
}

}  // namespace
}  // namespace imcb::test
