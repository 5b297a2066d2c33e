// The command registry against the fixtures and the docs: every example body the vendor documents
// (tests/fixtures/<Command>.json) and every body built from a documented field table
// (tests/fixtures/documented/<Command>.json) belongs to a known command, decodes into its typed
// event and re-encodes to the same JSON; every known command has such a body; docs/callbacks.md
// is the registry's own rendering.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalogue_markdown.h"
#include "imcb/commands.h"

#ifndef IMCB_FIXTURES_DIR
#error "IMCB_FIXTURES_DIR must point at tests/fixtures"
#endif
#ifndef IMCB_DOCS_DIR
#error "IMCB_DOCS_DIR must point at docs/"
#endif

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// Command name -> body, from the vendor's examples and from the documented field tables.
std::map<std::string, json> all_fixtures() {
    std::map<std::string, json> out;
    for (const fs::path& dir : {fs::path(IMCB_FIXTURES_DIR), fs::path(IMCB_FIXTURES_DIR) / "documented"}) {
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
            const std::string command = entry.path().stem().string();
            EXPECT_EQ(out.count(command), 0u) << command << " has two example bodies";
            out[command] = json::parse(read_file(entry.path()));
        }
    }
    return out;
}

/// EventTime is re-encoded as a number, its documented type; the vendor's examples also write it
/// as a string of digits.
json with_numeric_event_times(json j) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (it.key() == "EventTime" && it->is_string()) {
                *it = std::stoll(it->get<std::string>());
            } else {
                *it = with_numeric_event_times(*it);
            }
        }
    } else if (j.is_array()) {
        for (auto& e : j) e = with_numeric_event_times(e);
    }
    return j;
}

TEST(Catalogue, EveryFixtureIsAKnownCommandAndRoundTrips) {
    const auto fixtures = all_fixtures();
    ASSERT_GE(fixtures.size(), 41u);
    for (const auto& [command, body] : fixtures) {
        SCOPED_TRACE(command);
        const imcb::CommandInfo* info = imcb::find_command(command);
        if (info == nullptr) {
            ADD_FAILURE() << "no typed event for " << command;
            continue;
        }
        if (info->batched) {
            ASSERT_TRUE(body.contains("Events"));
            ASSERT_FALSE(body.at("Events").empty());
            for (const json& event : body.at("Events")) {
                EXPECT_EQ(info->round_trip(event), with_numeric_event_times(event));
            }
        } else {
            EXPECT_EQ(info->round_trip(body), with_numeric_event_times(body));
        }
    }
}

TEST(Catalogue, EveryKnownCommandHasAnExampleBody) {
    const auto fixtures = all_fixtures();
    for (const auto& info : imcb::command_catalogue()) {
        EXPECT_EQ(fixtures.count(std::string(info.command)), 1u)
            << info.command << " has no body in tests/fixtures or tests/fixtures/documented";
    }
}

TEST(Catalogue, CommandsAreUniqueAndFoundByName) {
    std::set<std::string_view> names;
    for (const auto& info : imcb::command_catalogue()) {
        EXPECT_TRUE(names.insert(info.command).second) << info.command << " is listed twice";
        EXPECT_EQ(imcb::find_command(info.command), &info);
        EXPECT_FALSE(info.summary.empty()) << info.command;
        EXPECT_NE(info.type_name.find("imcb::"), std::string_view::npos) << info.type_name;
    }
    EXPECT_EQ(imcb::find_command("Nope.Nothing"), nullptr);
    EXPECT_EQ(imcb::find_command(""), nullptr);
}

TEST(Catalogue, EveryFixtureRejectsAMissingRequiredFieldWithItsName) {
    // Dropping any top-level key either still decodes (an optional field, or an unknown one) or
    // fails with a message naming that key: never a crash, never an unnamed error.
    for (const auto& [command, body] : all_fixtures()) {
        const imcb::CommandInfo* info = imcb::find_command(command);
        if (info == nullptr) continue;
        const json event = info->batched ? body.at("Events").at(0) : body;
        for (auto it = event.begin(); it != event.end(); ++it) {
            json without = event;
            without.erase(it.key());
            try {
                (void)info->round_trip(without);
            } catch (const imcb::DecodeError& e) {
                EXPECT_NE(std::string(e.what()).find("\"" + it.key() + "\""), std::string::npos)
                    << command << ": " << e.what();
            }
        }
    }
}

TEST(Catalogue, TheReadmeCountsTheTypedCommands) {
    const std::string readme = read_file(fs::path(IMCB_DOCS_DIR) / ".." / "README.md");
    const std::string said = std::to_string(imcb::command_catalogue().size()) + " of them";
    EXPECT_NE(readme.find("struct per documented command, " + said), std::string::npos)
        << "README.md should say \"" << said << "\"";
}

TEST(Catalogue, DocsCallbacksMdIsGeneratedFromTheRegistry) {
    const std::string on_disk = read_file(fs::path(IMCB_DOCS_DIR) / "callbacks.md");
    EXPECT_EQ(on_disk, imcb::tools::catalogue_markdown())
        << "docs/callbacks.md is stale: run build/tools/imcb-catalogue > docs/callbacks.md";
    for (const auto& info : imcb::command_catalogue()) {
        EXPECT_NE(on_disk.find("`" + std::string(info.command) + "`"), std::string::npos) << info.command;
    }
}

}  // namespace
