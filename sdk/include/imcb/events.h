#pragma once

// One struct per CallbackCommand. Each declares its command name, whether it is a before-callback
// (its handler returns a Decision) or an after-callback (notification), and for before-callbacks
// the decisions the vendor accepts. Field names follow the vendor's JSON in snake_case.
//
// Conventions:
// - fields the vendor documents as always present are plain members; decoding fails without them;
// - fields that only some versions or cases send are std::optional;
// - EventTime is accepted as a JSON number or a numeric string (the vendor's examples use both);
// - MsgSeq, MsgRandom and Random are unsigned 32-bit.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/decision.h"

namespace imcb {

enum class Phase { Before, After };

// ---------------------------------------------------------------- MsgBody elements
//
// Typed views of MsgContent, one per documented MsgType. Fields that older SDKs (2.x/3.x) or some
// cases leave out are std::optional. The raw MsgContent always stays in MsgElement::content.

struct MsgElement;

/// TIMTextElem.
struct TextElem {
    std::string text;  ///< Text
};

/// TIMLocationElem.
struct LocationElem {
    std::string desc;        ///< Desc
    double latitude = 0.0;   ///< Latitude
    double longitude = 0.0;  ///< Longitude
};

/// TIMFaceElem.
struct FaceElem {
    std::int64_t index = 0;  ///< Index
    std::string data;        ///< Data
};

/// TIMCustomElem.
struct CustomElem {
    std::optional<std::string> data;   ///< Data
    std::optional<std::string> desc;   ///< Desc
    std::optional<std::string> ext;    ///< Ext
    std::optional<std::string> sound;  ///< Sound
};

/// TIMSoundElem (2.x/3.x send only UUID, Size and Second).
struct SoundElem {
    std::optional<std::string> url;             ///< Url
    std::optional<std::string> uuid;            ///< UUID
    std::optional<std::int64_t> size;           ///< Size, bytes
    std::optional<std::int64_t> second;         ///< Second
    std::optional<std::int64_t> download_flag;  ///< Download_Flag (2)
};

/// One entry of TIMImageElem.ImageInfoArray.
struct ImageInfo {
    std::int64_t type = 0;    ///< Type: 1 original, 2 large, 3 thumbnail
    std::int64_t size = 0;    ///< Size, bytes
    std::int64_t width = 0;   ///< Width
    std::int64_t height = 0;  ///< Height
    std::string url;          ///< URL
};
void from_json(const nlohmann::json& j, ImageInfo& i);

/// TIMImageElem.
struct ImageElem {
    std::optional<std::string> uuid;  ///< UUID
    std::optional<std::int64_t>
        image_format;  ///< ImageFormat: JPG 1, GIF 2, PNG 3, BMP 4, other 255
    std::vector<ImageInfo> image_info_array;  ///< ImageInfoArray (empty when absent)
};

/// TIMFileElem (2.x/3.x send only UUID, FileSize and FileName).
struct FileElem {
    std::optional<std::string> url;             ///< Url
    std::optional<std::string> uuid;            ///< UUID
    std::optional<std::int64_t> file_size;      ///< FileSize, bytes
    std::optional<std::string> file_name;       ///< FileName
    std::optional<std::int64_t> download_flag;  ///< Download_Flag (2)
};

/// TIMVideoFileElem (2.x/3.x lack the URLs and download flags).
struct VideoFileElem {
    std::optional<std::string> video_url;             ///< VideoUrl
    std::optional<std::string> video_uuid;            ///< VideoUUID
    std::optional<std::int64_t> video_size;           ///< VideoSize, bytes
    std::optional<std::int64_t> video_second;         ///< VideoSecond
    std::optional<std::string> video_format;          ///< VideoFormat
    std::optional<std::int64_t> video_download_flag;  ///< VideoDownloadFlag (2)
    std::optional<std::string> thumb_url;             ///< ThumbUrl
    std::optional<std::string> thumb_uuid;            ///< ThumbUUID
    std::optional<std::int64_t> thumb_size;           ///< ThumbSize, bytes
    std::optional<std::int64_t> thumb_width;          ///< ThumbWidth
    std::optional<std::int64_t> thumb_height;         ///< ThumbHeight
    std::optional<std::string> thumb_format;          ///< ThumbFormat
    std::optional<std::int64_t> thumb_download_flag;  ///< ThumbDownloadFlag (2)
};

/// One message of TIMRelayElem.MsgList (a forwarded message).
struct RelayedMessage {
    std::optional<std::string> from_account;       ///< From_Account
    std::optional<std::string> to_account;         ///< To_Account
    std::optional<std::string> group_id;           ///< GroupId
    std::optional<std::uint32_t> msg_seq;          ///< MsgSeq
    std::optional<std::uint32_t> msg_random;       ///< MsgRandom
    std::optional<std::int64_t> msg_time_stamp;    ///< MsgTimeStamp, seconds
    std::vector<MsgElement> msg_body;              ///< MsgBody (empty when absent)
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
};
void from_json(const nlohmann::json& j, RelayedMessage& m);

/// TIMRelayElem (merged/forwarded messages): MsgList up to 12 KB, else only JsonMsgKey.
struct RelayElem {
    std::optional<std::string> title;            ///< Title
    std::optional<std::int64_t> msg_num;         ///< MsgNum
    std::optional<std::string> compatible_text;  ///< CompatibleText
    std::vector<std::string> abstract_list;      ///< AbstractList (empty when absent)
    std::vector<RelayedMessage> msg_list;        ///< MsgList (empty when absent)
    std::optional<std::string> json_msg_key;     ///< JsonMsgKey
};

/// Any other MsgType (e.g. TIMStreamElem); the raw JSON is MsgElement::content.
struct UnknownElem {};

using MsgContent = std::variant<TextElem, LocationElem, FaceElem, CustomElem, SoundElem, ImageElem,
                                FileElem, VideoFileElem, RelayElem, UnknownElem>;

/// One element of a message body (MsgBody): {"MsgType": ..., "MsgContent": {...}}.
struct MsgElement {
    std::string type;                  ///< e.g. "TIMTextElem", "TIMCustomElem"
    nlohmann::json content;            ///< MsgContent as sent (to_json re-encodes exactly this)
    MsgContent typed = UnknownElem{};  ///< content decoded according to type

    /// The Text of a TIMTextElem, else empty.
    std::string text() const;
};
void from_json(const nlohmann::json& j, MsgElement& e);
void to_json(nlohmann::json& j, const MsgElement& e);

struct Account {
    std::string member_account;  ///< Member_Account
};
void from_json(const nlohmann::json& j, Account& a);

// ---------------------------------------------------------------- State

struct KickedDevice {
    std::string platform;  ///< "IOS" (sic, upper-case here), "Android", "Web", "Windows", ...
};
void from_json(const nlohmann::json& j, KickedDevice& d);

/// State.StateChange: a user logged in, logged out or disconnected.
struct StateChange {
    static constexpr std::string_view kCommand = "State.StateChange";
    static constexpr Phase kPhase = Phase::After;

    std::optional<std::int64_t> event_time;  ///< ms
    std::string action;                      ///< Info.Action: Login, Logout, Disconnect
    std::string to_account;                  ///< Info.To_Account
    std::string reason;                      ///< Info.Reason: Register/Unregister/LinkClose/TimeOut
    std::vector<KickedDevice> kicked_device;  ///< only on Login with kicked devices, else empty
};
void from_json(const nlohmann::json& j, StateChange& e);

// ---------------------------------------------------------------- C2C

/// C2C.CallbackBeforeSendMsg: a one-to-one message is about to be sent.
struct C2CBeforeSendMsg {
    static constexpr std::string_view kCommand = "C2C.CallbackBeforeSendMsg";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules{true, 120001, 130000, true, false, false, 0, 0};

    std::string from_account;
    std::string to_account;
    std::uint32_t msg_seq = 0;
    std::uint32_t msg_random = 0;
    std::int64_t msg_time = 0;  ///< seconds
    std::string msg_key;
    std::optional<std::string> msg_id;
    std::optional<int> online_only_flag;
    std::vector<MsgElement> msg_body;
    std::optional<std::string> cloud_custom_data;
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, C2CBeforeSendMsg& e);

/// C2C.CallbackAfterSendMsg: a one-to-one message was sent (also fired when delivery failed).
struct C2CAfterSendMsg {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterSendMsg";
    static constexpr Phase kPhase = Phase::After;

    std::string from_account;
    std::string to_account;
    std::uint32_t msg_seq = 0;
    std::uint32_t msg_random = 0;
    std::int64_t msg_time = 0;  ///< seconds
    std::string msg_key;
    std::optional<std::string> msg_id;
    std::optional<int> online_only_flag;
    int send_msg_result = 0;  ///< SendMsgResult: 0 = delivered
    std::string error_info;   ///< ErrorInfo, e.g. "send msg succeed"
    int unread_msg_num = 0;   ///< UnreadMsgNum: -1 when delivery failed
    std::vector<MsgElement> msg_body;
    std::optional<std::string> cloud_custom_data;
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, C2CAfterSendMsg& e);

/// C2C.CallbackAfterMsgWithDraw: a one-to-one message was recalled.
struct C2CAfterMsgWithDraw {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterMsgWithDraw";
    static constexpr Phase kPhase = Phase::After;

    std::string from_account;
    std::string to_account;
    std::string msg_key;
    int unread_msg_num = 0;
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, C2CAfterMsgWithDraw& e);

// ---------------------------------------------------------------- Group

/// Group.CallbackBeforeSendMsg: a group message is about to be sent.
struct GroupBeforeSendMsg {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeSendMsg";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules{true, 10100, 10200, true, false, false, 0, 0};

    std::string group_id;
    std::string type;  ///< Public, Private, ChatRoom, AVChatRoom, Community
    std::string from_account;
    std::string operator_account;
    std::uint32_t random = 0;
    std::optional<std::string> msg_id;
    std::optional<int> online_only_flag;
    std::vector<MsgElement> msg_body;
    std::optional<std::string> cloud_custom_data;
    std::optional<std::string> topic_id;     ///< topic communities only
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, GroupBeforeSendMsg& e);

/// Group.CallbackAfterSendMsg: a group message was sent.
struct GroupAfterSendMsg {
    static constexpr std::string_view kCommand = "Group.CallbackAfterSendMsg";
    static constexpr Phase kPhase = Phase::After;

    std::string group_id;
    std::string type;
    std::string from_account;
    std::string operator_account;
    std::uint32_t random = 0;
    std::uint32_t msg_seq = 0;
    std::int64_t msg_time = 0;  ///< seconds
    std::optional<std::string> msg_id;
    std::optional<int> online_only_flag;
    std::vector<MsgElement> msg_body;
    std::optional<std::string> cloud_custom_data;
    std::optional<std::string> topic_id;     ///< topic communities only
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, GroupAfterSendMsg& e);

/// Group.CallbackBeforeCreateGroup: a group is about to be created.
struct GroupBeforeCreateGroup {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeCreateGroup";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules{false, 10100, 10200, false, false, false, 0, 0};

    std::string operator_account;
    std::optional<std::string> owner_account;  ///< a group may be created without an owner
    std::string type;
    std::string name;
    int create_group_num = 0;                ///< CreateGroupNum: groups the operator created so far
    std::vector<Account> member_list;        ///< initial members; empty when none are sent
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, GroupBeforeCreateGroup& e);

/// One UserDefinedDataList entry: a group's custom field.
struct UserDefinedData {
    std::string key;
    std::string value;
};
void from_json(const nlohmann::json& j, UserDefinedData& d);

/// Group.CallbackAfterCreateGroup: a group was created.
struct GroupAfterCreateGroup {
    static constexpr std::string_view kCommand = "Group.CallbackAfterCreateGroup";
    static constexpr Phase kPhase = Phase::After;

    std::string group_id;
    std::string operator_account;
    std::optional<std::string> owner_account;  ///< a group may be created without an owner
    std::string type;
    std::string name;
    std::vector<Account> member_list;                     ///< empty when none are sent
    std::vector<UserDefinedData> user_defined_data_list;  ///< empty when none are sent
    std::optional<std::int64_t> event_time;               ///< ms
};
void from_json(const nlohmann::json& j, GroupAfterCreateGroup& e);

/// Group.CallbackAfterNewMemberJoin: members joined a group.
struct GroupAfterNewMemberJoin {
    static constexpr std::string_view kCommand = "Group.CallbackAfterNewMemberJoin";
    static constexpr Phase kPhase = Phase::After;

    std::string group_id;
    std::string type;
    std::string join_type;  ///< Apply, Invited
    std::string operator_account;
    std::vector<Account> new_member_list;
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, GroupAfterNewMemberJoin& e);

/// Group.CallbackAfterMemberExit: members left a group.
struct GroupAfterMemberExit {
    static constexpr std::string_view kCommand = "Group.CallbackAfterMemberExit";
    static constexpr Phase kPhase = Phase::After;

    std::string group_id;
    std::string type;
    std::string exit_type;  ///< Kicked, Quit
    std::string operator_account;
    std::vector<Account> exit_member_list;
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, GroupAfterMemberExit& e);

// ---------------------------------------------------------------- Sns (relationship chain)

/// One PairList entry of Sns.CallbackFriendAdd.
struct FriendPair {
    std::string from_account;
    std::string to_account;
    std::optional<std::string> initiator_account;  ///< who sent the request; not in older payloads
};
void from_json(const nlohmann::json& j, FriendPair& p);

/// Sns.CallbackFriendAdd: friendships were established.
struct SnsFriendAdd {
    static constexpr std::string_view kCommand = "Sns.CallbackFriendAdd";
    static constexpr Phase kPhase = Phase::After;

    std::vector<FriendPair> pair_list;
    std::string client_cmd;     ///< friend_add, FriendAdd, friend_response, FriendResponse
    std::string admin_account;  ///< the REST API admin, "" for client requests
    int force_flag = 0;         ///< ForceFlag: 1 = added without the peer's consent
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, SnsFriendAdd& e);

/// One FriendItem entry of Sns.CallbackPrevFriendAdd: a requested friend.
struct FriendAddItem {
    std::string to_account;
    std::optional<std::string> remark;
    std::optional<std::string> group_name;
    std::optional<std::string> add_source;  ///< AddSource_Type_...
    std::optional<std::string> add_wording;
};
void from_json(const nlohmann::json& j, FriendAddItem& i);

/// Sns.CallbackPrevFriendAdd: a client is about to add friends. Answer per To_Account.
struct SnsPrevFriendAdd {
    static constexpr std::string_view kCommand = "Sns.CallbackPrevFriendAdd";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules{false, 0, 0, false, false, true, 38000, 39000};

    std::string requester_account;
    std::string from_account;
    std::vector<FriendAddItem> friend_item;
    std::string add_type;  ///< Add_Type_Single, Add_Type_Both
    int force_add_flags = 0;
    std::optional<std::int64_t> event_time;  ///< ms
};
void from_json(const nlohmann::json& j, SnsPrevFriendAdd& e);

}  // namespace imcb
