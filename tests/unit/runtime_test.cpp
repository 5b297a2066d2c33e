// The reporter's safety net: text from the network never reaches a report with raw control
// characters or malformed UTF-8, and floods of one kind of report are throttled.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime.h"

namespace imcb::detail {
namespace {

TEST(EscapeControl, PrintableAsciiAndWellFormedUtf8StayAsTheyAre) {
    EXPECT_EQ(escape_control("C2C.CallbackBeforeSendMsg [peer 1.2.3.4:5] \"quoted\" \\n"),
              "C2C.CallbackBeforeSendMsg [peer 1.2.3.4:5] \"quoted\" \\n");
    EXPECT_EQ(escape_control("\xe7\xbe\xa4\xe7\xbb\x84 caf\xc3\xa9 \xf0\x9f\x98\x80"),
              "\xe7\xbe\xa4\xe7\xbb\x84 caf\xc3\xa9 \xf0\x9f\x98\x80");
    EXPECT_EQ(escape_control(""), "");
}

TEST(EscapeControl, ControlCharactersAreEscaped) {
    EXPECT_EQ(escape_control("a\x1b[31mred"), "a\\x1b[31mred");
    EXPECT_EQ(escape_control("line\r\nforged: yes\t."), "line\\r\\nforged: yes\\t.");
    EXPECT_EQ(escape_control(std::string("nul\0byte", 8)), "nul\\x00byte");
    EXPECT_EQ(escape_control("del\x7f"), "del\\x7f");
    EXPECT_EQ(escape_control("bell\x07"), "bell\\x07");
    // C1 controls (U+0080..U+009F), well-formed but read as CSI and the like by terminals.
    EXPECT_EQ(escape_control("csi\xc2\x9b"
                             "31m"),
              "csi\\xc2\\x9b31m");
    EXPECT_EQ(escape_control("nbsp\xc2\xa0"), "nbsp\xc2\xa0");
}

TEST(EscapeControl, MalformedUtf8IsEscapedBytewise) {
    EXPECT_EQ(escape_control("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(escape_control("cut \xe7\xbe"), "cut \\xe7\\xbe");            // truncated sequence
    EXPECT_EQ(escape_control("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
    EXPECT_EQ(escape_control("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong, 3 bytes
    EXPECT_EQ(escape_control("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
    EXPECT_EQ(escape_control("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
    EXPECT_EQ(escape_control("\x80x"), "\\x80x");                           // a lone continuation
    EXPECT_EQ(escape_control("\xc3\x1b"), "\\xc3\\x1b");  // the control after a cut sequence too
}

TEST(EscapeControl, OutputIsPrintableAsciiOrUtf8WithoutControls) {
    std::string every_byte;
    for (int i = 0; i < 256; ++i) every_byte += static_cast<char>(i);
    const std::string out = escape_control(every_byte);
    for (const char ch : out) {
        const auto c = static_cast<unsigned char>(ch);
        EXPECT_TRUE(c >= 0x20 && c != 0x7f) << static_cast<int>(c);
    }
    EXPECT_EQ(escape_control(out), out);  // nothing left to escape
}

TEST(Throttle, OnePerIntervalWithTheCountOfTheSuppressed) {
    using Clock = Throttle::Clock;
    Throttle t(std::chrono::seconds(1));
    const Clock::time_point t0{std::chrono::hours(1)};
    EXPECT_EQ(t.admit(t0), 0u);
    EXPECT_FALSE(t.admit(t0).has_value());
    EXPECT_FALSE(t.admit(t0 + std::chrono::milliseconds(999)).has_value());
    EXPECT_EQ(t.admit(t0 + std::chrono::seconds(1)), 2u);
    EXPECT_EQ(t.admit(t0 + std::chrono::seconds(5)), 0u);
    EXPECT_FALSE(t.admit(t0 + std::chrono::milliseconds(5500)).has_value());
    EXPECT_EQ(t.admit(t0 + std::chrono::seconds(7)), 1u);
}

TEST(Reporter, EscapesMessageCommandAndPeerBeforeTheHandlerSeesThem) {
    std::vector<ErrorReport> seen;
    Reporter reporter;
    reporter.set_handler([&](const ErrorReport& r) { seen.push_back(r); });
    reporter.report(ErrorKind::IdentityRejected, "client certificate CN \"evil\x1b]0;x\x07\r\nforged\xff\"",
                    "Cmd\x1b[2J", "1.2.3.4:5\n");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, ErrorKind::IdentityRejected);
    EXPECT_EQ(seen[0].message, "client certificate CN \"evil\\x1b]0;x\\x07\\r\\nforged\\xff\"");
    EXPECT_EQ(seen[0].command, "Cmd\\x1b[2J");
    EXPECT_EQ(seen[0].remote_addr, "1.2.3.4:5\\n");
}

}  // namespace
}  // namespace imcb::detail
