#pragma once

#include <string>
#include <string_view>

namespace imcb::detail {

/// Lower-case hex SHA-256 of token followed by request_time: the vendor's Sign.
std::string compute_sign(std::string_view token, std::string_view request_time);

/// Compares a received Sign with the expected one in constant time (case-insensitive hex).
bool sign_matches(std::string_view token, std::string_view request_time, std::string_view sign);

}  // namespace imcb::detail
