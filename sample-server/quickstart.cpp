// The README quickstart, built so that it keeps compiling.

#include <cstdio>

#include <imcb/imcb.h>

int main() {
    imcb::ReceiverOptions options;
    options.host = "0.0.0.0";
    options.port = 8443;
    options.path = "/imcallback";
    options.sdk_app_id = 1400187352;                   // your SDKAppID
    options.callback_tokens = {"token-from-console"};  // optional: then Sign/RequestTime are required
    options.tls.mode = imcb::ServerCertMode::SelfProvided;
    options.tls.self_provided = {"/etc/imcb/www.example.com.crt", "/etc/imcb/www.example.com.key"};
    options.tls.vendor_ca_files = {"/etc/imcb/TencentQQAuthCA.crt"};
    options.tls.vendor_identity.subject_names = {"<CN of the vendor's client certificate>"};

    try {
        imcb::Receiver receiver(options);  // checks every file; the error says what to fix

        receiver.on<imcb::C2CBeforeSendMsg>(
            [](const imcb::C2CBeforeSendMsg& msg, const imcb::CallbackContext&) {
                for (const auto& element : msg.msg_body) {
                    if (element.text().find("spam") != std::string::npos) {
                        return imcb::C2CBeforeSendMsg::Reply::deny(120001, "no spam, " + msg.from_account);
                    }
                }
                return imcb::C2CBeforeSendMsg::Reply::allow();
            });
        receiver.on<imcb::GroupAfterSendMsg>(
            [](const imcb::GroupAfterSendMsg& msg, const imcb::CallbackContext& ctx) {
                // Runs on a worker thread: store msg.group_id, msg.msg_seq, ctx.peer_identity() ...
                (void)msg;
                (void)ctx;
            });
        receiver.on_error([](const imcb::ErrorReport& report) {
            std::fprintf(stderr, "callback problem: %s: %s\n", imcb::to_string(report.kind),
                         report.message.c_str());
        });

        // Serves on background threads until SIGINT or SIGTERM; SIGHUP reloads the certificates.
        receiver.run_until_signal();  // throws if the port is taken
    } catch (const imcb::ConfigError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
