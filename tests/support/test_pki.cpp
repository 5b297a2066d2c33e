#include "support/test_pki.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>

namespace imcb::test {
namespace {

detail::EvpPkeyPtr new_key() {
    detail::EvpPkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) throw std::runtime_error("test PKI: EC key generation failed");
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
        throw std::runtime_error(std::string("test PKI: extension ") + value);
    }
    X509_EXTENSION_free(ext);
}

Issued make(const std::string& cn, std::time_t from, std::time_t until, long serial, const Issued* issuer,
            detail::EvpPkeyPtr key, bool is_ca, const EVP_MD* md = EVP_sha256(),
            const std::string& eku = "clientAuth") {
    Issued out;
    out.key = std::move(key);
    out.cert.reset(X509_new());
    X509* c = out.cert.get();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    ASN1_TIME_set(X509_getm_notBefore(c), from);
    ASN1_TIME_set(X509_getm_notAfter(c), until);
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("imcb test"),
                               -1, -1, 0);
    X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : c;
    X509_set_issuer_name(c, X509_get_subject_name(issuer_cert));
    X509_set_pubkey(c, out.key.get());
    if (is_ca) {
        add_ext(c, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(c, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(c, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(c, issuer_cert, NID_key_usage, "critical,digitalSignature");
        add_ext(c, issuer_cert, NID_ext_key_usage, eku.c_str());
        add_ext(c, issuer_cert, NID_subject_alt_name, ("DNS:" + cn).c_str());
    }
    add_ext(c, issuer_cert, NID_subject_key_identifier, "hash");
    if (issuer != nullptr) add_ext(c, issuer_cert, NID_authority_key_identifier, "keyid:always");
    EVP_PKEY* signer = issuer != nullptr ? issuer->key.get() : out.key.get();
    if (X509_sign(c, signer, md) == 0) throw std::runtime_error("test PKI: signing failed");
    return out;
}

detail::EvpPkeyPtr copy_key(EVP_PKEY* key) {
    EVP_PKEY_up_ref(key);
    return detail::EvpPkeyPtr(key);
}

}  // namespace

TempPki::TempPki() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/imcb-pki.XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("test PKI: mkdtemp failed");
    dir_ = tmpl;
}

TempPki::~TempPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

Issued TempPki::ca(const std::string& cn, std::time_t from, std::time_t until, const Issued* issuer,
                   const Issued* same_key_as) {
    return make(cn, from, until, serial_++, issuer,
                same_key_as != nullptr ? copy_key(same_key_as->key.get()) : new_key(), true);
}

Issued TempPki::client(const std::string& cn, std::time_t from, std::time_t until, const Issued& issuer) {
    return make(cn, from, until, serial_++, &issuer, new_key(), false);
}

Issued TempPki::weak_ca(const std::string& cn, std::time_t from, std::time_t until, const Issued* issuer,
                        int rsa_bits, bool sha1) {
    detail::EvpPkeyPtr key(rsa_bits > 0 ? EVP_RSA_gen(static_cast<unsigned>(rsa_bits)) : EVP_EC_gen("P-256"));
    if (!key) throw std::runtime_error("test PKI: key generation failed");
    return make(cn, from, until, serial_++, issuer, std::move(key), true, sha1 ? EVP_sha1() : EVP_sha256());
}

Issued TempPki::client_with_eku(const std::string& cn, std::time_t from, std::time_t until,
                                const Issued& issuer, const std::string& eku) {
    return make(cn, from, until, serial_++, &issuer, new_key(), false, EVP_sha256(), eku);
}

std::string TempPki::write_crl(const std::string& name, const Issued& issuer,
                               std::initializer_list<const Issued*> revoked, std::time_t this_update,
                               std::time_t next_update, bool der) {
    X509_CRL* crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer.cert.get()));
    ASN1_TIME* t = ASN1_TIME_set(nullptr, this_update);
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_set(t, next_update);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_TIME_set(t, this_update);
    for (const Issued* r : revoked) {
        X509_REVOKED* entry = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(r->cert.get()));
        X509_REVOKED_set_revocationDate(entry, t);
        X509_CRL_add0_revoked(crl, entry);
    }
    ASN1_TIME_free(t);
    // As a real CA's CRL, it names the key that signed it.
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer.cert.get(), nullptr, nullptr, crl, 0);
    X509_EXTENSION* akid = X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
    if (akid == nullptr || X509_CRL_add_ext(crl, akid, -1) != 1) {
        X509_EXTENSION_free(akid);
        X509_CRL_free(crl);
        throw std::runtime_error("test PKI: cannot add the CRL's authority key identifier");
    }
    X509_EXTENSION_free(akid);
    X509_CRL_sort(crl);
    if (X509_CRL_sign(crl, issuer.key.get(), EVP_sha256()) == 0) {
        X509_CRL_free(crl);
        throw std::runtime_error("test PKI: CRL signing failed");
    }
    const std::string file = path(name);
    detail::BioPtr out(BIO_new_file(file.c_str(), "wb"));
    const bool ok =
        out && (der ? i2d_X509_CRL_bio(out.get(), crl) : PEM_write_bio_X509_CRL(out.get(), crl)) == 1;
    X509_CRL_free(crl);
    if (!ok) throw std::runtime_error("test PKI: cannot write " + file);
    return file;
}

std::string TempPki::write(const std::string& name, std::initializer_list<const Issued*> chain) {
    const std::string crt = path(name + ".crt");
    {
        detail::BioPtr out(BIO_new_file(crt.c_str(), "w"));
        if (!out) throw std::runtime_error("test PKI: cannot write " + crt);
        for (const Issued* i : chain) PEM_write_bio_X509(out.get(), i->cert.get());
    }
    if (chain.size() > 0 && (*chain.begin())->key) {
        detail::BioPtr out(BIO_new_file(path(name + ".key").c_str(), "w"));
        if (!out) throw std::runtime_error("test PKI: cannot write " + name + ".key");
        PEM_write_bio_PrivateKey(out.get(), (*chain.begin())->key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr);
    }
    return crt;
}

}  // namespace imcb::test
