// Sign = lower-case hex sha256(token + RequestTime) (protocol reference §1.3).

#include <string>

#include <gtest/gtest.h>

#include "signature.h"

namespace {

using imcb::detail::compute_sign;
using imcb::detail::sign_matches;

constexpr const char* kToken = "xxxxyyyy";
constexpr const char* kTime = "1669872112";
constexpr const char* kSign = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";

std::string upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
}

TEST(Signature, OfficialVector) {
    EXPECT_EQ(compute_sign(kToken, kTime), kSign);
    EXPECT_TRUE(sign_matches(kToken, kTime, kSign));
}

TEST(Signature, IsLowerCaseHexOf64Digits) {
    const std::string s = compute_sign("some token", "1700000000");
    ASSERT_EQ(s.size(), 64u);
    EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
}

TEST(Signature, DocTypoTokenDoesNotGiveTheVector) {
    // One EN version of the page prints Token=xxxyyy next to the same hash: a typo.
    EXPECT_NE(compute_sign("xxxyyy", kTime), kSign);
    EXPECT_EQ(compute_sign("xxxyyy", kTime),
              "e78a85473bed2cdc8d6fa8c4d5a4ba4735fd64156e15a99516b9890293e135de");
    EXPECT_FALSE(sign_matches("xxxyyy", kTime, kSign));
}

TEST(Signature, CoversTokenAndTimeWithoutSeparator) {
    // sha256(token + time): moving characters across the boundary gives the same input.
    EXPECT_EQ(compute_sign("xxxxyyyy1", "669872112"), kSign);
    EXPECT_NE(compute_sign(kToken, "1669872113"), kSign);
    EXPECT_FALSE(sign_matches(kToken, "1669872113", kSign));
}

TEST(SignMatches, AcceptsUpperCaseHex) {
    const std::string up = upper(kSign);
    ASSERT_NE(up, kSign);
    EXPECT_TRUE(sign_matches(kToken, kTime, up));
}

TEST(SignMatches, RejectsOneFlippedDigit) {
    for (const std::size_t pos : {std::size_t{0}, std::size_t{31}, std::size_t{63}}) {
        std::string s = kSign;
        s[pos] = s[pos] == '0' ? '1' : '0';
        EXPECT_FALSE(sign_matches(kToken, kTime, s)) << "flipped at " << pos;
    }
}

TEST(SignMatches, RejectsWrongLength) {
    const std::string s = kSign;
    EXPECT_FALSE(sign_matches(kToken, kTime, s.substr(0, 63)));
    EXPECT_FALSE(sign_matches(kToken, kTime, s + "0"));
    EXPECT_FALSE(sign_matches(kToken, kTime, s + s));
}

TEST(SignMatches, RejectsEmpty) { EXPECT_FALSE(sign_matches(kToken, kTime, "")); }

TEST(SignMatches, RejectsWrongToken) { EXPECT_FALSE(sign_matches("xxxxyyyz", kTime, kSign)); }

}  // namespace
