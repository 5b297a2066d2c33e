#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/errors.h"
#include "imcb/export.h"

namespace imcb {

/// One per-account answer of a friend pre-check (ResultItem of Sns.CallbackPrevFriendAdd and
/// Sns.CallbackPrevFriendResponse).
struct FriendCheckResult {
    std::string to_account;
    int result_code = 0;  ///< 0 allows; refusals use 38000..39000
    std::string result_info;

    static FriendCheckResult allow(std::string to_account) { return {std::move(to_account), 0, {}}; }
    static FriendCheckResult refuse(std::string to_account, int result_code, std::string result_info) {
        return {std::move(to_account), result_code, std::move(result_info)};
    }
};

/// What a before-callback may answer, declared by each before-event (see events/*.h) with one of
/// the named constructors below.
struct DecisionRules {
    bool can_drop = false;    ///< ErrorCode 2: silently drop
    int custom_code_min = 0;  ///< custom deny codes allowed in [min, max]; 0,0 = none
    int custom_code_max = 0;
    bool can_modify_message = false;      ///< MsgBody / CloudCustomData replacement
    bool can_refuse_members = false;      ///< RefusedMembers_Account
    bool can_refuse_subscribers = false;  ///< RefusedSubscribers_Account
    bool has_friend_results = false;      ///< ResultItem per account
    int result_code_min = 0;              ///< non-zero ResultCode range
    int result_code_max = 0;
    bool has_rsp_data = false;  ///< RspData: content passed back (chatbot pass-through)

    /// allow / deny (ErrorCode 1) only.
    static constexpr DecisionRules allow_or_deny() { return {}; }
    /// allow / deny / deny with a custom code in [min, max].
    static constexpr DecisionRules custom_codes(int min, int max) {
        DecisionRules r;
        r.custom_code_min = min;
        r.custom_code_max = max;
        return r;
    }
    /// Messages: custom codes, silent drop, and modify (MsgBody, CloudCustomData).
    static constexpr DecisionRules message(int min, int max) {
        DecisionRules r = custom_codes(min, max);
        r.can_drop = true;
        r.can_modify_message = true;
        return r;
    }
    /// Friend pre-checks: a ResultItem per account, refusals in [min, max].
    static constexpr DecisionRules friend_check(int min, int max) {
        DecisionRules r;
        r.has_friend_results = true;
        r.result_code_min = min;
        r.result_code_max = max;
        return r;
    }
    /// Chatbot pass-through: respond(RspData) or deny() (ErrorCode 1: nothing is passed back).
    static constexpr DecisionRules pass_through_reply() {
        DecisionRules r;
        r.has_rsp_data = true;
        return r;
    }
    constexpr DecisionRules with_silent_drop() const {
        DecisionRules r = *this;
        r.can_drop = true;
        return r;
    }
    constexpr DecisionRules with_message_change() const {
        DecisionRules r = *this;
        r.can_modify_message = true;
        return r;
    }
    constexpr DecisionRules with_member_refusal() const {
        DecisionRules r = *this;
        r.can_refuse_members = true;
        return r;
    }
    constexpr DecisionRules with_subscriber_refusal() const {
        DecisionRules r = *this;
        r.can_refuse_subscribers = true;
        return r;
    }
};

/// Thrown by Reply<Event> factories when the answer is not one the command accepts (a deny code
/// outside its documented range, an empty modified MsgBody, ...). The message says what is allowed.
class IMCB_API DecisionError : public Error {
  public:
    explicit DecisionError(const std::string& message) : Error(message) {}
};

/// An untyped answer, as raw handlers (Receiver::on_raw / on_unknown) return it. The receiver
/// checks it against the command's DecisionRules before replying. Typed handlers return
/// Reply<Event>, which cannot hold an answer the command does not accept.
class IMCB_API Decision {
  public:
    enum class Kind { Allow, Deny, Drop, Modify, RefuseMembers, RefuseSubscribers, FriendResults, Respond };

    static Decision allow();
    /// ErrorCode 1: the vendor refuses the event with its generic error.
    static Decision deny();
    /// A custom code from the command's documented range (e.g. 120001..130000 for C2C messages),
    /// with the text the vendor shows to the client.
    static Decision deny(int error_code, std::string error_info);
    /// ErrorCode 2: the sender sees success, nothing is delivered.
    static Decision drop();
    /// Deliver a changed message: a new MsgBody array and/or CloudCustomData.
    static Decision modify(std::optional<nlohmann::json> msg_body,
                           std::optional<std::string> cloud_custom_data = std::nullopt);
    /// Group invitations: invite everyone except these accounts.
    static Decision refuse_members(std::vector<std::string> accounts);
    /// Official-account subscriptions: accept everyone except these accounts.
    static Decision refuse_subscribers(std::vector<std::string> accounts);
    /// Friend pre-checks: one answer per requested account.
    static Decision friend_results(std::vector<FriendCheckResult> results);
    /// Chatbot pass-through: ErrorCode 0 with RspData, which the vendor passes to the chatbot.
    static Decision respond(std::string rsp_data);

    Kind kind() const noexcept { return kind_; }
    int error_code() const noexcept { return error_code_; }
    const std::string& error_info() const noexcept { return error_info_; }

    /// Empty when the decision fits the rules, else what is wrong.
    std::string violation(const DecisionRules& rules) const;
    /// The reply body the vendor expects.
    nlohmann::json to_reply() const;

  private:
    Decision() = default;
    Kind kind_ = Kind::Allow;
    int error_code_ = 0;
    std::string error_info_;
    std::optional<nlohmann::json> msg_body_;
    std::optional<std::string> cloud_custom_data_;
    std::vector<std::string> refused_;
    std::vector<FriendCheckResult> results_;
    std::string rsp_data_;
};

/// The typed answer of a before-callback handler for Event (e.g. Reply<C2CBeforeSendMsg>, also
/// spelled C2CBeforeSendMsg::Reply). Only the answers the vendor documents for that command
/// compile (drop() on a group creation does not), and the factories check values at once: a deny
/// code outside the command's range, a modified MsgBody that is not a valid message, or a
/// ResultCode outside 38000..39000 throw DecisionError naming the command and the allowed values.
template <class Event>
class Reply {
  public:
    /// ErrorCode 0: the event proceeds.
    static Reply allow() {
        static_assert(
            !Event::kRules.has_friend_results,
            "friend pre-checks are answered per account: use friend_results() with one FriendCheckResult per requested account (the vendor ignores a top-level ErrorCode)");
        static_assert(
            !Event::kRules.has_rsp_data,
            "a pass-through callback is answered with respond(RspData), or deny() to pass nothing back");
        return Reply(Decision::allow());
    }
    /// ErrorCode 1: the vendor refuses the event with its generic error.
    static Reply deny() {
        static_assert(
            !Event::kRules.has_friend_results,
            "friend pre-checks are answered per account: use friend_results() with one FriendCheckResult per requested account (the vendor ignores a top-level ErrorCode)");
        return Reply(Decision::deny());
    }
    /// A custom code from the command's documented range, with the text shown to the client.
    static Reply deny(int error_code, std::string error_info) {
        static_assert(Event::kRules.custom_code_min != 0,
                      "this command takes no custom deny codes: use deny()");
        return checked(Decision::deny(error_code, std::move(error_info)));
    }
    /// ErrorCode 2: the sender sees success, nothing is delivered.
    static Reply drop() {
        static_assert(Event::kRules.can_drop, "this command cannot be silently dropped");
        return Reply(Decision::drop());
    }
    /// Deliver a changed message: a new MsgBody (a non-empty array of message elements, at most
    /// one TIMCustomElem) and/or new CloudCustomData.
    static Reply modify(std::optional<nlohmann::json> msg_body,
                        std::optional<std::string> cloud_custom_data = std::nullopt) {
        static_assert(Event::kRules.can_modify_message, "this command's message cannot be modified");
        return checked(Decision::modify(std::move(msg_body), std::move(cloud_custom_data)));
    }
    /// Group invitations: invite everyone except these accounts (ErrorCode 0).
    static Reply refuse_members(std::vector<std::string> accounts) {
        static_assert(Event::kRules.can_refuse_members, "this command has no member refusal");
        return checked(Decision::refuse_members(std::move(accounts)));
    }
    /// Official-account subscriptions: subscribe everyone except these accounts (ErrorCode 0).
    static Reply refuse_subscribers(std::vector<std::string> accounts) {
        static_assert(Event::kRules.can_refuse_subscribers, "this command has no subscriber refusal");
        return checked(Decision::refuse_subscribers(std::move(accounts)));
    }
    /// Friend pre-checks: one answer per requested account.
    static Reply friend_results(std::vector<FriendCheckResult> results) {
        static_assert(Event::kRules.has_friend_results, "this command has no per-account results");
        return checked(Decision::friend_results(std::move(results)));
    }

    /// Chatbot pass-through: ErrorCode 0 and this RspData, passed back to the chatbot.
    static Reply respond(std::string rsp_data) {
        static_assert(Event::kRules.has_rsp_data, "this command passes no RspData back");
        return checked(Decision::respond(std::move(rsp_data)));
    }

    const Decision& decision() const noexcept { return decision_; }

  private:
    explicit Reply(Decision d) : decision_(std::move(d)) {}
    static Reply checked(Decision d) {
        std::string why = d.violation(Event::kRules);
        if (!why.empty()) throw DecisionError(std::string(Event::kCommand) + ": " + why);
        return Reply(std::move(d));
    }
    Decision decision_;
};

}  // namespace imcb
