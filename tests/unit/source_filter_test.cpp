// allow_sources: parsing of CIDR ranges and matching of peer addresses (IPv4, IPv6, IPv4-mapped).

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "imcb/errors.h"
#include "source_filter.h"

namespace imcb::detail {
namespace {

SourceFilter filter(std::vector<std::string> entries) { return SourceFilter(entries); }

std::string refusal(const std::string& entry) {
    try {
        SourceFilter f({entry});
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

TEST(SourceFilter, EmptyListAllowsEveryAddress) {
    const SourceFilter f = filter({});
    EXPECT_TRUE(f.allows_any());
    EXPECT_TRUE(f.allows("192.0.2.1"));
    EXPECT_TRUE(f.allows("2001:db8::1"));
}

TEST(SourceFilter, Ipv4RangeMatchesItsAddressesOnly) {
    const SourceFilter f = filter({"192.0.2.0/24"});
    EXPECT_TRUE(f.allows("192.0.2.0"));
    EXPECT_TRUE(f.allows("192.0.2.255"));
    EXPECT_FALSE(f.allows("192.0.3.0"));
    EXPECT_FALSE(f.allows("192.0.1.255"));
    EXPECT_FALSE(f.allows("2001:db8::1"));
}

TEST(SourceFilter, PrefixesNotOnAByteBoundary) {
    const SourceFilter f = filter({"10.0.0.0/9", "2001:db8:8000::/33"});
    EXPECT_TRUE(f.allows("10.127.255.255"));
    EXPECT_FALSE(f.allows("10.128.0.0"));
    EXPECT_TRUE(f.allows("2001:db8:ffff::1"));
    EXPECT_FALSE(f.allows("2001:db8:7fff::1"));
}

TEST(SourceFilter, BareAddressesAreSingleHosts) {
    const SourceFilter f = filter({"127.0.0.2", "2001:db8::7"});
    EXPECT_TRUE(f.allows("127.0.0.2"));
    EXPECT_FALSE(f.allows("127.0.0.1"));
    EXPECT_FALSE(f.allows("127.0.0.3"));
    EXPECT_TRUE(f.allows("2001:db8::7"));
    EXPECT_FALSE(f.allows("2001:db8::8"));
}

TEST(SourceFilter, Slash32AndSlash128AreSingleHosts) {
    const SourceFilter f = filter({"127.0.0.2/32", "2001:db8::7/128"});
    EXPECT_TRUE(f.allows("127.0.0.2"));
    EXPECT_FALSE(f.allows("127.0.0.1"));
    EXPECT_TRUE(f.allows("2001:db8::7"));
    EXPECT_FALSE(f.allows("2001:db8::6"));
}

TEST(SourceFilter, SlashZeroCoversItsFamily) {
    const SourceFilter v4 = filter({"0.0.0.0/0"});
    EXPECT_TRUE(v4.allows("1.2.3.4"));
    EXPECT_TRUE(v4.allows("255.255.255.255"));
    EXPECT_FALSE(v4.allows("2001:db8::1"));
    const SourceFilter v6 = filter({"::/0"});
    EXPECT_TRUE(v6.allows("2001:db8::1"));
    EXPECT_TRUE(v6.allows("1.2.3.4"));  // every address, IPv4 as mapped
}

TEST(SourceFilter, MappedPeersMatchIpv4Ranges) {
    const SourceFilter f = filter({"192.0.2.0/24"});
    EXPECT_TRUE(f.allows("::ffff:192.0.2.7"));
    EXPECT_FALSE(f.allows("::ffff:192.0.3.7"));
    // Not mapped: the IPv4-compatible form and an IPv6 address with the same low bits.
    EXPECT_FALSE(f.allows("::192.0.2.7"));
    EXPECT_FALSE(f.allows("64:ff9b::192.0.2.7"));
}

TEST(SourceFilter, SocketAddressesOfBothFamilies) {
    const SourceFilter f = filter({"192.0.2.0/24", "2001:db8::/32"});
    sockaddr_storage ss{};
    auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
    in4->sin_family = AF_INET;
    inet_pton(AF_INET, "192.0.2.9", &in4->sin_addr);
    EXPECT_TRUE(f.allows(ss));
    inet_pton(AF_INET, "198.51.100.9", &in4->sin_addr);
    EXPECT_FALSE(f.allows(ss));

    ss = {};
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, "2001:db8:1::9", &in6->sin6_addr);
    EXPECT_TRUE(f.allows(ss));
    inet_pton(AF_INET6, "::ffff:192.0.2.9", &in6->sin6_addr);  // a dual-stack listener's IPv4 peer
    EXPECT_TRUE(f.allows(ss));
    inet_pton(AF_INET6, "2001:db9::9", &in6->sin6_addr);
    EXPECT_FALSE(f.allows(ss));

    ss = {};
    ss.ss_family = AF_UNIX;
    EXPECT_FALSE(f.allows(ss));
}

TEST(SourceFilter, GarbageIsRefusedNamingTheKeyTheEntryAndTheFix) {
    for (const std::string bad :
         {"", "garbage", "192.0.2.0/", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/-1", "192.0.2.0/+8",
          "192.0.2.0/24/1", "192.0.2", "256.0.0.1", " 192.0.2.1", "192.0.2.1 ", "192.0.2.0/ 24",
          "fe80::1%eth0", "192.0.2.0/0024", "example.com"}) {
        const std::string what = refusal(bad);
        ASSERT_FALSE(what.empty()) << "accepted: \"" << bad << "\"";
        EXPECT_NE(what.find("allow_sources"), std::string::npos) << what;
        EXPECT_NE(what.find("\"" + bad + "\""), std::string::npos) << what;
        EXPECT_NE(what.find("192.0.2.0/24"), std::string::npos) << what;  // the form to write
    }
}

TEST(SourceFilter, HostBitsPastThePrefixAreRefusedWithTheRangeMeant) {
    const std::string what = refusal("10.1.2.3/8");
    EXPECT_NE(what.find("10.0.0.0/8"), std::string::npos) << what;
    const std::string what6 = refusal("2001:db8::1/32");
    EXPECT_NE(what6.find("2001:db8::/32"), std::string::npos) << what6;
}

TEST(SourceFilter, UnparsablePeerTextIsNotAllowed) {
    const SourceFilter f = filter({"192.0.2.0/24"});
    EXPECT_FALSE(f.allows("not an address"));
    EXPECT_FALSE(f.allows(""));
}

}  // namespace
}  // namespace imcb::detail
