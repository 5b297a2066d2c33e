// Run-time helpers: floods of one kind of report are throttled.

#include <gtest/gtest.h>

#include <string>

#include "runtime.h"

namespace imcb::detail {
namespace {

TEST(Throttle, OnePerIntervalWithTheCountOfTheSuppressed) {
    using Clock = Throttle::Clock;
    Throttle t(std::chrono::seconds(1));
    const Clock::time_point t0{std::chrono::hours(1)};
    EXPECT_EQ(t.admit(t0), 0u);
    EXPECT_FALSE(t.admit(t0).has_value());
    EXPECT_FALSE(t.admit(t0 + std::chrono::milliseconds(999)).has_value());
    EXPECT_EQ(t.admit(t0 + std::chrono::seconds(1)), 2u);
    EXPECT_EQ(t.admit(t0 + std::chrono::seconds(5)), 0u);
    EXPECT_FALSE(t.admit(t0 + std::chrono::milliseconds(5500)).has_value());
    EXPECT_EQ(t.admit(t0 + std::chrono::seconds(7)), 1u);
}

}  // namespace
}  // namespace imcb::detail
