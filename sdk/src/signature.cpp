#include "signature.h"

#include <cctype>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hex.h"

namespace imcb::detail {

namespace {

/// SHA-256 fetched once: OpenSSL 3.0 otherwise looks the implementation up on every digest.
const EVP_MD* sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();
}

}  // namespace

std::string compute_sign(std::string_view token, std::string_view request_time) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, token.data(), token.size()) == 1 &&
                    EVP_DigestUpdate(ctx, request_time.data(), request_time.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, md, &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return {};
    return hex_lower(md, len);
}

bool sign_matches(std::string_view token, std::string_view request_time, std::string_view sign) {
    const std::string expected = compute_sign(token, request_time);
    if (expected.empty() || sign.size() != expected.size()) return false;
    char received[EVP_MAX_MD_SIZE * 2];
    for (std::size_t i = 0; i < sign.size(); ++i) {
        received[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(sign[i])));
    }
    return CRYPTO_memcmp(received, expected.data(), expected.size()) == 0;
}

}  // namespace imcb::detail
