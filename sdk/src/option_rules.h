#pragma once

// One description of the options for both ways of giving them: the numeric limits, checked the
// same for a configuration file and for ReceiverOptions built in code, and the two names of each
// option (the JSON key of the file, the ReceiverOptions field), so that an error names the one
// the user wrote.

#include <cstdint>
#include <string>
#include <string_view>

#include "imcb/errors.h"
#include "imcb/options.h"

namespace imcb::detail {

/// The documented range of an integer option, in the unit of its JSON key.
struct IntLimit {
    std::string_view key;  ///< e.g. "limits.max_body_bytes"
    std::int64_t min;
    std::int64_t max;
};

/// The limit of a JSON key listed in docs/configuration.md (throws std::out_of_range otherwise).
const IntLimit& int_limit(std::string_view key);

/// Every integer option of `o` within its limit, else ConfigError naming the JSON key (the
/// boundary below renames it for options built in code).
void check_int_limits(const ReceiverOptions& o);

/// The ReceiverOptions field of a JSON key ("tls.vendor_ca" -> "tls.vendor_ca_files"), or the
/// key itself when both are spelled alike.
std::string_view field_of(std::string_view key);

/// A ConfigError message whose subject is a JSON key ("tls.crl: ...", "config key \"tls.crl\":
/// ...") in the words of the options' origin: `config key "tls.crl"` for a configuration file,
/// `ReceiverOptions::tls.crl_files` for options built in code. Other messages are unchanged.
std::string name_option(const std::string& message, bool from_file);

/// Runs `f`, renaming the option in any ConfigError it throws (see name_option).
template <class F>
auto naming_options(bool from_file, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const ConfigError& e) {
        throw ConfigError(e.code(), name_option(e.what(), from_file));
    }
}

}  // namespace imcb::detail
