// The verified-chain cache: an entry is valid only for the exact certificates the client sent and
// only while every certificate of the verified chain is within its dates.

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <ctime>

#include "chain_cache.h"
#include "openssl_ptr.h"
#include "support/pki.h"

namespace imcb::detail {
namespace {

X509Ptr load(const std::string& name) {
    BioPtr bio(BIO_new_file(test::pki(name).c_str(), "r"));
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::time_t to_time(const ASN1_TIME* t) {
    std::tm tm{};
    ASN1_TIME_to_tm(t, &tm);
    return timegm(&tm);
}

struct Chain {
    X509Ptr leaf = load("vendor-client.crt");
    X509Ptr root = load("vendor-ca.crt");
    STACK_OF(X509) * stack = sk_X509_new_null();
    Chain() {
        sk_X509_push(stack, leaf.get());
        sk_X509_push(stack, root.get());
    }
    ~Chain() { sk_X509_free(stack); }
};

TEST(VerifiedChainCache, HitOnlyWithinEveryCertificatesDates) {
    Chain chain;
    VerifiedChainCache cache;
    VerifiedChainCache::Key key{};
    ASSERT_TRUE(VerifiedChainCache::key_of(*chain.leaf, nullptr, key));
    const std::time_t now = std::time(nullptr);
    EXPECT_FALSE(cache.contains(key, now));
    cache.insert(key, chain.stack);
    EXPECT_TRUE(cache.contains(key, now));
    // The leaf expires before the root: the entry ends with the leaf.
    const std::time_t leaf_end = to_time(X509_get0_notAfter(chain.leaf.get()));
    EXPECT_TRUE(cache.contains(key, leaf_end));
    EXPECT_FALSE(cache.contains(key, leaf_end + 1));
    const std::time_t start = std::max(to_time(X509_get0_notBefore(chain.leaf.get())),
                                       to_time(X509_get0_notBefore(chain.root.get())));
    EXPECT_FALSE(cache.contains(key, start - 1));
    EXPECT_EQ(cache.hits(), 2u);
}

TEST(VerifiedChainCache, KeyCoversTheLeafAndEveryIntermediateSent) {
    const X509Ptr vendor = load("vendor-client.crt");
    const X509Ptr sibling = load("sibling-client.crt");
    const X509Ptr sub = load("vendor-sub-ca.crt");
    VerifiedChainCache::Key a{}, b{}, c{};
    ASSERT_TRUE(VerifiedChainCache::key_of(*vendor, nullptr, a));
    ASSERT_TRUE(VerifiedChainCache::key_of(*sibling, nullptr, b));
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    sk_X509_push(untrusted, sub.get());
    ASSERT_TRUE(VerifiedChainCache::key_of(*vendor, untrusted, c));
    sk_X509_free(untrusted);
    EXPECT_NE(a, b);
    EXPECT_NE(a, c);  // same leaf, different certificates sent: a different chain to verify

    Chain chain;
    VerifiedChainCache cache;
    cache.insert(a, chain.stack);
    EXPECT_TRUE(cache.contains(a, std::time(nullptr)));
    EXPECT_FALSE(cache.contains(b, std::time(nullptr)));
    EXPECT_FALSE(cache.contains(c, std::time(nullptr)));
}

TEST(VerifiedChainCache, StaysWithinItsCapacity) {
    Chain chain;
    VerifiedChainCache cache(4);
    for (unsigned char i = 0; i < 10; ++i) {
        VerifiedChainCache::Key k{};
        k[0] = i;
        cache.insert(k, chain.stack);
        EXPECT_LE(cache.size(), 4u);
    }
}

}  // namespace
}  // namespace imcb::detail
