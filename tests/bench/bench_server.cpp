// imcb-bench-server: the receiver doing its full work for the benchmark: query checks with Sign,
// JSON parse, typed decode of C2C.CallbackBeforeSendMsg, a trivial handler, the reply.
//
//   imcb-bench-server --port P --cert C --key K --ca CA [--token T] [--min-threads N] [--journal DIR]
//
// With --journal, after-callbacks (Group.CallbackAfterSendMsg has a trivial handler) are made
// durable before their 200 and handled from the journal.
//
// Prints "listening PORT" when ready; stops on SIGINT/SIGTERM.

#include <signal.h>

#include <cstdio>
#include <string>

#include <imcb/imcb.h>

int main(int argc, char** argv) {
    imcb::ReceiverOptions o;
    o.sdk_app_id = 888888;
    o.tls.vendor_identity.subject_names = {"im-callback.vendor.dev"};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const std::string v = argv[i + 1];
        if (a == "--port")
            o.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (a == "--cert")
            o.tls.self_provided.cert_chain_file = v;
        else if (a == "--key")
            o.tls.self_provided.private_key_file = v;
        else if (a == "--ca")
            o.tls.vendor_ca_files = {v};
        else if (a == "--token")
            o.callback_tokens = {v};
        else if (a == "--min-threads")
            o.min_threads = std::stoul(v);
        else if (a == "--journal")
            o.journal.dir = v;
        else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    try {
        imcb::Receiver receiver(o);
        receiver.on<imcb::C2CBeforeSendMsg>(
            [](const imcb::C2CBeforeSendMsg& m, const imcb::CallbackContext&) {
                using Reply = imcb::C2CBeforeSendMsg::Reply;
                return m.msg_body.empty() ? Reply::deny() : Reply::allow();
            });
        receiver.on<imcb::GroupAfterSendMsg>(
            [](const imcb::GroupAfterSendMsg&, const imcb::CallbackContext&) {});
        std::printf("listening %u\n", receiver.start());
        std::fflush(stdout);
        int sig = 0;
        sigwait(&stop, &sig);
        receiver.stop();
        const auto s = receiver.stats();
        std::fprintf(
            stderr, "requests %llu rejected %llu handshakes %llu resumed %llu failed %llu journaled %llu\n",
            static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.requests_rejected),
            static_cast<unsigned long long>(s.handshakes_completed),
            static_cast<unsigned long long>(s.handshakes_resumed),
            static_cast<unsigned long long>(s.handshakes_failed),
            static_cast<unsigned long long>(s.journal_appended));
    } catch (const imcb::Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
