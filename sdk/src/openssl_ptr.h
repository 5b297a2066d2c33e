#pragma once

// Owners for OpenSSL objects. Borrowed pointers (get0 functions) are never wrapped.

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace imcb::detail {

template <auto Fn>
struct FnDeleter {
    template <class T>
    void operator()(T* p) const noexcept {
        Fn(p);
    }
};
template <class T, auto Fn>
using OsslPtr = std::unique_ptr<T, FnDeleter<Fn>>;

using X509Ptr = OsslPtr<X509, X509_free>;
using EvpPkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using BioPtr = OsslPtr<BIO, BIO_free_all>;
using SslCtxPtr = OsslPtr<SSL_CTX, SSL_CTX_free>;
using SslPtr = OsslPtr<SSL, SSL_free>;

inline void free_name_stack(STACK_OF(X509_NAME) * s) { sk_X509_NAME_pop_free(s, X509_NAME_free); }
using X509NameStackPtr = OsslPtr<STACK_OF(X509_NAME), free_name_stack>;

inline void free_general_names(GENERAL_NAMES* names) { GENERAL_NAMES_free(names); }
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, free_general_names>;

}  // namespace imcb::detail
