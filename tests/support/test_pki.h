#pragma once

// Certificates made by a test, with the validity dates it needs, written as PEM files into a
// temporary folder that is removed afterwards. EC P-256 keys; CAs and TLS client certificates
// shaped like the development PKI's (certs/gen-dev-pki.sh).

#include <ctime>
#include <initializer_list>
#include <string>

#include "openssl_ptr.h"

namespace imcb::test {

struct Issued {
    detail::X509Ptr cert;
    detail::EvpPkeyPtr key;
};

class TempPki {
  public:
    TempPki();
    ~TempPki();
    TempPki(const TempPki&) = delete;
    TempPki& operator=(const TempPki&) = delete;

    /// A CA valid from `from` to `until` (Unix time): self-signed, or issued by `issuer`. With
    /// `same_key_as`, it reuses that certificate's key (a re-issued CA: same name, same key).
    Issued ca(const std::string& cn, std::time_t from, std::time_t until, const Issued* issuer = nullptr,
              const Issued* same_key_as = nullptr);
    /// A TLS client certificate (clientAuth, DNS SAN = cn) issued by `issuer`.
    Issued client(const std::string& cn, std::time_t from, std::time_t until, const Issued& issuer);

    /// A CA with an RSA key of `rsa_bits` (0: EC P-256), signed with SHA-1 when `sha1` (else
    /// SHA-256): what OpenSSL's security level refuses.
    Issued weak_ca(const std::string& cn, std::time_t from, std::time_t until, const Issued* issuer,
                   int rsa_bits, bool sha1);
    /// A client certificate whose extended key usage is `eku` (e.g. "serverAuth").
    Issued client_with_eku(const std::string& cn, std::time_t from, std::time_t until, const Issued& issuer,
                           const std::string& eku);
    /// Writes `name` (the file name as given) holding one CRL of `issuer` that revokes
    /// `revoked`, with the given thisUpdate/nextUpdate, in PEM or DER; returns its path.
    std::string write_crl(const std::string& name, const Issued& issuer,
                          std::initializer_list<const Issued*> revoked, std::time_t this_update,
                          std::time_t next_update, bool der = false);

    /// Writes `name`.crt with the certificates in order (leaf first) and, when the first has a
    /// key, `name`.key; returns the absolute path of the .crt (the .key is next to it).
    std::string write(const std::string& name, std::initializer_list<const Issued*> chain);
    std::string path(const std::string& file) const { return dir_ + "/" + file; }

  private:
    std::string dir_;
    long serial_ = 1;
};

}  // namespace imcb::test
