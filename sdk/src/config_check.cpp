// imcb/config_check.h: checking TLS options without starting (imcb-server --check), and the
// summary's text.

#include "imcb/config_check.h"

#include <sstream>

#include "option_rules.h"
#include "tls_context.h"

namespace imcb {

TlsSummary check_tls(const TlsOptions& tls) {
    // Everything a start would do (the pins, the files, the cipher settings, what OpenSSL accepts).
    // TlsOptions are built in code: an error names their ReceiverOptions::tls field.
    return detail::naming_options(false, [&] { return detail::make_trust_snapshot(tls, 0)->summary; });
}

const char* to_string(ServerCertMode mode) noexcept {
    return mode == ServerCertMode::SelfProvided ? "self_provided" : "vendor_issued";
}

const char* to_string(ClientAuth mode) noexcept { return mode == ClientAuth::None ? "none" : "required"; }

std::string to_string(const TlsSummary& s) {
    std::ostringstream out;
    out << "mode: " << to_string(s.mode) << "\n";
    out << "client_auth: " << to_string(s.client_auth)
        << (s.client_auth == ClientAuth::None
                ? ": the vendor is authenticated by Sign alone (no client certificate)"
                : ": mutual TLS (the vendor presents a client certificate from a vendor CA)")
        << "\n";
    out << "server certificate: " << s.cert_chain_file << " (key " << s.private_key_file << ")\n";
    for (const auto& c : s.server_chain) {
        out << "  - " << c.subject << "\n    issuer " << c.issuer << "\n    valid " << c.not_before << " .. "
            << c.not_after << " (" << c.days_left << " days left)\n";
        for (const auto& d : c.dns_names) out << "    DNS " << d << "\n";
        for (const auto& ip : c.ip_addresses) out << "    IP " << ip << "\n";
    }
    for (const auto& f : s.vendor_ca_files) out << "vendor CA: " << f << "\n";
    for (const auto& c : s.vendor_cas) {
        out << "  - " << c.subject << "\n    valid " << c.not_before << " .. " << c.not_after << "\n";
    }
    for (const auto& c : s.crls) {
        out << "CRL: " << c.file << "\n  - issuer " << c.issuer << "\n    updated " << c.this_update
            << ", next update " << (c.next_update.empty() ? "(none given)" : c.next_update)
            << (c.expired ? " (EXPIRED)" : "") << "\n    " << c.revoked << " revoked\n";
    }
    if (!s.crls.empty()) {
        out << "expired CRL policy: " << (s.crl_expired == CrlExpiry::Warn ? "warn" : "refuse") << "\n";
    }
    if (s.client_auth == ClientAuth::None) {
        for (const auto& w : s.warnings) out << "warning: " << w << "\n";
        return out.str();
    }
    out << "vendor identity:\n";
    if (s.pinned_subject_names.empty() && s.pinned_spki_sha256.empty()) out << "  (none pinned)\n";
    for (const auto& n : s.pinned_subject_names) out << "  subject CN/DNS: " << n << "\n";
    for (const auto& p : s.pinned_spki_sha256) out << "  SPKI SHA-256: " << p << "\n";
    for (const auto& w : s.warnings) out << "warning: " << w << "\n";
    return out.str();
}

}  // namespace imcb
