#include "dedup.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include <openssl/evp.h>

#include "imcb/context.h"
#include "hex.h"

namespace imcb {
namespace {

constexpr std::size_t kMaxKeyBytes = 256;

std::string sha256_hex(std::string_view text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
    return detail::hex_lower(md, len);
}

std::string scalar(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "Name=value" for every member naming accounts (…Account, …Account_List, …_Account arrays), in
// key order (nlohmann keeps objects sorted), one level deep.
void accounts(const nlohmann::json& obj, const std::string& prefix, std::vector<std::string>& out) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (it->is_object() && prefix.empty()) {
            accounts(*it, it.key() + ".", out);
        } else if (it.key().find("Account") != std::string::npos && (it->is_string() || it->is_array())) {
            out.push_back(prefix + it.key() + "=" + scalar(*it));
        }
    }
}

}  // namespace

std::string event_key(std::string_view command, const nlohmann::json& body) {
    std::string key(command);
    const auto field = [&](const char* name) -> const nlohmann::json* {
        if (!body.is_object()) return nullptr;
        const auto it = body.find(name);
        return it == body.end() || it->is_null() ? nullptr : &*it;
    };
    if (const auto* k = field("MsgKey"); k != nullptr && command.rfind("C2C.", 0) == 0) {
        key += "|MsgKey=" + scalar(*k);
    } else if (const auto* g = field("GroupId"), *s = field("MsgSeq"); g && s) {
        key += "|GroupId=" + scalar(*g) + "|MsgSeq=" + scalar(*s);
    } else if (const auto* t = field("EventTime")) {
        key += "|EventTime=" + scalar(*t);
        if (g != nullptr) key += "|GroupId=" + scalar(*g);
        std::vector<std::string> names;
        accounts(body, "", names);
        for (const auto& n : names) key += "|" + n;
        // The fields above name the event for people; the body's digest keeps two events of one
        // millisecond apart (member lists, pair lists and other arrays of objects differ there).
        key += "|body=" +
               sha256_hex(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).substr(0, 32);
    } else {
        return key +
               "|body=" + sha256_hex(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    // Edits and extension changes name the message they change: a second edit of the same
    // message is another event, told apart by its time (and the extension version).
    static constexpr std::string_view kChangesOfAMessage[] = {
        "C2C.CallbackAfterModifyMsg", "Group.CallbackAfterModifyMsg", "C2C.CallbackAfterC2CMsgExtension",
        "Group.CallbackAfterGroupMsgExtension"};
    if (std::find(std::begin(kChangesOfAMessage), std::end(kChangesOfAMessage), command) !=
        std::end(kChangesOfAMessage)) {
        if (const auto* t = field("EventTime")) key += "|EventTime=" + scalar(*t);
        if (const auto* v = field("Seq")) key += "|Seq=" + scalar(*v);
    }
    if (key.size() > kMaxKeyBytes) key = std::string(command) + "|sha256=" + sha256_hex(key);
    return key;
}

namespace detail {

DedupStore::Claim DedupStore::claim(const std::string& key, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mu_);
    expire(now);
    const auto it = seen_.find(key);
    if (it != seen_.end() && now - it->second.when < window_) {
        return it->second.pending ? Claim::Pending : Claim::Repeat;
    }
    seen_[key] = Entry{now, true};
    order_.emplace_back(now, key);
    while (order_.size() > max_entries_) {  // the oldest go first
        const auto& [when, old] = order_.front();
        const auto s = seen_.find(old);
        if (s != seen_.end() && s->second.when == when) seen_.erase(s);
        order_.pop_front();
    }
    return Claim::New;
}

void DedupStore::confirm(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = seen_.find(key);
    if (it != seen_.end()) it->second.pending = false;
}

void DedupStore::release(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = seen_.find(key);
    // Only a pending claim: a kept event stays known. (Its order_ entry is dropped in turn.)
    if (it != seen_.end() && it->second.pending) seen_.erase(it);
}

bool DedupStore::claim_kept(const std::string& key, Clock::time_point now) {
    const Claim c = claim(key, now);
    if (c == Claim::New) confirm(key);
    return c == Claim::New;
}

std::size_t DedupStore::size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.size();
}

void DedupStore::expire(Clock::time_point now) {
    while (!order_.empty() && now - order_.front().first >= window_) {
        const auto s = seen_.find(order_.front().second);
        if (s != seen_.end() && s->second.when == order_.front().first) seen_.erase(s);
        order_.pop_front();
    }
}

}  // namespace detail
}  // namespace imcb
