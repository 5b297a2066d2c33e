#pragma once

// How a typed event maps to its JSON: each struct lists its fields once, in fields(), and one
// generic decoder and encoder serve them all.
//
//   struct GroupFull {
//       std::string group_id;
//       std::optional<std::int64_t> event_time;
//       nlohmann::json unknown_fields;
//       static constexpr auto fields() {
//           return std::make_tuple(field("GroupId", &GroupFull::group_id),
//                                  field<codec::EventTime>("EventTime", &GroupFull::event_time));
//       }
//   };
//
// Decoding rules:
// - a plain member is required: decoding fails when it is missing or null (unless it is a raw
//   nlohmann::json member, which takes any value);
// - a std::optional member may be absent (or null): it is then std::nullopt, never a made-up zero;
// - integers must fit their member exactly (MsgSeq, MsgRandom, Random are std::uint32_t);
// - codec::EventTime accepts a JSON integer or a string of digits (the vendor's examples use both);
// - keys the struct does not list are kept, with their values, in its unknown_fields member (null
//   when there are none), so nothing the vendor adds is lost; an event's "CallbackCommand" key is not stored
//   (dispatch uses the URL's) and is written back by to_json.
// Errors are nlohmann exceptions whose message names the field and its path:
//   missing field "From_Account"
//   in "MsgBody"[0]: field "MsgType" must be a string, not number
//
// Encoding writes every present field, then the unknown fields, so decode followed by to_json
// gives back the same JSON (EventTime always as a number, its documented type).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/export.h"

namespace imcb {

/// Before-callbacks (the handler's reply decides the event) and after-callbacks (notifications).
enum class Phase { Before, After };

/// A list of event types; the registry (commands.h) is the concatenation of one list per family.
template <class... Events>
struct EventList {};

namespace codec {
/// The member's natural JSON type.
struct Plain {};
/// A non-negative integer written as a JSON number or as a string of digits.
struct EventTime {};
/// An identifier documented as a string that some examples write as a JSON integer (the call
/// callbacks' User_Account, RoomId): read into std::string (an integer from 0 to 2^64-1 as its
/// decimal digits, exactly, beyond 2^53 too), written back as a string.
struct Id {};
}  // namespace codec

/// One JSON key bound to one member of C.
template <class C, class M, class Codec = codec::Plain>
struct Field {
    std::string_view key;
    M C::*member;
};

template <class Codec = codec::Plain, class C, class M>
constexpr Field<C, M, Codec> field(std::string_view key, M C::*member) {
    return {key, member};
}

namespace detail {

using json = nlohmann::json;

template <class T, class = void>
struct has_fields : std::false_type {};
template <class T>
struct has_fields<T, std::void_t<decltype(T::fields())>> : std::true_type {};
template <class T>
inline constexpr bool has_fields_v = has_fields<T>::value;

/// Events (structs with a kCommand) carry "CallbackCommand" in their body unless they say not.
template <class T, class = void>
struct is_event : std::false_type {};
template <class T>
struct is_event<T, std::void_t<decltype(T::kCommand)>> : std::true_type {};

template <class T, class = void>
struct command_in_body : std::true_type {};
template <class T>
struct command_in_body<T, std::void_t<decltype(T::kCommandInBody)>> : std::bool_constant<T::kCommandInBody> {
};

/// Structs with an unknown_fields member keep the keys they do not list (element contents do
/// not need to: MsgElement keeps the whole raw MsgContent).
template <class T, class = void>
struct has_unknown_fields : std::false_type {};
template <class T>
struct has_unknown_fields<T, std::void_t<decltype(std::declval<T&>().unknown_fields)>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class F>
struct field_traits;
template <class C, class M, class Codec>
struct field_traits<Field<C, M, Codec>> {
    using member_type = M;
    using codec = Codec;
};

IMCB_API std::string quoted(std::string_view key);

/// Where a value sits: "Key", or "Key"[3] for an element. Rendered only when an error names it.
struct Label {
    std::string_view key;
    const Label* parent = nullptr;
    std::size_t index = 0;
    IMCB_API std::string str() const;
};

[[noreturn]] IMCB_API void fail_missing(const json& at, std::string_view key);
[[noreturn]] IMCB_API void fail_type(const json& v, const Label& label, std::string_view expected);
/// Re-throws a decode error from inside label with "in <label>: " in front.
[[noreturn]] IMCB_API void rethrow_within(const Label& label, const json& at);
IMCB_API std::int64_t read_event_time(const json& v, const Label& label);
/// The value of a JSON integer that fits the type, or nullopt.
IMCB_API std::optional<std::int64_t> as_int64(const json& v);
IMCB_API std::optional<std::uint64_t> as_uint64(const json& v);

/// A JSON integer that fits T exactly (no floats, no wrap-around, no negatives for unsigned T).
template <class T>
T read_integer(const json& v, const Label& label) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    using limits = std::numeric_limits<T>;
    if constexpr (std::is_signed_v<T>) {
        const auto n = as_int64(v);
        if (n && *n >= static_cast<std::int64_t>(limits::min()) &&
            *n <= static_cast<std::int64_t>(limits::max())) {
            return static_cast<T>(*n);
        }
    } else {
        const auto n = as_uint64(v);
        if (n && *n <= static_cast<std::uint64_t>(limits::max())) return static_cast<T>(*n);
    }
    fail_type(v, label,
              std::string(std::is_signed_v<T> ? "a " : "an unsigned ") +
                  std::to_string(limits::digits + (std::is_signed_v<T> ? 1 : 0)) + "-bit integer");
}

template <class T>
void decode_object(const json& j, T& out);
template <class T>
void encode_object(json& j, const T& in);

/// One JSON value into T; label names it in errors.
template <class T, class Codec = codec::Plain>
void read_value(const json& v, T& out, const Label& label) {
    if constexpr (std::is_same_v<Codec, codec::EventTime>) {
        static_assert(std::is_same_v<T, std::int64_t>, "codec::EventTime reads std::int64_t");
        out = read_event_time(v, label);
    } else if constexpr (std::is_same_v<T, json>) {
        out = v;
    } else if constexpr (std::is_same_v<T, std::string>) {
        if constexpr (std::is_same_v<Codec, codec::Id>) {
            if (v.is_number_unsigned()) {
                out = std::to_string(v.get<std::uint64_t>());
                return;
            }
            if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {  // a signed non-negative value
                out = std::to_string(v.get<std::int64_t>());
                return;
            }
            // Negative or fractional numbers, and integers of 2^64 or more (which arrive as
            // floating point), are no identifier.
            if (!v.is_string()) fail_type(v, label, "a string (or an integer from 0 to 2^64-1)");
        } else {
            if (!v.is_string()) fail_type(v, label, "a string");
        }
        out = v.get_ref<const std::string&>();
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean()) fail_type(v, label, "true or false");
        out = v.get<bool>();
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number()) fail_type(v, label, "a number");
        out = v.get<T>();
    } else if constexpr (std::is_integral_v<T>) {
        out = read_integer<T>(v, label);
    } else if constexpr (is_vector<T>::value) {
        if (!v.is_array()) fail_type(v, label, "an array");
        out.clear();
        out.resize(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            read_value<typename T::value_type, Codec>(v[i], out[i], Label{{}, &label, i});
        }
    } else {
        if (!v.is_object()) fail_type(v, label, "an object");
        try {
            if constexpr (has_fields_v<T>) {
                decode_object(v, out);
            } else {
                from_json(v, out);  // types with their own codec (MsgElement)
            }
        } catch (const json::exception&) {
            rethrow_within(label, v);
        }
    }
}

template <class T>
json write_value(const T& v) {
    if constexpr (is_vector<T>::value) {
        json a = json::array();
        for (const auto& e : v) a.push_back(write_value(e));
        return a;
    } else if constexpr (has_fields_v<T>) {
        json j;
        encode_object(j, v);
        return j;
    } else {
        return json(v);
    }
}

template <class Tuple, class F, std::size_t... I>
void for_each_field(const Tuple& t, F&& f, std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}, std::get<I>(t)), ...);
}
template <class Tuple, class F>
void for_each_field(const Tuple& t, F&& f) {
    for_each_field(t, std::forward<F>(f), std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

template <class T>
void decode_object(const json& j, T& out) {
    if (!j.is_object()) {
        throw json::type_error::create(302, std::string("must be a JSON object, not ") + j.type_name(), &j);
    }
    constexpr auto fields = T::fields();
    constexpr std::size_t kCount = std::tuple_size_v<std::remove_const_t<decltype(fields)>>;
    std::array<bool, kCount> seen{};
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        bool matched = false;
        for_each_field(fields, [&](auto index, const auto& f) {
            if (matched || f.key != key) return;
            matched = true;
            seen[index] = true;
            using traits = field_traits<std::decay_t<decltype(f)>>;
            using M = typename traits::member_type;
            if constexpr (is_optional<M>::value) {
                if (it->is_null()) {
                    (out.*f.member).reset();
                } else {
                    typename M::value_type value{};
                    read_value<typename M::value_type, typename traits::codec>(*it, value, Label{f.key});
                    out.*f.member = std::move(value);
                }
            } else {
                read_value<M, typename traits::codec>(*it, out.*f.member, Label{f.key});
            }
        });
        if (matched) continue;
        if constexpr (is_event<T>::value) {
            if (key == "CallbackCommand") continue;
        }
        if constexpr (has_unknown_fields<T>::value) {
            if (out.unknown_fields.is_null()) out.unknown_fields = json::object();
            out.unknown_fields[key] = *it;
        }
    }
    for_each_field(fields, [&](auto index, const auto& f) {
        using M = typename field_traits<std::decay_t<decltype(f)>>::member_type;
        if constexpr (!is_optional<M>::value) {
            if (!seen[index]) fail_missing(j, f.key);
        }
    });
}

template <class T>
void encode_object(json& j, const T& in) {
    j = json::object();
    if constexpr (has_unknown_fields<T>::value) {
        if (in.unknown_fields.is_object()) j = in.unknown_fields;
    }
    if constexpr (is_event<T>::value) {
        if constexpr (command_in_body<T>::value) j["CallbackCommand"] = T::kCommand;
    }
    for_each_field(T::fields(), [&](auto, const auto& f) {
        using M = typename field_traits<std::decay_t<decltype(f)>>::member_type;
        const auto& value = in.*f.member;
        if constexpr (is_optional<M>::value) {
            if (value) j[std::string(f.key)] = write_value(*value);
        } else {
            j[std::string(f.key)] = write_value(value);
        }
    });
}

}  // namespace detail

/// Decodes any struct that lists its fields (found by nlohmann::json through ADL).
template <class T, std::enable_if_t<detail::has_fields_v<T>, int> = 0>
void from_json(const nlohmann::json& j, T& out) {
    out = T{};
    detail::decode_object(j, out);
}

/// Encodes any struct that lists its fields: every present field plus the unknown ones.
template <class T, std::enable_if_t<detail::has_fields_v<T>, int> = 0>
void to_json(nlohmann::json& j, const T& in) {
    detail::encode_object(j, in);
}

}  // namespace imcb
