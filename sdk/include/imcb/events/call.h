#pragma once

// Audio and video calls (Call.*, the call service's webhooks; set with its set_callback REST API,
// not in the IM console). Each is a notification: the reply cannot change the call.

#include "imcb/events/common.h"

namespace imcb {

/// One UserList entry of the call callbacks: a member and where they are in the call.
struct CallMember {
    std::string user_account;  ///< User_Account (some examples send it as a number: kept as digits)
    std::string status;        ///< Status: "Calling" (in the call), "Waiting" (not connected yet)
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field<codec::Id>("User_Account", &CallMember::user_account),
                               field("Status", &CallMember::status));
    }
};

/// Call.CallbackAfterStartCall's CallInfo object.
struct CallInfo {
    std::string call_id;                         ///< CallId
    std::optional<std::string> call_media_type;  ///< CallMediaType: "Audio" or "Video" (the example)
    std::optional<std::string> media_type;       ///< MediaType: the same, as the field table names it
    std::optional<std::string> chat_group_id;    ///< ChatGroupId: the IM group of a group call
    std::optional<std::string> room_id;          ///< RoomId: the TRTC room
    std::optional<int> room_id_type;             ///< RoomIdType: 1 = numeric room, 2 = string room
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(
            field("CallId", &CallInfo::call_id), field("CallMediaType", &CallInfo::call_media_type),
            field("MediaType", &CallInfo::media_type), field("ChatGroupId", &CallInfo::chat_group_id),
            field<codec::Id>("RoomId", &CallInfo::room_id), field("RoomIdType", &CallInfo::room_id_type));
    }
};

/// Call.CallbackAfterStartCall: a user started an audio or video call.
struct CallAfterStartCall {
    static constexpr std::string_view kCommand = "Call.CallbackAfterStartCall";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user started an audio or video call";

    CallInfo call_info;                      ///< CallInfo
    std::vector<CallMember> user_list;       ///< UserList: the caller ("Calling") and callees
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = CallAfterStartCall;
        return std::make_tuple(field("CallInfo", &E::call_info), field("UserList", &E::user_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Call.CallbackAfterEndCall's CallRecord object.
struct CallRecord {
    std::string call_id;                      ///< CallId
    std::string caller_account;               ///< Caller_Account
    std::optional<std::string> media_type;    ///< MediaType: "Audio" or "Video"
    std::optional<std::string> call_type;     ///< CallType: "SingleCall" or "MultiCall"
    std::optional<std::int64_t> start_time;   ///< StartTime, seconds
    std::optional<std::int64_t> end_time;     ///< EndTime, seconds
    std::optional<std::int64_t> accept_time;  ///< AcceptTime, seconds: 0 when never answered
    /// CallResult: Cancel, Reject, NotAnswer, NormalEnd, CallBusy, Interrupt, Offline (one page
    /// types it as an integer: then its digits)
    std::optional<std::string> call_result;
    std::optional<std::vector<std::string>> callee_list_account;  ///< CalleeList_Account
    std::optional<std::string> room_id;                           ///< RoomId
    std::optional<int> room_id_type;  ///< RoomIdType: 1 = numeric room, 2 = string room
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using R = CallRecord;
        return std::make_tuple(
            field("CallId", &R::call_id), field<codec::Id>("Caller_Account", &R::caller_account),
            field("MediaType", &R::media_type), field("CallType", &R::call_type),
            field("StartTime", &R::start_time), field("EndTime", &R::end_time),
            field("AcceptTime", &R::accept_time), field<codec::Id>("CallResult", &R::call_result),
            field<codec::Id>("CalleeList_Account", &R::callee_list_account),
            field<codec::Id>("RoomId", &R::room_id), field("RoomIdType", &R::room_id_type));
    }
};

/// Call.CallbackAfterEndCall: a call ended (at most one member left); its record.
struct CallAfterEndCall {
    static constexpr std::string_view kCommand = "Call.CallbackAfterEndCall";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a call ended; the record says how";

    CallRecord call_record;                  ///< CallRecord
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = CallAfterEndCall;
        return std::make_tuple(field("CallRecord", &E::call_record),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One ChangedUserList entry of Call.CallbackAfterMemberChanged.
struct CallMemberChange {
    std::string user_account;  ///< User_Account: the member whose state changed
    /// ActionType: what they did. The pages spell the values differently (Accept/Answer,
    /// Hangup/HangUp, Invite/Invited, Cancel_Invite...): kept as sent.
    std::string action_type;
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field<codec::Id>("User_Account", &CallMemberChange::user_account),
                               field("ActionType", &CallMemberChange::action_type));
    }
};

/// Call.CallbackAfterMemberChanged: call members answered, declined, hung up, joined, dropped
/// offline or were invited.
struct CallAfterMemberChanged {
    static constexpr std::string_view kCommand = "Call.CallbackAfterMemberChanged";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary =
        "call members answered, declined, hung up, joined or were invited";

    std::string call_id;                              ///< CallId
    std::vector<CallMember> user_list;                ///< UserList: every member now
    std::vector<CallMemberChange> changed_user_list;  ///< ChangedUserList: who changed, and how
    std::optional<std::int64_t> event_time;           ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = CallAfterMemberChanged;
        return std::make_tuple(field("CallId", &E::call_id), field("UserList", &E::user_list),
                               field("ChangedUserList", &E::changed_user_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

using CallEvents = EventList<CallAfterStartCall, CallAfterEndCall, CallAfterMemberChanged>;

}  // namespace imcb
