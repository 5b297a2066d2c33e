// Platform names: State.StateChange's "IOS" and everyone else's "iOS" are the same platform.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "imcb/context.h"
#include "imcb/events.h"

namespace {

using imcb::Platform;
using imcb::platform_of;

TEST(Platform, IosIsTheSamePlatformInEitherSpelling) {
    EXPECT_EQ(platform_of("iOS"), Platform::IOS);
    EXPECT_EQ(platform_of("IOS"), Platform::IOS);
    EXPECT_STREQ(imcb::to_string(platform_of("IOS")), "iOS");
}

TEST(Platform, EveryDocumentedValueIsKnown) {
    EXPECT_EQ(platform_of("RESTAPI"), Platform::RestApi);
    EXPECT_EQ(platform_of("Web"), Platform::Web);
    EXPECT_EQ(platform_of("Android"), Platform::Android);
    EXPECT_EQ(platform_of("Windows"), Platform::Windows);
    EXPECT_EQ(platform_of("Mac"), Platform::Mac);
    EXPECT_EQ(platform_of("macOS"), Platform::Mac);
    EXPECT_EQ(platform_of("iPad"), Platform::IPad);
    EXPECT_EQ(platform_of("Linux"), Platform::Linux);
    EXPECT_EQ(platform_of("Unknown"), Platform::Unknown);
}

TEST(Platform, AnythingElseIsUnknown) {
    EXPECT_EQ(platform_of(""), Platform::Unknown);
    EXPECT_EQ(platform_of("iOS "), Platform::Unknown);
    EXPECT_EQ(platform_of("Symbian"), Platform::Unknown);
    EXPECT_EQ(platform_of("i"), Platform::Unknown);
}

TEST(Platform, KickedDevicesKeepTheVendorsSpellingAndMapToTheSamePlatform) {
    const auto j = nlohmann::json::parse(R"({"CallbackCommand":"State.StateChange","EventTime":1,
        "Info":{"Action":"Login","To_Account":"u","Reason":"Register"},
        "KickedDevice":[{"Platform":"IOS"},{"Platform":"Android"}]})");
    const auto e = j.get<imcb::StateChange>();
    ASSERT_TRUE(e.kicked_device.has_value());
    EXPECT_EQ(e.kicked_device->at(0).platform, "IOS");  // kept as sent: re-encoding is exact
    EXPECT_EQ(platform_of(e.kicked_device->at(0).platform), Platform::IOS);
    EXPECT_EQ(nlohmann::json(e), j);

    imcb::CallbackContext ctx;
    ctx.opt_platform = "iOS";
    EXPECT_EQ(ctx.platform(), platform_of(e.kicked_device->at(0).platform));
}

}  // namespace
