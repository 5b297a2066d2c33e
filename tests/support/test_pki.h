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
    Issued ca(const std::string& cn, std::time_t from, std::time_t until,
              const Issued* issuer = nullptr, const Issued* same_key_as = nullptr);
    /// A TLS client certificate (clientAuth, DNS SAN = cn) issued by `issuer`.
    Issued client(const std::string& cn, std::time_t from, std::time_t until, const Issued& issuer);

    /// Writes `name`.crt with the certificates in order (leaf first) and, when the first has a
    /// key, `name`.key; returns the absolute path of the .crt (the .key is next to it).
    std::string write(const std::string& name, std::initializer_list<const Issued*> chain);
    std::string path(const std::string& file) const { return dir_ + "/" + file; }

  private:
    std::string dir_;
    long serial_ = 1;
};

}  // namespace imcb::test
