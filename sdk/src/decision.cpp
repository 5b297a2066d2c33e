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

Decision Decision::refuse_subscribers(std::vector<std::string> accounts) {
    Decision d;
    d.kind_ = Kind::RefuseSubscribers;
    d.refused_ = std::move(accounts);
    return d;
}

Decision Decision::friend_results(std::vector<FriendCheckResult> results) {
    Decision d;
    d.kind_ = Kind::FriendResults;
    d.results_ = std::move(results);
    return d;
}

Decision Decision::respond(std::string rsp_data) {
    Decision d;
    d.kind_ = Kind::Respond;
    d.rsp_data_ = std::move(rsp_data);
    return d;
}

namespace {

/// Empty when body is a message the vendor accepts: a non-empty array of {"MsgType": string,
/// "MsgContent": object} with at most one TIMCustomElem.
std::string message_body_problem(const nlohmann::json& body) {
    if (!body.is_array() || body.empty()) {
        return "modify(): MsgBody must be a non-empty array of message elements";
    }
    int custom = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const auto& e = body[i];
        const auto type = e.is_object() ? e.find("MsgType") : e.end();
        const auto content = e.is_object() ? e.find("MsgContent") : e.end();
        if (!e.is_object() || type == e.end() || !type->is_string() || content == e.end() ||
            !content->is_object()) {
            return "modify(): MsgBody[" + std::to_string(i) +
                   "] must be {\"MsgType\": string, \"MsgContent\": object}";
        }
        if (*type == "TIMCustomElem") ++custom;
    }
    if (custom > 1) return "modify(): a message holds at most one TIMCustomElem";
    return {};
}

std::string account_list_problem(const std::vector<std::string>& accounts, const char* what) {
    if (accounts.empty()) return std::string(what) + ": name at least one account (or allow())";
    for (const auto& a : accounts) {
        if (a.empty()) return std::string(what) + ": an account name is empty";
    }
    return {};
}

}  // namespace

std::string Decision::violation(const DecisionRules& r) const {
    switch (kind_) {
        case Kind::Allow:
            if (r.has_rsp_data) {
                return "this command is answered with respond(RspData), or deny() to pass nothing back";
            }
            return {};
        case Kind::Deny:
            if (error_code_ == 1) return {};
            if (r.custom_code_min != 0 && error_code_ >= r.custom_code_min &&
                error_code_ <= r.custom_code_max) {
                return {};
            }
            if (r.custom_code_min == 0) {
                return "deny code " + std::to_string(error_code_) +
                       ": this command takes no custom codes, use deny()";
            }
            return "deny code " + std::to_string(error_code_) + " is outside " +
                   std::to_string(r.custom_code_min) + ".." + std::to_string(r.custom_code_max) +
                   " (or 1 for the vendor's generic refusal)";
        case Kind::Drop:
            return r.can_drop ? std::string{} : "this command cannot be silently dropped";
        case Kind::Modify:
            if (!r.can_modify_message) return "this command's message cannot be modified";
            if (!msg_body_ && !cloud_custom_data_) return "modify() needs a MsgBody or CloudCustomData";
            if (msg_body_) return message_body_problem(*msg_body_);
            return {};
        case Kind::RefuseMembers:
            if (!r.can_refuse_members) return "this command has no member refusal";
            return account_list_problem(refused_, "refuse_members()");
        case Kind::RefuseSubscribers:
            if (!r.can_refuse_subscribers) return "this command has no subscriber refusal";
            return account_list_problem(refused_, "refuse_subscribers()");
        case Kind::FriendResults:
            if (!r.has_friend_results) return "this command has no per-account results";
            if (results_.empty()) return "friend_results(): answer at least one account";
            for (const auto& item : results_) {
                if (item.to_account.empty()) return "friend_results(): a To_Account is empty";
                if (item.result_code != 0 &&
                    (item.result_code < r.result_code_min || item.result_code > r.result_code_max)) {
                    return "ResultCode " + std::to_string(item.result_code) + " for " + item.to_account +
                           " is outside " + std::to_string(r.result_code_min) + ".." +
                           std::to_string(r.result_code_max);
                }
            }
            return {};
        case Kind::Respond:
            return r.has_rsp_data ? std::string{} : "this command passes no RspData back";
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
        case Kind::RefuseSubscribers:
            j["RefusedSubscribers_Account"] = refused_;
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
        case Kind::Respond:
            j["RspData"] = rsp_data_;
            break;
        default:
            break;
    }
    return j;
}

}  // namespace imcb
