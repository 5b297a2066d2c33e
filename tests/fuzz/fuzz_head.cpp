// libFuzzer target: the request-head parser (sdk/src/http1.h parse_head).
//
// Input: one byte choosing the head limit (as limits.max_header_bytes would), then the bytes a
// client sends. Checks what HttpEngine relies on: a complete head lies within the input and the
// limits and is found again in any longer input; a refusal has one of the documented statuses;
// "incomplete" only while the input is still within the limits and holds no empty line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http1.h"

using namespace imcb::detail::http1;
using imcb::fuzz::escaped;
using imcb::fuzz::within;

namespace {

bool same_head(const RequestHead& a, const RequestHead& b) {
    return a.method == b.method && a.target == b.target && a.path == b.path &&
           a.minor_version == b.minor_version && a.head_bytes == b.head_bytes &&
           a.content_length_headers == b.content_length_headers && a.content_length == b.content_length &&
           a.transfer_encoding == b.transfer_encoding && a.content_encoding == b.content_encoding &&
           a.expect == b.expect && a.connection_close == b.connection_close &&
           a.connection_keep_alive == b.connection_keep_alive;
}

void check_complete(std::string_view input, const Limits& limits, const RequestHead& h) {
    const std::string_view head = input.substr(0, h.head_bytes);
    IMCB_FUZZ_CHECK(h.head_bytes >= 16 && h.head_bytes <= input.size(), escaped(input));
    IMCB_FUZZ_CHECK(h.head_bytes <= limits.max_head_bytes, std::to_string(h.head_bytes));
    IMCB_FUZZ_CHECK(head.substr(head.size() - 4) == "\r\n\r\n", escaped(head));
    IMCB_FUZZ_CHECK(head.find("\r\n\r\n") == head.size() - 4, escaped(head));
    IMCB_FUZZ_CHECK(!h.method.empty() && within(h.method, head), escaped(head));
    IMCB_FUZZ_CHECK(!h.target.empty() && h.target.front() == '/' && within(h.target, head), escaped(head));
    IMCB_FUZZ_CHECK(h.target.size() <= limits.max_target_bytes, std::to_string(h.target.size()));
    IMCB_FUZZ_CHECK(h.path == h.target.substr(0, h.target.find('?')), escaped(h.target));
    IMCB_FUZZ_CHECK(h.minor_version >= 0 && h.minor_version <= 9, std::to_string(h.minor_version));
    IMCB_FUZZ_CHECK(
        within(h.content_length, head) && within(h.content_encoding, head) && within(h.expect, head),
        escaped(head));
    IMCB_FUZZ_CHECK(h.content_length_headers <= limits.max_headers, std::to_string(h.content_length_headers));
    for (const std::string_view v : {h.content_length, h.content_encoding, h.expect}) {
        IMCB_FUZZ_CHECK(v.find_first_of("\r\n") == std::string_view::npos, escaped(v));
        IMCB_FUZZ_CHECK(v.empty() || (v.front() != ' ' && v.back() != ' '), escaped(v));
    }

    // The head alone parses the same (the parser never looks past the empty line) ...
    RequestHead again;
    const ParseResult alone = parse_head(head, limits, again);
    IMCB_FUZZ_CHECK(alone.outcome == Parse::Complete && same_head(h, again), escaped(head));
    // ... and a strict prefix of it is only ever incomplete: HttpEngine may parse before the
    // last bytes of the head arrived.
    for (const std::size_t cut : {head.size() - 1, head.size() - 2, head.size() / 2}) {
        const ParseResult part = parse_head(head.substr(0, cut), limits, again);
        IMCB_FUZZ_CHECK(part.outcome == Parse::Incomplete,
                        std::to_string(cut) + " bytes: " + part.why + ": " + escaped(head));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // ReceiverOptions::max_header_bytes is 1024 .. 1048576; HttpEngine fixes the others.
    static constexpr std::size_t kHeadLimits[] = {16 * 1024, 1024, 2048, 4096};
    const Limits limits{kHeadLimits[data[0] % 4], 8 * 1024, 100};
    const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

    RequestHead head;
    const ParseResult r = parse_head(input, limits, head);
    switch (r.outcome) {
        case Parse::Complete:
            check_complete(input, limits, head);
            break;
        case Parse::Invalid:
            IMCB_FUZZ_CHECK(r.status == 400 || r.status == 414 || r.status == 431 || r.status == 505,
                            std::to_string(r.status));
            IMCB_FUZZ_CHECK(r.why != nullptr && *r.why != '\0', escaped(input));
            break;
        case Parse::Incomplete:
            // HttpEngine keeps reading only while this holds; past it, the client must get a reply.
            IMCB_FUZZ_CHECK(input.size() <= limits.max_head_bytes,
                            std::to_string(input.size()) + " bytes buffered, limit " +
                                std::to_string(limits.max_head_bytes) + ": " + escaped(input, 80));
            IMCB_FUZZ_CHECK(input.find("\r\n\r\n") == std::string::npos, escaped(input));
            break;
    }
    return 0;
}
