// from_json for every event in events.h.
//
// Errors are nlohmann exceptions whose message names the field:
//   out_of_range 403  missing field "From_Account"
//   type_error   302  field "MsgSeq" must be an unsigned 32-bit integer
//   type_error   302  in "MsgBody"[0]: missing field "MsgType"      (nested: path prefixes)
// Unknown fields are ignored; a null optional field counts as absent.

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/events.h"

namespace imcb {
namespace {

using json = nlohmann::json;

std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\""; }

/// e.what() without nlohmann's "[json.exception.type_error.302] " prefix.
std::string message_of(const json::exception& e) {
    const std::string_view what = e.what();
    const auto end = what.find("] ");
    return std::string(end == std::string_view::npos ? what : what.substr(end + 2));
}

[[noreturn]] void fail_missing(const json& j, std::string_view key) {
    throw json::out_of_range::create(403, "missing field " + quoted(key), &j);
}

/// A number is shown as is; anything else only by its type (strings may carry user content).
std::string describe(const json& v) { return v.is_number() ? v.dump() : v.type_name(); }

[[noreturn]] void fail_type(const json& v, const std::string& label, std::string_view expected) {
    throw json::type_error::create(
        302, "field " + label + " must be " + std::string(expected) + ", not " + describe(v), &v);
}

/// Runs f(); a decode error inside it gets "in <label>: " in front, keeping its category.
template <class F>
auto within(const std::string& label, const json& v, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const json::type_error& e) {
        throw json::type_error::create(e.id, "in " + label + ": " + message_of(e), &v);
    } catch (const json::out_of_range& e) {
        throw json::out_of_range::create(e.id, "in " + label + ": " + message_of(e), &v);
    } catch (const json::other_error& e) {
        throw json::other_error::create(e.id, "in " + label + ": " + message_of(e), &v);
    }
}

/// The body of every from_json starts here: the value must be a JSON object.
void expect_object(const json& j, std::string_view what) {
    if (!j.is_object()) {
        throw json::type_error::create(
            302, std::string(what) + " must be a JSON object, not " + j.type_name(), &j);
    }
}

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

/// A JSON integer that fits T exactly (no floats, no wrap-around, no negatives for unsigned T).
template <class T>
T integer(const json& v, const std::string& label) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                      sizeof(T) <= sizeof(std::int64_t) && (std::is_signed_v<T> || sizeof(T) < 8),
                  "integer<T>: every T value must fit in std::int64_t");
    using limits = std::numeric_limits<T>;
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(limits::max())) return static_cast<T>(u);
    } else if (v.is_number_integer()) {
        const auto s = v.get<std::int64_t>();
        if (s >= static_cast<std::int64_t>(limits::min()) &&
            s <= static_cast<std::int64_t>(limits::max())) {
            return static_cast<T>(s);
        }
    }
    fail_type(v, label,
              std::string(std::is_signed_v<T> ? "a " : "an unsigned ") +
                  std::to_string(limits::digits + (std::is_signed_v<T> ? 1 : 0)) + "-bit integer");
}

/// Converts one value to T; label names it in errors.
template <class T>
T as(const json& v, const std::string& label) {
    if constexpr (std::is_same_v<T, json>) {
        return v;
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!v.is_string()) fail_type(v, label, "a string");
        return v.get_ref<const std::string&>();
    } else if constexpr (std::is_integral_v<T>) {
        return integer<T>(v, label);
    } else if constexpr (is_vector<T>::value) {
        if (!v.is_array()) fail_type(v, label, "an array");
        T out;
        out.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            out.push_back(as<typename T::value_type>(v[i], label + "[" + std::to_string(i) + "]"));
        }
        return out;
    } else {
        if (!v.is_object()) fail_type(v, label, "an object");
        return within(label, v, [&] { return v.get<T>(); });
    }
}

/// A field the vendor documents as always present.
template <class T>
T required(const json& j, std::string_view key) {
    const auto it = j.find(key);
    if (it == j.end()) fail_missing(j, key);
    return as<T>(*it, quoted(key));
}

/// A field only some versions or cases send; absent or null gives nullopt.
template <class T>
std::optional<T> optional(const json& j, std::string_view key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return as<T>(*it, quoted(key));
}

/// A list the vendor leaves out when it is empty.
template <class T>
std::vector<T> list_or_empty(const json& j, std::string_view key) {
    return optional<std::vector<T>>(j, key).value_or(std::vector<T>{});
}

/// EventTime: a non-negative JSON integer, or a string of digits as in most Group.* examples
/// ("1670574414123"). Anything else fails with one message for all cases.
std::optional<std::int64_t> event_time(const json& j) {
    static constexpr std::string_view kKey = "EventTime";
    const auto it = j.find(kKey);
    if (it == j.end() || it->is_null()) return std::nullopt;
    const json& v = *it;
    if (v.is_number_integer()) {
        // An unsigned value above INT64_MAX reads back negative and is rejected with the rest.
        const auto n = v.get<std::int64_t>();
        if (n >= 0) return n;
    }
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        const bool digits_only =
            !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
        std::int64_t out = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (digits_only && ec == std::errc() && end == s.data() + s.size()) return out;
    }
    fail_type(v, quoted(kKey), "a non-negative 64-bit integer or a string of digits");
}

// Field groups shared by several events (templates over structs with the same member names).

template <class E>
void read_c2c_msg(const json& j, E& e) {
    e.from_account = required<std::string>(j, "From_Account");
    e.to_account = required<std::string>(j, "To_Account");
    e.msg_seq = required<std::uint32_t>(j, "MsgSeq");
    e.msg_random = required<std::uint32_t>(j, "MsgRandom");
    e.msg_time = required<std::int64_t>(j, "MsgTime");
    e.msg_key = required<std::string>(j, "MsgKey");
    e.msg_id = optional<std::string>(j, "MsgId");
    e.online_only_flag = optional<int>(j, "OnlineOnlyFlag");
    e.msg_body = required<std::vector<MsgElement>>(j, "MsgBody");
    e.cloud_custom_data = optional<std::string>(j, "CloudCustomData");
    e.event_time = event_time(j);
}

template <class E>
void read_group_msg(const json& j, E& e) {
    e.group_id = required<std::string>(j, "GroupId");
    e.type = required<std::string>(j, "Type");
    e.from_account = required<std::string>(j, "From_Account");
    e.operator_account = required<std::string>(j, "Operator_Account");
    e.random = required<std::uint32_t>(j, "Random");
    e.msg_id = optional<std::string>(j, "MsgId");
    e.online_only_flag = optional<int>(j, "OnlineOnlyFlag");
    e.msg_body = required<std::vector<MsgElement>>(j, "MsgBody");
    e.cloud_custom_data = optional<std::string>(j, "CloudCustomData");
    e.topic_id = optional<std::string>(j, "TopicId");
    e.event_time = event_time(j);
}

template <class E>
void read_group_creation(const json& j, E& e) {
    e.operator_account = required<std::string>(j, "Operator_Account");
    e.owner_account = optional<std::string>(j, "Owner_Account");
    e.type = required<std::string>(j, "Type");
    e.name = required<std::string>(j, "Name");
    e.member_list = list_or_empty<Account>(j, "MemberList");
    e.event_time = event_time(j);
}

/// State.StateChange's "Info" object.
struct StateInfo {
    std::string action;
    std::string to_account;
    std::string reason;
};

void from_json(const json& j, StateInfo& i) {
    expect_object(j, "Info");
    i.action = required<std::string>(j, "Action");
    i.to_account = required<std::string>(j, "To_Account");
    i.reason = required<std::string>(j, "Reason");
}

}  // namespace

// ---------------------------------------------------------------- shared pieces

std::string MsgElement::text() const {
    if (type != "TIMTextElem" || !content.is_object()) return {};
    const auto it = content.find("Text");
    return it != content.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

namespace {

/// A required JSON number (integer or floating point), e.g. Latitude.
double required_number(const json& j, std::string_view key) {
    const auto it = j.find(key);
    if (it == j.end()) fail_missing(j, key);
    if (!it->is_number()) fail_type(*it, quoted(key), "a number");
    return it->get<double>();
}

/// MsgContent (already known to be an object) decoded according to MsgType.
MsgContent decode_content(const std::string& type, const json& c) {
    if (type == "TIMTextElem") return TextElem{required<std::string>(c, "Text")};
    if (type == "TIMLocationElem") {
        return LocationElem{required<std::string>(c, "Desc"), required_number(c, "Latitude"),
                            required_number(c, "Longitude")};
    }
    if (type == "TIMFaceElem") {
        return FaceElem{required<std::int64_t>(c, "Index"), required<std::string>(c, "Data")};
    }
    if (type == "TIMCustomElem") {
        return CustomElem{optional<std::string>(c, "Data"), optional<std::string>(c, "Desc"),
                          optional<std::string>(c, "Ext"), optional<std::string>(c, "Sound")};
    }
    if (type == "TIMSoundElem") {
        return SoundElem{optional<std::string>(c, "Url"), optional<std::string>(c, "UUID"),
                         optional<std::int64_t>(c, "Size"), optional<std::int64_t>(c, "Second"),
                         optional<std::int64_t>(c, "Download_Flag")};
    }
    if (type == "TIMImageElem") {
        return ImageElem{optional<std::string>(c, "UUID"), optional<std::int64_t>(c, "ImageFormat"),
                         list_or_empty<ImageInfo>(c, "ImageInfoArray")};
    }
    if (type == "TIMFileElem") {
        return FileElem{optional<std::string>(c, "Url"), optional<std::string>(c, "UUID"),
                        optional<std::int64_t>(c, "FileSize"), optional<std::string>(c, "FileName"),
                        optional<std::int64_t>(c, "Download_Flag")};
    }
    if (type == "TIMVideoFileElem") {
        VideoFileElem v;
        v.video_url = optional<std::string>(c, "VideoUrl");
        v.video_uuid = optional<std::string>(c, "VideoUUID");
        v.video_size = optional<std::int64_t>(c, "VideoSize");
        v.video_second = optional<std::int64_t>(c, "VideoSecond");
        v.video_format = optional<std::string>(c, "VideoFormat");
        v.video_download_flag = optional<std::int64_t>(c, "VideoDownloadFlag");
        v.thumb_url = optional<std::string>(c, "ThumbUrl");
        v.thumb_uuid = optional<std::string>(c, "ThumbUUID");
        v.thumb_size = optional<std::int64_t>(c, "ThumbSize");
        v.thumb_width = optional<std::int64_t>(c, "ThumbWidth");
        v.thumb_height = optional<std::int64_t>(c, "ThumbHeight");
        v.thumb_format = optional<std::string>(c, "ThumbFormat");
        v.thumb_download_flag = optional<std::int64_t>(c, "ThumbDownloadFlag");
        return v;
    }
    if (type == "TIMRelayElem") {
        RelayElem r;
        r.title = optional<std::string>(c, "Title");
        r.msg_num = optional<std::int64_t>(c, "MsgNum");
        r.compatible_text = optional<std::string>(c, "CompatibleText");
        r.abstract_list = list_or_empty<std::string>(c, "AbstractList");
        r.msg_list = list_or_empty<RelayedMessage>(c, "MsgList");
        r.json_msg_key = optional<std::string>(c, "JsonMsgKey");
        return r;
    }
    return UnknownElem{};
}

}  // namespace

void from_json(const json& j, ImageInfo& i) {
    expect_object(j, "ImageInfoArray element");
    i.type = required<std::int64_t>(j, "Type");
    i.size = required<std::int64_t>(j, "Size");
    i.width = required<std::int64_t>(j, "Width");
    i.height = required<std::int64_t>(j, "Height");
    i.url = required<std::string>(j, "URL");
}

void from_json(const json& j, RelayedMessage& m) {
    expect_object(j, "MsgList element");
    m.from_account = optional<std::string>(j, "From_Account");
    m.to_account = optional<std::string>(j, "To_Account");
    m.group_id = optional<std::string>(j, "GroupId");
    m.msg_seq = optional<std::uint32_t>(j, "MsgSeq");
    m.msg_random = optional<std::uint32_t>(j, "MsgRandom");
    m.msg_time_stamp = optional<std::int64_t>(j, "MsgTimeStamp");
    m.msg_body = list_or_empty<MsgElement>(j, "MsgBody");
    m.cloud_custom_data = optional<std::string>(j, "CloudCustomData");
}

void from_json(const json& j, MsgElement& e) {
    expect_object(j, "MsgBody element");
    e.type = required<std::string>(j, "MsgType");
    e.content = required<json>(j, "MsgContent");
    if (!e.content.is_object()) fail_type(e.content, quoted("MsgContent"), "an object");
    e.typed =
        within(quoted("MsgContent"), e.content, [&] { return decode_content(e.type, e.content); });
}

void to_json(json& j, const MsgElement& e) {
    j = json{{"MsgType", e.type}, {"MsgContent", e.content}};
}

void from_json(const json& j, Account& a) {
    expect_object(j, "Account");
    a.member_account = required<std::string>(j, "Member_Account");
}

void from_json(const json& j, KickedDevice& d) {
    expect_object(j, "KickedDevice element");
    d.platform = required<std::string>(j, "Platform");
}

void from_json(const json& j, UserDefinedData& d) {
    expect_object(j, "UserDefinedDataList element");
    d.key = required<std::string>(j, "Key");
    d.value = required<std::string>(j, "Value");
}

void from_json(const json& j, FriendPair& p) {
    expect_object(j, "PairList element");
    p.from_account = required<std::string>(j, "From_Account");
    p.to_account = required<std::string>(j, "To_Account");
    p.initiator_account = optional<std::string>(j, "Initiator_Account");
}

void from_json(const json& j, FriendAddItem& i) {
    expect_object(j, "FriendItem element");
    i.to_account = required<std::string>(j, "To_Account");
    i.remark = optional<std::string>(j, "Remark");
    i.group_name = optional<std::string>(j, "GroupName");
    i.add_source = optional<std::string>(j, "AddSource");
    i.add_wording = optional<std::string>(j, "AddWording");
}

// ---------------------------------------------------------------- events

void from_json(const json& j, StateChange& e) {
    expect_object(j, StateChange::kCommand);
    e.event_time = event_time(j);
    const auto info = required<StateInfo>(j, "Info");
    e.action = info.action;
    e.to_account = info.to_account;
    e.reason = info.reason;
    e.kicked_device = list_or_empty<KickedDevice>(j, "KickedDevice");
}

void from_json(const json& j, C2CBeforeSendMsg& e) {
    expect_object(j, C2CBeforeSendMsg::kCommand);
    read_c2c_msg(j, e);
}

void from_json(const json& j, C2CAfterSendMsg& e) {
    expect_object(j, C2CAfterSendMsg::kCommand);
    read_c2c_msg(j, e);
    e.send_msg_result = required<int>(j, "SendMsgResult");
    e.error_info = required<std::string>(j, "ErrorInfo");
    e.unread_msg_num = required<int>(j, "UnreadMsgNum");
}

void from_json(const json& j, C2CAfterMsgWithDraw& e) {
    expect_object(j, C2CAfterMsgWithDraw::kCommand);
    e.from_account = required<std::string>(j, "From_Account");
    e.to_account = required<std::string>(j, "To_Account");
    e.msg_key = required<std::string>(j, "MsgKey");
    e.unread_msg_num = required<int>(j, "UnreadMsgNum");
    e.event_time = event_time(j);
}

void from_json(const json& j, GroupBeforeSendMsg& e) {
    expect_object(j, GroupBeforeSendMsg::kCommand);
    read_group_msg(j, e);
}

void from_json(const json& j, GroupAfterSendMsg& e) {
    expect_object(j, GroupAfterSendMsg::kCommand);
    read_group_msg(j, e);
    e.msg_seq = required<std::uint32_t>(j, "MsgSeq");
    e.msg_time = required<std::int64_t>(j, "MsgTime");
}

void from_json(const json& j, GroupBeforeCreateGroup& e) {
    expect_object(j, GroupBeforeCreateGroup::kCommand);
    read_group_creation(j, e);
    e.create_group_num = required<int>(j, "CreateGroupNum");
}

void from_json(const json& j, GroupAfterCreateGroup& e) {
    expect_object(j, GroupAfterCreateGroup::kCommand);
    read_group_creation(j, e);
    e.group_id = required<std::string>(j, "GroupId");
    e.user_defined_data_list = list_or_empty<UserDefinedData>(j, "UserDefinedDataList");
}

void from_json(const json& j, GroupAfterNewMemberJoin& e) {
    expect_object(j, GroupAfterNewMemberJoin::kCommand);
    e.group_id = required<std::string>(j, "GroupId");
    e.type = required<std::string>(j, "Type");
    e.join_type = required<std::string>(j, "JoinType");
    e.operator_account = required<std::string>(j, "Operator_Account");
    e.new_member_list = required<std::vector<Account>>(j, "NewMemberList");
    e.event_time = event_time(j);
}

void from_json(const json& j, GroupAfterMemberExit& e) {
    expect_object(j, GroupAfterMemberExit::kCommand);
    e.group_id = required<std::string>(j, "GroupId");
    e.type = required<std::string>(j, "Type");
    e.exit_type = required<std::string>(j, "ExitType");
    e.operator_account = required<std::string>(j, "Operator_Account");
    e.exit_member_list = required<std::vector<Account>>(j, "ExitMemberList");
    e.event_time = event_time(j);
}

void from_json(const json& j, SnsFriendAdd& e) {
    expect_object(j, SnsFriendAdd::kCommand);
    e.pair_list = required<std::vector<FriendPair>>(j, "PairList");
    e.client_cmd = required<std::string>(j, "ClientCmd");
    e.admin_account = required<std::string>(j, "Admin_Account");
    e.force_flag = required<int>(j, "ForceFlag");
    e.event_time = event_time(j);
}

void from_json(const json& j, SnsPrevFriendAdd& e) {
    expect_object(j, SnsPrevFriendAdd::kCommand);
    e.requester_account = required<std::string>(j, "Requester_Account");
    e.from_account = required<std::string>(j, "From_Account");
    e.friend_item = required<std::vector<FriendAddItem>>(j, "FriendItem");
    e.add_type = required<std::string>(j, "AddType");
    e.force_add_flags = required<int>(j, "ForceAddFlags");
    e.event_time = event_time(j);
}

}  // namespace imcb
