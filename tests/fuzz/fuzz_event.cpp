// libFuzzer target: every event decoder of imcb::KnownEvents (sdk/include/imcb/commands.h).
//
// Input: one byte choosing the event type (its index in KnownEvents, modulo their number), then
// a JSON body. A body the pipeline would refuse before decoding (not JSON, not an object, nested
// deeper than 64) is skipped. Checks: decoding either succeeds or throws DecodeError whose message
// names the command and holds no byte of the body's strings; a decoded event re-encodes (to_json)
// into JSON that decodes again to the same encoding; no key of the body is lost on the way.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "imcb/commands.h"
#include "imcb/receiver.h"
#include "pipeline.h"

namespace {

using imcb::fuzz::escaped;
using imcb::fuzz::printable;
using nlohmann::json;

struct Decoder {
    std::string_view command;
    bool command_in_body;
    json (*round_trip)(const json& body);  ///< decode_event then to_json; throws DecodeError
};

template <class Event>
json round_trip(const json& body) {
    return json(imcb::detail::decode_event<Event>(body));
}

template <class... Events>
constexpr std::array<Decoder, sizeof...(Events)> decoders(imcb::EventList<Events...>) {
    return {Decoder{Events::kCommand, imcb::detail::command_in_body<Events>::value, &round_trip<Events>}...};
}

constexpr auto kDecoders = decoders(imcb::KnownEvents{});

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const Decoder& decoder = kDecoders[data[0] % kDecoders.size()];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    // The pipeline refuses deeper bodies before any decoder runs.
    if (!imcb::detail::nesting_within(text, imcb::detail::kMaxJsonDepth)) return 0;
    const json body = json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return 0;
    const std::string command(decoder.command);

    json first;
    try {
        first = decoder.round_trip(body);
    } catch (const imcb::DecodeError& e) {
        const std::string_view what = e.what();
        IMCB_FUZZ_CHECK(what.substr(0, command.size() + 2) == command + ": ", escaped(what));
        // Messages name fields and types, never values from the body (they reach report lines).
        IMCB_FUZZ_CHECK(printable(what) && what.size() < 2048, escaped(what, 400));
        return 0;
    }

    IMCB_FUZZ_CHECK(first.is_object(), command + ": " + first.dump());
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() == "CallbackCommand" || it->is_null()) continue;
        IMCB_FUZZ_CHECK(first.contains(it.key()), command + ": key \"" + escaped(it.key()) + "\" lost");
    }
    if (decoder.command_in_body) {
        IMCB_FUZZ_CHECK(first.value("CallbackCommand", "") == command, command + ": " + first.dump());
    }

    json second;
    try {
        second = decoder.round_trip(first);
    } catch (const imcb::DecodeError& e) {
        IMCB_FUZZ_CHECK(false, command + ": the encoding does not decode: " + e.what() + "\n  body " +
                                   body.dump() + "\n  encoded " + first.dump());
    }
    IMCB_FUZZ_CHECK(second == first, command + ": encodings differ\n  body " + body.dump() + "\n  first " +
                                         first.dump() + "\n  second " + second.dump());
    return 0;
}
