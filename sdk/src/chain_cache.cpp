#include "chain_cache.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <openssl/evp.h>

#include "peer_identity.h"

namespace imcb::detail {

std::size_t VerifiedChainCache::KeyHash::operator()(const Key& k) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, k.data(), sizeof h);
    return h;
}

bool VerifiedChainCache::key_of(X509& leaf, STACK_OF(X509) * untrusted, Key& out) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
    const auto add = [&](X509* cert) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        ok = ok && X509_digest(cert, EVP_sha256(), md, &len) == 1 && EVP_DigestUpdate(ctx, md, len) == 1;
    };
    add(&leaf);
    for (int i = 0; untrusted != nullptr && i < sk_X509_num(untrusted); ++i) add(sk_X509_value(untrusted, i));
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
    EVP_MD_CTX_free(ctx);
    return ok;
}

bool VerifiedChainCache::contains(const Key& key, std::time_t now) const {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = entries_.find(key);
    const bool hit = it != entries_.end() && now >= it->second.not_before && now <= it->second.not_after;
    if (hit) hits_++;
    return hit;
}

void VerifiedChainCache::insert(const Key& key, STACK_OF(X509) * chain, std::time_t bound) {
    if (chain == nullptr || sk_X509_num(chain) == 0) return;
    Entry e{std::numeric_limits<std::time_t>::min(), bound};
    for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* c = sk_X509_value(chain, i);
        std::int64_t from = 0;
        std::int64_t until = 0;
        if (!read_unix_time(X509_get0_notBefore(c), from) || !read_unix_time(X509_get0_notAfter(c), until))
            return;
        e.not_before = std::max(e.not_before, static_cast<std::time_t>(from));
        e.not_after = std::min(e.not_after, static_cast<std::time_t>(until));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= capacity_ && entries_.count(key) == 0) entries_.clear();  // bounded
    entries_[key] = e;
}

std::size_t VerifiedChainCache::size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
}

}  // namespace imcb::detail
