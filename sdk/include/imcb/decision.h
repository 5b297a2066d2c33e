#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imcb {

/// One per-account answer of a friend pre-check (Sns.CallbackPrevFriendAdd ResultItem).
struct FriendCheckResult {
    std::string to_account;
    int result_code = 0;  ///< 0 allows; refusals use 38000..39000
    std::string result_info;
};

/// What a before-callback may answer, declared by each before-event (see events.h).
struct DecisionRules {
    bool can_drop = false;            ///< ErrorCode 2: silently drop
    int custom_code_min = 0;          ///< custom deny codes allowed in [min, max]; 0,0 = none
    int custom_code_max = 0;
    bool can_modify_message = false;  ///< MsgBody / CloudCustomData replacement
    bool can_refuse_members = false;  ///< RefusedMembers_Account
    bool has_friend_results = false;  ///< ResultItem per account
    int result_code_min = 0;          ///< non-zero ResultCode range
    int result_code_max = 0;
};

/// The answer of a before-callback handler. Built by the static factories; the receiver checks it
/// against the command's DecisionRules before replying.
class Decision {
  public:
    enum class Kind { Allow, Deny, Drop, Modify, RefuseMembers, FriendResults };

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
    /// Friend pre-checks: one answer per requested account.
    static Decision friend_results(std::vector<FriendCheckResult> results);

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
};

}  // namespace imcb
