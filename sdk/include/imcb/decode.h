#pragma once

// Decoding one callback body into its typed event, with the command named in the error.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "imcb/errors.h"

namespace imcb {

namespace detail {
template <class Event>
Event decode_event(const nlohmann::json& body) {
    try {
        return body.get<Event>();
    } catch (const nlohmann::json::exception& e) {
        // Without nlohmann's "[json.exception.type_error.302] " prefix: the message names the field.
        const std::string_view what = e.what();
        const auto end = what.find("] ");
        throw DecodeError(std::string(Event::kCommand) + ": " +
                          std::string(end == std::string_view::npos ? what : what.substr(end + 2)));
    }
}
}  // namespace detail

}  // namespace imcb
