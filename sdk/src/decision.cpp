#include "imcb/decision.h"

namespace imcb {

Decision Decision::allow() { return Decision(); }

Decision Decision::deny() {
    Decision d;
    d.kind_ = Kind::Deny;
    d.error_code_ = 1;
    return d;
}

Decision Decision::deny(int error_code, std::string error_info) {
    Decision d;
    d.kind_ = Kind::Deny;
    d.error_code_ = error_code;
    d.error_info_ = std::move(error_info);
    return d;
}

Decision Decision::drop() {
    Decision d;
    d.kind_ = Kind::Drop;
    d.error_code_ = 2;
    return d;
}

Decision Decision::modify(std::optional<nlohmann::json> msg_body,
                          std::optional<std::string> cloud_custom_data) {
    Decision d;
    d.kind_ = Kind::Modify;
    d.msg_body_ = std::move(msg_body);
    d.cloud_custom_data_ = std::move(cloud_custom_data);
    return d;
}

Decision Decision::refuse_members(std::vector<std::string> accounts) {
    Decision d;
    d.kind_ = Kind::RefuseMembers;
    d.refused_ = std::move(accounts);
    return d;
}

Decision Decision::friend_results(std::vector<FriendCheckResult> results) {
    Decision d;
    d.kind_ = Kind::FriendResults;
    d.results_ = std::move(results);
    return d;
}

std::string Decision::violation(const DecisionRules& r) const {
    switch (kind_) {
        case Kind::Allow:
            return {};
        case Kind::Deny:
            if (error_code_ == 1) return {};
            if (r.custom_code_min != 0 && error_code_ >= r.custom_code_min &&
                error_code_ <= r.custom_code_max) {
                return {};
            }
            if (r.custom_code_min == 0) {
                return "deny code " + std::to_string(error_code_) +
                       ": this command takes no custom codes, use Decision::deny()";
            }
            return "deny code " + std::to_string(error_code_) + " is outside " +
                   std::to_string(r.custom_code_min) + ".." + std::to_string(r.custom_code_max) +
                   " (or 1 for the vendor's generic refusal)";
        case Kind::Drop:
            return r.can_drop ? std::string{} : "this command cannot be silently dropped";
        case Kind::Modify:
            if (!r.can_modify_message) return "this command's message cannot be modified";
            if (!msg_body_ && !cloud_custom_data_) return "modify() needs a MsgBody or CloudCustomData";
            if (msg_body_ && (!msg_body_->is_array() || msg_body_->empty())) {
                return "modify(): MsgBody must be a non-empty array of message elements";
            }
            return {};
        case Kind::RefuseMembers:
            return r.can_refuse_members ? std::string{} : "this command has no member refusal";
        case Kind::FriendResults:
            if (!r.has_friend_results) return "this command has no per-account results";
            for (const auto& item : results_) {
                if (item.result_code != 0 &&
                    (item.result_code < r.result_code_min || item.result_code > r.result_code_max)) {
                    return "ResultCode " + std::to_string(item.result_code) + " for " +
                           item.to_account + " is outside " + std::to_string(r.result_code_min) +
                           ".." + std::to_string(r.result_code_max);
                }
            }
            return {};
    }
    return "unknown decision";
}

nlohmann::json Decision::to_reply() const {
    nlohmann::json j = {{"ActionStatus", "OK"}, {"ErrorCode", error_code_}, {"ErrorInfo", error_info_}};
    switch (kind_) {
        case Kind::Modify:
            if (msg_body_) j["MsgBody"] = *msg_body_;
            if (cloud_custom_data_) j["CloudCustomData"] = *cloud_custom_data_;
            break;
        case Kind::RefuseMembers:
            j["RefusedMembers_Account"] = refused_;
            break;
        case Kind::FriendResults: {
            nlohmann::json items = nlohmann::json::array();
            for (const auto& r : results_) {
                items.push_back({{"To_Account", r.to_account},
                                 {"ResultCode", r.result_code},
                                 {"ResultInfo", r.result_info}});
            }
            j["ResultItem"] = std::move(items);
            break;
        }
        default:
            break;
    }
    return j;
}

}  // namespace imcb
