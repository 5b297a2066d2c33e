// A consumer of the installed (or add_subdirectory'd) SDK: registers a typed handler for every
// known command, which instantiates every public template against the library, then serves the
// development PKI on 127.0.0.1 until one State.StateChange has been handled.
//   consumer-smoke CERTS_DIR    prints "port N", exits 0 after the callback (1 after 60 s)

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

#include <imcb/imcb.h>

namespace {

template <class Event>
void register_typed(imcb::Receiver& receiver) {
    if constexpr (Event::kPhase == imcb::Phase::Before) {
        receiver.on<Event>([](const Event&, const imcb::CallbackContext&) {
            if constexpr (Event::kRules.has_friend_results) {
                return imcb::Reply<Event>::friend_results({});
            } else if constexpr (Event::kRules.has_rsp_data) {
                return imcb::Reply<Event>::respond("");
            } else {
                return imcb::Reply<Event>::allow();
            }
        });
    } else {
        receiver.on<Event>([](const Event&, const imcb::CallbackContext&) {});
    }
}

template <class... Events>
void register_all(imcb::Receiver& receiver, imcb::EventList<Events...>) {
    (register_typed<Events>(receiver), ...);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer-smoke CERTS_DIR\n");
        return 2;
    }
    const std::string certs = argv[1];
    imcb::ReceiverOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.path = "/imcallback";
    options.sdk_app_id = 1400000000;
    options.tls.mode = imcb::ServerCertMode::SelfProvided;
    options.tls.self_provided = {certs + "/server-self.crt", certs + "/server-self.key"};
    options.tls.vendor_ca_files = {certs + "/vendor-ca.crt"};
    options.tls.vendor_identity.subject_names = {"im-callback.vendor.dev"};

    std::mutex mu;
    std::condition_variable cv;
    std::string user;
    try {
        imcb::Receiver receiver(options);
        register_all(receiver, imcb::KnownEvents{});
        receiver.on<imcb::StateChange>([&](const imcb::StateChange& event, const imcb::CallbackContext& ctx) {
            std::lock_guard<std::mutex> lock(mu);
            user = event.info.to_account + " from " + ctx.peer_identity().common_name;
            cv.notify_all();
        });
        receiver.on_error([](const imcb::ErrorReport& r) {
            std::fprintf(stderr, "report: %s: %s\n", imcb::to_string(r.kind), r.message.c_str());
        });
        std::printf("port %u\n", receiver.start());
        std::fflush(stdout);
        std::unique_lock<std::mutex> lock(mu);
        if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return !user.empty(); })) {
            std::fprintf(stderr, "consumer-smoke: no State.StateChange within 60 s\n");
            return 1;
        }
        std::printf("handled State.StateChange of %s\n", user.c_str());
        return 0;
    } catch (const imcb::Error& e) {
        std::fprintf(stderr, "consumer-smoke: %s\n", e.what());
        return 1;
    }
}
