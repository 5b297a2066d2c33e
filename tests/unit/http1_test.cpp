// The strict request-head parser: what it accepts, and that anything ambiguous is refused.

#include <gtest/gtest.h>

#include <string>

#include "http1.h"

namespace imcb::detail::http1 {
namespace {

ParseResult parse(const std::string& text, RequestHead& head, Limits limits = {}) {
    return parse_head(text, limits, head);
}

TEST(Http1, ParsesARequestHead) {
    RequestHead h;
    const std::string text =
        "POST /cb?SdkAppid=1&x=y HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n"
        "content-encoding: identity\r\nConnection: Keep-Alive, Upgrade\r\n\r\n{\"body\":1}";
    const auto r = parse(text, h);
    ASSERT_EQ(r.outcome, Parse::Complete) << r.why;
    EXPECT_EQ(h.method, "POST");
    EXPECT_EQ(h.target, "/cb?SdkAppid=1&x=y");
    EXPECT_EQ(h.path, "/cb");
    EXPECT_EQ(h.minor_version, 1);
    EXPECT_EQ(h.content_length_headers, 1u);
    EXPECT_EQ(h.content_length, "12");
    EXPECT_EQ(h.content_encoding, "identity");
    EXPECT_TRUE(h.connection_keep_alive);
    EXPECT_TRUE(h.keep_alive());
    EXPECT_EQ(h.head_bytes, text.find("{"));
}

TEST(Http1, EveryPrefixOfAValidHeadIsIncomplete) {
    const std::string text = "POST / HTTP/1.1\r\nContent-Length: 2\r\nX: y\r\n\r\n";
    for (std::size_t n = 0; n < text.size(); ++n) {
        RequestHead h;
        EXPECT_EQ(parse(text.substr(0, n), h).outcome, Parse::Incomplete) << n;
    }
}

TEST(Http1, KeepAliveFollowsTheVersionAndConnectionHeader) {
    RequestHead h;
    ASSERT_EQ(parse("POST / HTTP/1.0\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_FALSE(h.keep_alive());
    ASSERT_EQ(parse("POST / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_TRUE(h.keep_alive());
    ASSERT_EQ(parse("POST / HTTP/1.1\r\nConnection: close\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_FALSE(h.keep_alive());
}

TEST(Http1, RefusesWhatCouldBeReadTwoWays) {
    struct Case {
        std::string text;
        int status;
    };
    const Case cases[] = {
        {"POST / HTTP/1.1\nHost: a\r\n\r\n", 400},  // bare LF
        {"POST / HTTP/1.1\r\nHost: a\n\r\n", 400},  // bare LF in a header line
        {"POST / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost : a\r\n\r\n", 400},  // space before the colon
        {"POST / HTTP/1.1\r\n: a\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nX: a\x01\r\n\r\n", 400},  // control character in a value
        {"POST  / HTTP/1.1\r\n\r\n", 400},
        {"POST / HTTP/1.1 extra\r\n\r\n", 400},
        {"POST http://h/ HTTP/1.1\r\n\r\n", 400},  // absolute form
        {"OPTIONS * HTTP/1.1\r\n\r\n", 400},
        {"PO(ST / HTTP/1.1\r\n\r\n", 400},
        {"POST / HTTP/1.x\r\n\r\n", 400},
        {"POST / HTTP/2.0\r\n\r\n", 505},
        {"POST /\x7f HTTP/1.1\r\n\r\n", 400},
    };
    for (const auto& c : cases) {
        RequestHead h;
        const auto r = parse(c.text, h);
        EXPECT_EQ(r.outcome, Parse::Invalid) << c.text;
        EXPECT_EQ(r.status, c.status) << c.text;
    }
}

TEST(Http1, EnforcesItsLimits) {
    Limits limits;
    limits.max_head_bytes = 200;
    limits.max_target_bytes = 50;
    limits.max_headers = 3;
    RequestHead h;
    EXPECT_EQ(parse("POST /" + std::string(60, 'a') + " HTTP/1.1\r\n\r\n", h, limits).status, 414);
    EXPECT_EQ(parse("POST /" + std::string(100, 'a'), h, limits).status, 414);  // still unfinished
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", h, limits).status, 431);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nA: " + std::string(300, 'x'), h, limits).status, 431);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", h, limits).outcome, Parse::Complete);
}

// max_header_bytes may be as small as 1 KiB while targets may have 8 KiB: an unfinished request
// line past the head limit is refused at once, not read on until the buffer is full (which closed
// the connection without a reply).
TEST(Http1, AnUnfinishedRequestLinePastTheHeadLimitIsRefused) {
    const Limits limits{1024, 8 * 1024, 100};
    RequestHead h;
    const auto r = parse("POST /" + std::string(2000, 'a'), h, limits);
    EXPECT_EQ(r.outcome, Parse::Invalid);
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(parse("POST /" + std::string(1000, 'a'), h, limits).outcome, Parse::Incomplete);
    EXPECT_EQ(parse("POST /" + std::string(2000, 'a') + " HTTP/1.1\r\n", h, limits).status, 431);
}

TEST(Http1, CountsContentLengthHeaders) {
    RequestHead h;
    ASSERT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n", h).outcome,
              Parse::Complete);
    EXPECT_EQ(h.content_length_headers, 2u);
    ASSERT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_TRUE(h.transfer_encoding);
}

TEST(Http1, CountsHostHeaders) {
    RequestHead h;
    ASSERT_EQ(parse("POST / HTTP/1.1\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_EQ(h.host_headers, 0u);
    ASSERT_EQ(parse("POST / HTTP/1.1\r\nhost: a\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_EQ(h.host_headers, 1u);
    ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_EQ(h.host_headers, 2u);
    ASSERT_EQ(parse("POST / HTTP/1.1\r\nX-Host: a\r\n\r\n", h).outcome, Parse::Complete);
    EXPECT_EQ(h.host_headers, 0u);
}

TEST(Http1, DecodesPaths) {
    std::string out;
    EXPECT_TRUE(decode_path("/im%63allback", out));
    EXPECT_EQ(out, "/imcallback");
    EXPECT_TRUE(decode_path("/a+b", out));
    EXPECT_EQ(out, "/a+b");
    EXPECT_FALSE(decode_path("/a%2", out));
    EXPECT_FALSE(decode_path("/a%zz", out));
}

}  // namespace
}  // namespace imcb::detail::http1
