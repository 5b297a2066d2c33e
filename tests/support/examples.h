#pragma once

// The example bodies of tests/fixtures for unit tests: the vendor's own (tests/fixtures/<Command>.json)
// or, for commands without one, the body built from the documented field table
// (tests/fixtures/documented/<Command>.json); and the helpers the event tests share.

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "imcb/commands.h"
#include "imcb/events.h"

#ifndef IMCB_FIXTURES_DIR
#error "IMCB_FIXTURES_DIR must point at tests/fixtures"
#endif

namespace imcb::test {

/// The parsed file, or an empty object plus a test failure when it cannot be read.
inline nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        ADD_FAILURE() << "cannot open " << path;
        return nlohmann::json::object();
    }
    return nlohmann::json::parse(in);
}

/// The example body of a command, from either folder.
inline nlohmann::json example_body(const std::string& command) {
    for (const std::string dir : {"", "/documented"}) {
        std::ifstream in(std::string(IMCB_FIXTURES_DIR) + dir + "/" + command + ".json");
        if (in) return nlohmann::json::parse(in);
    }
    ADD_FAILURE() << "no example body for " << command;
    return nlohmann::json::object();
}

/// The example body of Event; for batched commands, the batch's first event.
template <class Event>
nlohmann::json fixture() {
    const nlohmann::json body = example_body(std::string(Event::kCommand));
    if constexpr (is_batched_v<Event>) return body.at("Events").at(0);
    return body;
}

/// fixture<Event>() decoded; the body names its own command where the vendor sends one.
template <class Event>
Event decode_fixture() {
    const nlohmann::json body = fixture<Event>();
    if constexpr (detail::command_in_body<Event>::value) {
        EXPECT_EQ(body.value("CallbackCommand", ""), Event::kCommand);
    }
    return body.template get<Event>();
}

/// what() of the decode error, or "" (plus a test failure) when decoding succeeds.
template <class Event>
std::string decode_error(const nlohmann::json& body) {
    try {
        (void)body.get<Event>();
    } catch (const nlohmann::json::exception& e) {
        return e.what();
    }
    ADD_FAILURE() << "decoding succeeded: " << body.dump();
    return {};
}

/// what() of the DecisionError thrown by make, or "" (plus a test failure) when nothing is thrown.
template <class F>
std::string decision_error(F&& make) {
    try {
        (void)make();
    } catch (const DecisionError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no DecisionError";
    return {};
}

/// A MsgBody of one TIMTextElem with this text.
inline void expect_text_body(const std::vector<MsgElement>& body, const std::string& text) {
    ASSERT_EQ(body.size(), 1u);
    EXPECT_EQ(body[0].type, "TIMTextElem");
    EXPECT_EQ(body[0].text(), text);
    EXPECT_EQ(body[0].content, (nlohmann::json{{"Text", text}}));
}

inline void expect_accounts(const std::vector<Account>& list, const std::vector<std::string>& expected) {
    ASSERT_EQ(list.size(), expected.size());
    for (std::size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].member_account, expected[i]);
}

inline void expect_accounts(const std::optional<std::vector<Account>>& list,
                            const std::vector<std::string>& expected) {
    ASSERT_TRUE(list.has_value());
    expect_accounts(*list, expected);
}

}  // namespace imcb::test
