// The non-template half of schema.h (error messages, integer and EventTime readers) and the
// MsgBody element codec, which dispatches on MsgType.
//
// Errors are nlohmann exceptions whose message names the field:
//   out_of_range 403  missing field "From_Account"
//   type_error   302  field "MsgSeq" must be an unsigned 32-bit integer, not -1
//   type_error   302  in "MsgBody"[0]: missing field "MsgType"      (nested: path prefixes)

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "imcb/message.h"
#include "imcb/schema.h"

namespace imcb {
namespace detail {
namespace {

/// e.what() without nlohmann's "[json.exception.type_error.302] " prefix.
std::string message_of(const json::exception& e) {
    const std::string_view what = e.what();
    const auto end = what.find("] ");
    return std::string(end == std::string_view::npos ? what : what.substr(end + 2));
}

/// A number is shown as is; anything else only by its type (strings may carry user content).
std::string describe(const json& v) { return v.is_number() ? v.dump() : v.type_name(); }

}  // namespace

std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\""; }

std::string Label::str() const {
    if (parent == nullptr) return quoted(key);
    return parent->str() + "[" + std::to_string(index) + "]";
}

void fail_missing(const json& at, std::string_view key) {
    throw json::out_of_range::create(403, "missing field " + quoted(key), &at);
}

void fail_type(const json& v, const Label& label, std::string_view expected) {
    throw json::type_error::create(
        302, "field " + label.str() + " must be " + std::string(expected) + ", not " + describe(v), &v);
}

void rethrow_within(const Label& where, const json& at) {
    const std::string label = where.str();
    try {
        throw;
    } catch (const json::type_error& e) {
        throw json::type_error::create(e.id, "in " + label + ": " + message_of(e), &at);
    } catch (const json::out_of_range& e) {
        throw json::out_of_range::create(e.id, "in " + label + ": " + message_of(e), &at);
    } catch (const json::other_error& e) {
        throw json::other_error::create(e.id, "in " + label + ": " + message_of(e), &at);
    }
}

std::optional<std::int64_t> as_int64(const json& v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(u);
    } else if (v.is_number_integer()) {
        return v.get<std::int64_t>();
    }
    return std::nullopt;
}

std::optional<std::uint64_t> as_uint64(const json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
        return static_cast<std::uint64_t>(v.get<std::int64_t>());
    }
    return std::nullopt;
}

/// EventTime: a non-negative JSON integer, or a string of digits as in most Group.* examples
/// ("1670574414123"). Anything else fails with one message for all cases.
std::int64_t read_event_time(const json& v, const Label& label) {
    if (v.is_number_integer()) {
        // An unsigned value above INT64_MAX reads back negative and is rejected with the rest.
        const auto n = v.get<std::int64_t>();
        if (n >= 0) return n;
    }
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        const bool digits_only = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
        std::int64_t out = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (digits_only && ec == std::errc() && end == s.data() + s.size()) return out;
    }
    fail_type(v, label, "a non-negative 64-bit integer or a string of digits");
}

}  // namespace detail

namespace {

template <class Elem>
MsgContent decode_as(const nlohmann::json& content) {
    Elem e{};
    detail::decode_object(content, e);
    return e;
}

/// MsgContent (already known to be an object) decoded according to MsgType.
MsgContent decode_content(const std::string& type, const nlohmann::json& c) {
    if (type == "TIMTextElem") return decode_as<TextElem>(c);
    if (type == "TIMCustomElem") return decode_as<CustomElem>(c);
    if (type == "TIMFaceElem") return decode_as<FaceElem>(c);
    if (type == "TIMLocationElem") return decode_as<LocationElem>(c);
    if (type == "TIMImageElem") return decode_as<ImageElem>(c);
    if (type == "TIMSoundElem") return decode_as<SoundElem>(c);
    if (type == "TIMFileElem") return decode_as<FileElem>(c);
    if (type == "TIMVideoFileElem") return decode_as<VideoFileElem>(c);
    if (type == "TIMRelayElem") return decode_as<RelayElem>(c);
    return UnknownElem{};
}

}  // namespace

std::string MsgElement::text() const {
    if (const auto* t = std::get_if<TextElem>(&typed)) return t->text;
    return {};
}

void from_json(const nlohmann::json& j, MsgElement& e) {
    using detail::Label;
    if (!j.is_object()) {
        throw nlohmann::json::type_error::create(
            302, std::string("MsgBody element must be a JSON object, not ") + j.type_name(), &j);
    }
    const auto type = j.find("MsgType");
    if (type == j.end()) detail::fail_missing(j, "MsgType");
    detail::read_value(*type, e.type, Label{"MsgType"});
    const auto content = j.find("MsgContent");
    if (content == j.end()) detail::fail_missing(j, "MsgContent");
    if (!content->is_object()) detail::fail_type(*content, Label{"MsgContent"}, "an object");
    e.content = *content;
    try {
        e.typed = decode_content(e.type, e.content);
    } catch (const nlohmann::json::exception&) {
        detail::rethrow_within(Label{"MsgContent"}, e.content);
    }
}

void to_json(nlohmann::json& j, const MsgElement& e) {
    j = nlohmann::json{{"MsgType", e.type}, {"MsgContent", e.content}};
}

}  // namespace imcb
