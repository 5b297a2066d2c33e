#pragma once

#include <string>

namespace imcb::test {

/// A file of the generated development PKI (see certs/README.md); an absolute path is kept as is
/// (certificates a test made itself, see support/test_pki.h).
inline std::string pki(const std::string& name) {
    return !name.empty() && name.front() == '/' ? name : std::string(IMCB_TEST_CERTS_DIR) + "/" + name;
}

/// A fixture body (the vendor's documented examples).
std::string fixture(const std::string& name);

}  // namespace imcb::test
