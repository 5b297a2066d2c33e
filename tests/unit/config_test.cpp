// ReceiverOptions from the JSON configuration format (config_from_json / load_config_file).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "imcb/config.h"
#include "imcb/errors.h"
#include "imcb/receiver.h"

namespace {

using imcb::ClientAuth;
using imcb::config_from_json;
using imcb::ConfigError;
using imcb::CrlExpiry;
using imcb::ErrorCode;
using imcb::LoadedConfig;
using imcb::ReceiverOptions;
using imcb::ServerCertMode;
using nlohmann::json;

constexpr const char* kBase = "/etc/x";

/// A complete document with every fixed key, as a user would write it.
json full_doc() {
    return json::parse(R"({
      "_comment": "ignored",
      "listen": "0.0.0.0:9443",
      "path": "/im/callback",
      "sdk_app_id": 1400187352,
      "callback_token": "xxxxyyyy",
      "tls": {
        "mode": "self_provided",
        "self_provided": { "cert": "certs/server.crt", "key": "certs/server.key" },
        "vendor_issued": { "cert": "/opt/vendor/server.crt", "key": "vendor/server.key" },
        "vendor_ca": "TencentQQAuthCA.crt",
        "vendor_identity": {
          "subject_cn": ["im-callback.vendor.dev", "backup.vendor.dev"],
          "spki_sha256": ["5523227462e411d46bb1651c1dd19051f46d5f86ccd363c686b482330e391328"]
        }
      }
    })");
}

/// The document with one JSON-pointer location replaced (or removed when value is discarded).
json with(json doc, const std::string& pointer, const json& value) {
    doc[json::json_pointer(pointer)] = value;
    return doc;
}
json without(json doc, const std::string& pointer) {
    const json::json_pointer p(pointer);
    doc.at(p.parent_pointer()).erase(p.back());
    return doc;
}

struct Caught {
    bool thrown = false;
    ErrorCode code = ErrorCode::InvalidOption;
    std::string message;
};

Caught error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return {true, e.code(), e.what()};
    }
    return {};
}

Caught doc_error(const json& doc) {
    return error_of([&] { (void)config_from_json(doc, kBase); });
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// The document must be refused with InvalidOption and a message naming the key.
void expect_rejected(const json& doc, const std::string& key) {
    const Caught c = doc_error(doc);
    ASSERT_TRUE(c.thrown) << "accepted: " << doc.dump();
    EXPECT_EQ(c.code, ErrorCode::InvalidOption) << c.message;
    EXPECT_TRUE(contains(c.message, "\"" + key + "\"")) << "expected key " << key << " in: " << c.message;
}

/// Like expect_rejected, for a section (object) of the wrong type: the message names the section.
void expect_section_rejected(const json& doc, const std::string& key) {
    const Caught c = doc_error(doc);
    ASSERT_TRUE(c.thrown) << "accepted: " << doc.dump();
    EXPECT_EQ(c.code, ErrorCode::InvalidOption) << c.message;
    EXPECT_TRUE(contains(c.message, "\"" + key + "\"")) << "expected key " << key << " in: " << c.message;
    EXPECT_TRUE(contains(c.message, "object")) << c.message;
}

// ------------------------------------------------------------------ valid documents

TEST(ConfigFromJson, FullDocumentMapsToReceiverOptions) {
    const LoadedConfig cfg = config_from_json(full_doc(), kBase);
    const imcb::ReceiverOptions& o = cfg.options;
    EXPECT_EQ(o.host, "0.0.0.0");
    EXPECT_EQ(o.port, 9443);
    EXPECT_EQ(o.path, "/im/callback");
    EXPECT_EQ(o.sdk_app_id, 1400187352u);
    EXPECT_EQ(o.callback_tokens, std::vector<std::string>{"xxxxyyyy"});
    EXPECT_EQ(o.tls.mode, ServerCertMode::SelfProvided);
    EXPECT_EQ(o.tls.self_provided.cert_chain_file, "/etc/x/certs/server.crt");
    EXPECT_EQ(o.tls.self_provided.private_key_file, "/etc/x/certs/server.key");
    EXPECT_EQ(o.tls.vendor_issued.cert_chain_file, "/opt/vendor/server.crt");
    EXPECT_EQ(o.tls.vendor_issued.private_key_file, "/etc/x/vendor/server.key");
    EXPECT_EQ(o.tls.vendor_ca_files, std::vector<std::string>{"/etc/x/TencentQQAuthCA.crt"});
    EXPECT_EQ(o.tls.vendor_identity.subject_names,
              (std::vector<std::string>{"im-callback.vendor.dev", "backup.vendor.dev"}));
    EXPECT_EQ(o.tls.vendor_identity.spki_sha256,
              (std::vector<std::string>{"5523227462e411d46bb1651c1dd19051f46d5f86ccd363c686b482330e391328"}));
    EXPECT_TRUE(cfg.extra.is_null());
}

TEST(ConfigFromJson, OperationsKeysMapToTheirOptions) {
    json doc = full_doc();
    doc["callback_token"] = {"old-token", "new-token"};
    doc["allow_sources"] = {"203.0.113.0/24", "2001:db8::/32"};
    doc["admin"] = {{"listen", "127.0.0.1:9100"}};
    doc["timeouts"] = {{"shutdown_ms", 2500}};
    doc["tls"]["client_auth"] = "none";
    doc["tls"]["vendor_ca"] = {"old-ca.crt", "new-ca.crt"};
    doc["tls"]["crl"] = {"vendor.crl", "/etc/imcb/root.crl"};
    doc["tls"]["crl_expired"] = "refuse";
    doc["tls"]["ciphers"] = "ECDHE-ECDSA-AES256-GCM-SHA384";
    doc["tls"]["ciphersuites"] = "TLS_AES_256_GCM_SHA384";
    doc["tls"]["watch"] = false;
    doc["tls"]["expiry_warning_days"] = 14;
    const ReceiverOptions o = config_from_json(doc, kBase).options;
    EXPECT_EQ(o.callback_tokens, (std::vector<std::string>{"old-token", "new-token"}));
    EXPECT_EQ(o.allow_sources, (std::vector<std::string>{"203.0.113.0/24", "2001:db8::/32"}));
    EXPECT_EQ(o.admin_listen, "127.0.0.1:9100");
    EXPECT_EQ(o.shutdown_timeout, std::chrono::milliseconds(2500));
    EXPECT_EQ(o.tls.client_auth, ClientAuth::None);
    EXPECT_EQ(o.tls.vendor_ca_files, (std::vector<std::string>{std::string(kBase) + "/old-ca.crt",
                                                               std::string(kBase) + "/new-ca.crt"}));
    EXPECT_EQ(o.tls.crl_files,
              (std::vector<std::string>{std::string(kBase) + "/vendor.crl", "/etc/imcb/root.crl"}));
    EXPECT_EQ(o.tls.crl_expired, CrlExpiry::Refuse);
    EXPECT_EQ(o.tls.ciphers, "ECDHE-ECDSA-AES256-GCM-SHA384");
    EXPECT_EQ(o.tls.ciphersuites, "TLS_AES_256_GCM_SHA384");
    EXPECT_FALSE(o.tls.watch);
    EXPECT_EQ(o.tls.expiry_warning, std::chrono::hours(24 * 14));
}

TEST(ConfigFromJson, BadOperationsValuesNameTheirKey) {
    for (const auto& [pointer, value, key] : std::vector<std::tuple<std::string, json, std::string>>{
             {"/tls/client_auth", "optional", "tls.client_auth"},
             {"/tls/crl_expired", "ignore", "tls.crl_expired"},
             {"/tls/expiry_warning_days", -1, "expiry_warning_days"},
         }) {
        const Caught c = error_of([&] { (void)config_from_json(with(full_doc(), pointer, value), kBase); });
        ASSERT_TRUE(c.thrown) << pointer;
        EXPECT_TRUE(contains(c.message, key)) << c.message;
    }
}

TEST(ConfigFromJson, UnsetOptionalKeysKeepDefaults) {
    json doc = without(without(without(full_doc(), "/listen"), "/path"), "/callback_token");
    doc["tls"].erase("vendor_identity");
    const imcb::ReceiverOptions o = config_from_json(doc, kBase).options;
    const imcb::ReceiverOptions defaults;
    EXPECT_EQ(o.host, "0.0.0.0");
    EXPECT_EQ(o.port, 8443);
    EXPECT_EQ(o.path, "/");
    EXPECT_TRUE(o.callback_tokens.empty());
    EXPECT_TRUE(o.tls.vendor_identity.subject_names.empty());
    EXPECT_TRUE(o.tls.vendor_identity.spki_sha256.empty());
    EXPECT_EQ(o.request_time_window, defaults.request_time_window);
    EXPECT_EQ(o.max_body_bytes, defaults.max_body_bytes);
    EXPECT_EQ(o.before_failure_policy, defaults.before_failure_policy);
}

TEST(ConfigFromJson, SdkAppIdAsNumericString) {
    const LoadedConfig cfg = config_from_json(with(full_doc(), "/sdk_app_id", "1400187352"), kBase);
    EXPECT_EQ(cfg.options.sdk_app_id, 1400187352u);
}

TEST(ConfigFromJson, ListenWithBracketedIpv6) {
    const LoadedConfig cfg = config_from_json(with(full_doc(), "/listen", "[::]:443"), kBase);
    EXPECT_EQ(cfg.options.host, "::");
    EXPECT_EQ(cfg.options.port, 443);
}

TEST(ConfigFromJson, RelativePathsResolveAgainstBaseDirAbsoluteStay) {
    json doc = full_doc();
    doc["tls"]["self_provided"] = {{"cert", "/abs/a.crt"}, {"key", "rel/a.key"}};
    doc["tls"]["vendor_ca"] = "/abs/ca.crt";
    const imcb::TlsOptions tls = config_from_json(doc, kBase).options.tls;
    EXPECT_EQ(tls.self_provided.cert_chain_file, "/abs/a.crt");
    EXPECT_EQ(tls.self_provided.private_key_file, "/etc/x/rel/a.key");
    EXPECT_EQ(tls.vendor_ca_files, std::vector<std::string>{"/abs/ca.crt"});
    // A different base dir moves only the relative ones.
    const imcb::TlsOptions other = config_from_json(doc, "/srv/imcb").options.tls;
    EXPECT_EQ(other.self_provided.cert_chain_file, "/abs/a.crt");
    EXPECT_EQ(other.self_provided.private_key_file, "/srv/imcb/rel/a.key");
}

TEST(ConfigFromJson, ModeSwitchPicksActiveFiles) {
    const imcb::TlsOptions self = config_from_json(full_doc(), kBase).options.tls;
    EXPECT_EQ(self.mode, ServerCertMode::SelfProvided);
    EXPECT_EQ(self.active().cert_chain_file, "/etc/x/certs/server.crt");
    EXPECT_EQ(self.active().private_key_file, "/etc/x/certs/server.key");

    const imcb::TlsOptions vendor =
        config_from_json(with(full_doc(), "/tls/mode", "vendor_issued"), kBase).options.tls;
    EXPECT_EQ(vendor.mode, ServerCertMode::VendorIssued);
    EXPECT_EQ(vendor.active().cert_chain_file, "/opt/vendor/server.crt");
    EXPECT_EQ(vendor.active().private_key_file, "/etc/x/vendor/server.key");
}

TEST(ConfigFromJson, InactiveModeFilesMayBeOmitted) {
    const LoadedConfig self = config_from_json(without(full_doc(), "/tls/vendor_issued"), kBase);
    EXPECT_TRUE(self.options.tls.vendor_issued.cert_chain_file.empty());
    const LoadedConfig vendor = config_from_json(
        without(with(full_doc(), "/tls/mode", "vendor_issued"), "/tls/self_provided"), kBase);
    EXPECT_EQ(vendor.options.tls.active().cert_chain_file, "/opt/vendor/server.crt");
}

TEST(ConfigFromJson, SubjectCnStringIsAOneElementList) {
    const LoadedConfig cfg = config_from_json(
        with(full_doc(), "/tls/vendor_identity/subject_cn", "im-callback.vendor.dev"), kBase);
    EXPECT_EQ(cfg.options.tls.vendor_identity.subject_names,
              std::vector<std::string>{"im-callback.vendor.dev"});
}

TEST(ConfigFromJson, UnderscoreKeysAreIgnoredAtEveryLevel) {
    json doc = full_doc();
    doc["_note"] = {{"anything", 1}};
    doc["tls"]["_why"] = "self-signed for now";
    doc["tls"]["self_provided"]["_expires"] = "2026";
    doc["tls"]["vendor_identity"]["_source"] = "console";
    const LoadedConfig cfg = config_from_json(doc, kBase);
    EXPECT_EQ(cfg.options.sdk_app_id, 1400187352u);
    EXPECT_TRUE(cfg.extra.is_null());
}

TEST(ConfigFromJson, AppSectionIsReturnedInExtra) {
    const json app = {{"demo", true}, {"banned_words", {"spam", "scam"}}};
    const LoadedConfig cfg = config_from_json(with(full_doc(), "/app", app), kBase);
    EXPECT_EQ(cfg.extra, app);
}

// ------------------------------------------------------------------ errors

TEST(ConfigFromJson, MissingSdkAppIdIsAnError) {
    expect_rejected(without(full_doc(), "/sdk_app_id"), "sdk_app_id");
}

TEST(ConfigFromJson, SdkAppIdZeroNegativeOrTextIsAnError) {
    expect_rejected(with(full_doc(), "/sdk_app_id", 0u), "sdk_app_id");
    expect_rejected(json::parse(R"({"sdk_app_id": 0, "tls": {}})"), "sdk_app_id");
    expect_rejected(json::parse(R"({"sdk_app_id": -5, "tls": {}})"), "sdk_app_id");
    expect_rejected(with(full_doc(), "/sdk_app_id", "abc"), "sdk_app_id");
    expect_rejected(with(full_doc(), "/sdk_app_id", "0"), "sdk_app_id");
    expect_rejected(with(full_doc(), "/sdk_app_id", ""), "sdk_app_id");
    expect_rejected(with(full_doc(), "/sdk_app_id", "-1"), "sdk_app_id");
    expect_rejected(with(full_doc(), "/sdk_app_id", 1.5), "sdk_app_id");
}

TEST(ConfigFromJson, BadListenIsAnError) {
    for (const char* listen : {"8443", "host:", "h:70000", ":8443", "h:84a3", "h:-1", "h:123456"}) {
        SCOPED_TRACE(listen);
        expect_rejected(with(full_doc(), "/listen", listen), "listen");
    }
}

TEST(ConfigFromJson, ListenPortBoundsAreInclusive) {
    EXPECT_EQ(config_from_json(with(full_doc(), "/listen", "h:65535"), kBase).options.port, 65535);
    EXPECT_EQ(config_from_json(with(full_doc(), "/listen", "h:0"), kBase).options.port, 0);
    expect_rejected(with(full_doc(), "/listen", "h:65536"), "listen");
}

TEST(ConfigFromJson, UnknownKeysAreErrorsNamingTheKey) {
    expect_rejected(with(full_doc(), "/tls/modee", "self_provided"), "tls.modee");
    expect_rejected(with(full_doc(), "/callback_tokn", "t"), "callback_tokn");
    expect_rejected(with(full_doc(), "/tls/vendor_identity/subject_cnn", "x"),
                    "tls.vendor_identity.subject_cnn");
    expect_rejected(with(full_doc(), "/tls/self_provided/crt", "a.crt"), "tls.self_provided.crt");
}

TEST(ConfigFromJson, MisspelledModeKeyIsReported) {
    // Only the typo, no "mode": the error is about the missing mode, which names the section.
    const json doc = with(without(full_doc(), "/tls/mode"), "/tls/modee", "self_provided");
    const Caught c = doc_error(doc);
    ASSERT_TRUE(c.thrown);
    EXPECT_TRUE(contains(c.message, "tls.mode")) << c.message;
}

TEST(ConfigFromJson, TlsModeMustBeOneOfTwo) {
    expect_rejected(with(full_doc(), "/tls/mode", "both"), "tls.mode");
    expect_rejected(with(full_doc(), "/tls/mode", "Self_Provided"), "tls.mode");
    expect_rejected(without(full_doc(), "/tls/mode"), "tls.mode");
}

TEST(ConfigFromJson, ActiveModeFilesMissingIsAnError) {
    expect_rejected(without(full_doc(), "/tls/self_provided"), "tls.self_provided");
    expect_rejected(without(full_doc(), "/tls/self_provided/key"), "tls.self_provided.key");
    expect_rejected(without(full_doc(), "/tls/self_provided/cert"), "tls.self_provided.cert");
    expect_rejected(without(with(full_doc(), "/tls/mode", "vendor_issued"), "/tls/vendor_issued"),
                    "tls.vendor_issued");
    expect_rejected(without(with(full_doc(), "/tls/mode", "vendor_issued"), "/tls/vendor_issued/cert"),
                    "tls.vendor_issued.cert");
}

TEST(ConfigFromJson, MissingTlsOrVendorCaIsAnError) {
    expect_rejected(without(full_doc(), "/tls"), "tls");
    expect_rejected(without(full_doc(), "/tls/vendor_ca"), "tls.vendor_ca");
}

TEST(ConfigFromJson, WrongTypesAreErrorsNamingTheKey) {
    expect_rejected(with(full_doc(), "/listen", 8443), "listen");
    expect_rejected(with(full_doc(), "/path", json::array({"/"})), "path");
    expect_rejected(with(full_doc(), "/callback_token", 123), "callback_token");
    expect_section_rejected(with(full_doc(), "/tls", "self_provided"), "tls");
    expect_rejected(with(full_doc(), "/tls/vendor_ca", json::array({"a.crt", 7})), "tls.vendor_ca");
    expect_section_rejected(with(full_doc(), "/tls/self_provided", "server.crt"), "tls.self_provided");
    expect_rejected(with(full_doc(), "/tls/self_provided/cert", 1), "tls.self_provided.cert");
    expect_section_rejected(with(full_doc(), "/tls/vendor_identity", json::array()), "tls.vendor_identity");
    expect_rejected(with(full_doc(), "/tls/vendor_identity/subject_cn", 5), "tls.vendor_identity.subject_cn");
    expect_rejected(with(full_doc(), "/tls/vendor_identity/subject_cn", json::array({"a", 5})),
                    "tls.vendor_identity.subject_cn");
    expect_rejected(with(full_doc(), "/tls/vendor_identity/spki_sha256", json::object()),
                    "tls.vendor_identity.spki_sha256");
}

TEST(ConfigFromJson, RootMustBeAnObject) {
    const Caught c = doc_error(json::array());
    ASSERT_TRUE(c.thrown);
    EXPECT_EQ(c.code, ErrorCode::InvalidOption);
    EXPECT_TRUE(contains(c.message, "top level")) << c.message;
}

TEST(ConfigFromJson, PositiveValuesBelowTheMinimumAreRefused) {
    json doc = full_doc();
    doc["timeouts"] = {{"handshake_ms", 50}};
    expect_rejected(doc, "timeouts.handshake_ms");
    doc["timeouts"] = {{"handshake_ms", 100}};
    EXPECT_EQ(config_from_json(doc, kBase).options.handshake_timeout.count(), 100);
}

TEST(ConfigFromJson, BeforeDeadlineIsReadAndBounded) {
    json doc = full_doc();
    EXPECT_EQ(config_from_json(doc, kBase).options.before_deadline.count(), 1500);
    doc["timeouts"] = {{"before_deadline_ms", 800}};
    EXPECT_EQ(config_from_json(doc, kBase).options.before_deadline.count(), 800);
    doc["timeouts"] = {{"before_deadline_ms", 99}};
    expect_rejected(doc, "timeouts.before_deadline_ms");
    doc["timeouts"] = {{"before_deadline_ms", 60001}};
    expect_rejected(doc, "timeouts.before_deadline_ms");
}

TEST(ConfigFromJson, JournalAndDedupKeysMapToReceiverOptions) {
    json doc = full_doc();
    EXPECT_TRUE(config_from_json(doc, kBase).options.journal.dir.empty());
    EXPECT_EQ(config_from_json(doc, kBase).options.dedup.window.count(), 0);
    doc["journal"] = {{"dir", "journal"},
                      {"commands", {"Group.CallbackAfterSendMsg"}},
                      {"max_bytes", 2 << 20},
                      {"max_attempts", 4},
                      {"retry_backoff_ms", 250}};
    doc["dedup"] = json::object();
    const imcb::ReceiverOptions o = config_from_json(doc, kBase).options;
    EXPECT_EQ(o.journal.dir, std::string(kBase) + "/journal");  // relative to the config file
    EXPECT_EQ(o.journal.commands, std::vector<std::string>{"Group.CallbackAfterSendMsg"});
    EXPECT_EQ(o.journal.max_bytes, 2u << 20);
    EXPECT_EQ(o.journal.max_attempts, 4u);
    EXPECT_EQ(o.journal.retry_backoff.count(), 250);
    EXPECT_EQ(o.dedup.window.count(), 600);  // the section alone turns it on
    doc["journal"] = {{"dir", "j"}, {"commands", "before"}};
    expect_rejected(doc, "journal.commands");
    doc["journal"] = {{"dir", "j"}, {"commands", json::array()}};
    expect_rejected(doc, "journal.commands");
    doc["journal"] = {{"commands", "after"}};
    expect_rejected(doc, "journal.dir");
    doc["journal"] = {{"dir", "j"}, {"max_attempts", 0}};
    expect_rejected(doc, "journal.max_attempts");
    doc["journal"] = {{"dir", "j"}, {"retry_ms", 5}};
    expect_rejected(doc, "journal.retry_ms");
    doc.erase("journal");
    doc["dedup"] = {{"window_s", -1}};
    expect_rejected(doc, "dedup.window_s");
}

TEST(ReceiverOptionsCheck, JournalOfABeforeCallbackIsRefusedNamingIt) {
    imcb::ReceiverOptions o;
    o.sdk_app_id = 1400000000;
    o.journal.dir = "/tmp/never-created";
    o.journal.commands = {"C2C.CallbackBeforeSendMsg"};
    const Caught c = error_of([&] { imcb::Receiver r(o); });
    ASSERT_TRUE(c.thrown);
    EXPECT_TRUE(contains(c.message, "C2C.CallbackBeforeSendMsg")) << c.message;
    EXPECT_TRUE(contains(c.message, "before-callback")) << c.message;
}

TEST(ConfigFromJson, ConnectionCapsMapToReceiverOptions) {
    const imcb::ReceiverOptions defaults;
    EXPECT_EQ(defaults.max_handshaking, 1024u);
    EXPECT_EQ(defaults.max_connections_per_ip, 512u);
    EXPECT_EQ(config_from_json(full_doc(), kBase).options.max_handshaking, defaults.max_handshaking);
    json doc = full_doc();
    doc["limits"] = {{"max_handshaking", 64}, {"max_connections_per_ip", 32}};
    const imcb::ReceiverOptions o = config_from_json(doc, kBase).options;
    EXPECT_EQ(o.max_handshaking, 64u);
    EXPECT_EQ(o.max_connections_per_ip, 32u);
    EXPECT_EQ(o.max_connections, defaults.max_connections);
    doc["limits"] = {{"max_handshaking", 0}};
    expect_rejected(doc, "limits.max_handshaking");
    doc["limits"] = {{"max_connections_per_ip", 0}};
    expect_rejected(doc, "limits.max_connections_per_ip");
    doc["limits"] = {{"max_connections_per_ip", "8"}};
    expect_rejected(doc, "limits.max_connections_per_ip");
    doc["limits"] = {{"max_handshaking", 1000001}};
    expect_rejected(doc, "limits.max_handshaking");
}

TEST(ReceiverOptionsCheck, ZeroConnectionCapsAreRefusedNamingTheOption) {
    for (const bool handshaking : {true, false}) {
        imcb::ReceiverOptions o;
        o.sdk_app_id = 1400000000;
        (handshaking ? o.max_handshaking : o.max_connections_per_ip) = 0;
        const Caught c = error_of([&] { imcb::Receiver r(o); });
        ASSERT_TRUE(c.thrown);
        EXPECT_EQ(c.code, ErrorCode::InvalidOption);
        EXPECT_TRUE(contains(c.message, handshaking ? "max_handshaking" : "max_connections_per_ip"))
            << c.message;
    }
}

TEST(ConfigFromJson, SdkAppIdBuiltInCodeAsSignedIntegerIsAccepted) {
    json doc = full_doc();
    doc["sdk_app_id"] = static_cast<int>(1400187352);  // nlohmann stores a C++ int as signed
    EXPECT_EQ(config_from_json(doc, kBase).options.sdk_app_id, 1400187352u);
}

// ------------------------------------------------------------------ load_config_file

class LoadConfigFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/imcb-config-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        for (const auto& f : files_) std::remove(f.c_str());
        if (!dir_.empty()) std::remove(dir_.c_str());
    }
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        files_.push_back(path);
        return path;
    }

    std::string dir_;
    std::vector<std::string> files_;
};

TEST_F(LoadConfigFile, MissingFileNamesThePath) {
    const std::string path = dir_ + "/no-such-config.json";
    const Caught c = error_of([&] { (void)imcb::load_config_file(path); });
    ASSERT_TRUE(c.thrown);
    EXPECT_EQ(c.code, ErrorCode::FileUnreadable);
    EXPECT_TRUE(contains(c.message, path)) << c.message;
}

TEST_F(LoadConfigFile, InvalidJsonNamesThePath) {
    const std::string path = write("broken.json", R"({"sdk_app_id": 1400187352,)");
    const Caught c = error_of([&] { (void)imcb::load_config_file(path); });
    ASSERT_TRUE(c.thrown);
    EXPECT_EQ(c.code, ErrorCode::InvalidOption);
    EXPECT_TRUE(contains(c.message, path)) << c.message;
    EXPECT_TRUE(contains(c.message, "JSON")) << c.message;
}

TEST_F(LoadConfigFile, InvalidJsonGivesThePositionAndNeverQuotesTheText) {
    // A file caught half-written: the token's closing quote is missing.
    const std::string path =
        write("half.json", "{\n  \"sdk_app_id\": 1400187352,\n  \"callback_token\": \"s3cret-token-value");
    const Caught c = error_of([&] { (void)imcb::load_config_file(path); });
    ASSERT_TRUE(c.thrown);
    EXPECT_EQ(c.code, ErrorCode::InvalidOption);
    EXPECT_TRUE(contains(c.message, "line 3")) << c.message;
    EXPECT_FALSE(contains(c.message, "s3cret")) << c.message;
}

TEST_F(LoadConfigFile, RelativePathsResolveAgainstTheFilesFolder) {
    const std::string path = write("imcb.json", full_doc().dump(2));
    const LoadedConfig cfg = imcb::load_config_file(path);
    EXPECT_EQ(cfg.options.sdk_app_id, 1400187352u);
    EXPECT_EQ(cfg.options.tls.self_provided.cert_chain_file, dir_ + "/certs/server.crt");
    EXPECT_EQ(cfg.options.tls.vendor_issued.cert_chain_file, "/opt/vendor/server.crt");
    EXPECT_EQ(cfg.options.tls.vendor_ca_files, std::vector<std::string>{dir_ + "/TencentQQAuthCA.crt"});
}

TEST_F(LoadConfigFile, ContentErrorsStillNameTheKey) {
    const std::string path = write("bad-key.json", without(full_doc(), "/sdk_app_id").dump());
    const Caught c = error_of([&] { (void)imcb::load_config_file(path); });
    ASSERT_TRUE(c.thrown);
    EXPECT_TRUE(contains(c.message, "\"sdk_app_id\"")) << c.message;
}

// ------------------------------------------------------------------ naming and limits

// One set of limits for both ways of giving options, and the error names the option the way it
// was given: the JSON key for a file, the ReceiverOptions field for code.
TEST_F(LoadConfigFile, AnOptionIsNamedByItsKeyFromAFileAndByItsFieldFromCode) {
    const std::string path =
        write("limits.json", with(full_doc(), "/limits/max_connections", 2000000).dump());
    const Caught file = error_of([&] { (void)imcb::load_config_file(path); });
    ASSERT_TRUE(file.thrown);
    EXPECT_TRUE(contains(file.message, "config key \"limits.max_connections\"")) << file.message;
    EXPECT_TRUE(contains(file.message, "between 1 and 1000000")) << file.message;

    ReceiverOptions o = config_from_json(full_doc(), kBase).options;
    o.config_file.clear();        // as if built in code
    o.max_connections = 2000000;  // the same value: refused the same way
    const Caught code = error_of([&] { imcb::Receiver r(o); });
    ASSERT_TRUE(code.thrown);
    EXPECT_TRUE(contains(code.message, "ReceiverOptions::max_connections")) << code.message;
    EXPECT_TRUE(contains(code.message, "between 1 and 1000000")) << code.message;
    EXPECT_FALSE(contains(code.message, "limits.")) << code.message;
}

TEST_F(LoadConfigFile, AFileErrorFoundWhenTheReceiverReadsTheFilesNamesTheKey) {
    const std::string path = write("files.json", full_doc().dump());  // its certificates do not exist
    const LoadedConfig cfg = imcb::load_config_file(path);
    EXPECT_EQ(cfg.options.config_file, path);
    const Caught file = error_of([&] { imcb::Receiver r(cfg.options); });
    ASSERT_TRUE(file.thrown);
    EXPECT_EQ(file.code, ErrorCode::FileUnreadable);
    EXPECT_TRUE(contains(file.message, "config key \"tls.self_provided.cert\"")) << file.message;

    ReceiverOptions code_options = cfg.options;
    code_options.config_file.clear();
    const Caught code = error_of([&] { imcb::Receiver r(code_options); });
    ASSERT_TRUE(code.thrown);
    EXPECT_TRUE(contains(code.message, "ReceiverOptions::tls.self_provided.cert_chain_file")) << code.message;
}

TEST(OptionNames, EveryKeyWithALimitIsChecked) {
    // A value one past each documented maximum, from code, is refused naming its field.
    const auto refused = [](const std::function<void(ReceiverOptions&)>& set, const std::string& field) {
        ReceiverOptions o = config_from_json(full_doc(), kBase).options;
        o.config_file.clear();
        set(o);
        const Caught c = error_of([&] { imcb::Receiver r(o); });
        EXPECT_TRUE(c.thrown) << field;
        EXPECT_TRUE(contains(c.message, "ReceiverOptions::" + field + ":")) << c.message;
    };
    using namespace std::chrono;
    refused([](ReceiverOptions& o) { o.max_body_bytes = (64u << 20) + 1; }, "max_body_bytes");
    refused([](ReceiverOptions& o) { o.max_header_bytes = 512; }, "max_header_bytes");
    refused([](ReceiverOptions& o) { o.max_handshaking = 0; }, "max_handshaking");
    refused([](ReceiverOptions& o) { o.listen_backlog = 65536; }, "listen_backlog");
    refused([](ReceiverOptions& o) { o.max_threads = 5000; }, "max_threads");
    refused([](ReceiverOptions& o) { o.handshake_timeout = hours(1); }, "handshake_timeout");
    refused([](ReceiverOptions& o) { o.request_timeout = milliseconds(99); }, "request_timeout");
    refused([](ReceiverOptions& o) { o.keep_alive_timeout = seconds(0); }, "keep_alive_timeout");
    refused([](ReceiverOptions& o) { o.before_deadline = milliseconds(60001); }, "before_deadline");
    refused([](ReceiverOptions& o) { o.shutdown_timeout = milliseconds(-1); }, "shutdown_timeout");
    refused([](ReceiverOptions& o) { o.request_time_window = seconds(3601); }, "request_time_window");
    refused([](ReceiverOptions& o) { o.tls.session_lifetime = seconds(86401); }, "tls.session_lifetime");
    refused([](ReceiverOptions& o) { o.dedup.window = seconds(604801); }, "dedup.window");
    refused(
        [](ReceiverOptions& o) {
            o.journal.dir = "/tmp/imcb-unused-journal";
            o.journal.max_attempts = 0;
        },
        "journal.max_attempts");
    refused(
        [](ReceiverOptions& o) {
            o.min_threads = 8;
            o.max_threads = 4;
        },
        "min_threads and max_threads");
    refused([](ReceiverOptions& o) { o.max_connections = 0; }, "max_connections");
    refused([](ReceiverOptions& o) { o.max_connections_per_ip = 1000001; }, "max_connections_per_ip");
    refused([](ReceiverOptions& o) { o.keep_alive_max_requests = 0; }, "keep_alive_max_requests");
    refused([](ReceiverOptions& o) { o.tls.expiry_warning = hours(-1); }, "tls.expiry_warning");
    refused([](ReceiverOptions& o) { o.tls.expiry_warning = hours(24 * 3651); }, "tls.expiry_warning");
    refused(
        [](ReceiverOptions& o) {
            o.journal.dir = "/tmp/imcb-unused-journal";
            o.journal.max_bytes = (1u << 20) - 1;
        },
        "journal.max_bytes");
    refused(
        [](ReceiverOptions& o) {
            o.journal.dir = "/tmp/imcb-unused-journal";
            o.journal.retry_backoff = milliseconds(9);
        },
        "journal.retry_backoff");
    refused(
        [](ReceiverOptions& o) {
            o.dedup.window = seconds(60);
            o.dedup.max_entries = 0;
        },
        "dedup.max_entries");

    // Each documented maximum itself is accepted (the Receiver reads its files, binds nothing).
    ReceiverOptions o = config_from_json(full_doc(), kBase).options;
    o.config_file.clear();
    o.max_body_bytes = 64u << 20;
    o.max_header_bytes = 1u << 20;
    o.max_connections = o.max_handshaking = o.max_connections_per_ip = 1000000;
    o.listen_backlog = 65535;
    o.min_threads = o.max_threads = 4096;
    o.handshake_timeout = o.request_timeout = milliseconds(600000);
    o.keep_alive_timeout = seconds(86400);
    o.keep_alive_max_requests = 100000000;
    o.before_deadline = milliseconds(60000);
    o.shutdown_timeout = milliseconds(600000);
    o.request_time_window = seconds(3600);
    o.tls.session_lifetime = seconds(86400);
    o.tls.expiry_warning = hours(24 * 3650);
    o.dedup.window = seconds(604800);
    o.dedup.max_entries = 100000000;
    const Caught at_max = error_of([&] { imcb::Receiver r(o); });
    // Only the certificate files of full_doc() are missing: no limit is refused.
    EXPECT_FALSE(contains(at_max.message, "must be between")) << at_max.message;
}

}  // namespace
