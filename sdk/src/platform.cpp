#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "imcb/context.h"

namespace imcb {
namespace {

bool same_letters(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

constexpr std::array<std::pair<std::string_view, Platform>, 10> kNames{{
    {"RESTAPI", Platform::RestApi},
    {"Web", Platform::Web},
    {"Android", Platform::Android},
    {"iOS", Platform::IOS},
    {"Windows", Platform::Windows},
    {"Mac", Platform::Mac},
    {"macOS", Platform::Mac},
    {"iPad", Platform::IPad},
    {"Linux", Platform::Linux},
    {"Unknown", Platform::Unknown},
}};

}  // namespace

Platform platform_of(std::string_view value) noexcept {
    for (const auto& [name, platform] : kNames) {
        if (same_letters(value, name)) return platform;
    }
    return Platform::Unknown;
}

const char* to_string(Platform platform) noexcept {
    switch (platform) {
        case Platform::RestApi:
            return "RESTAPI";
        case Platform::Web:
            return "Web";
        case Platform::Android:
            return "Android";
        case Platform::IOS:
            return "iOS";
        case Platform::Windows:
            return "Windows";
        case Platform::Mac:
            return "Mac";
        case Platform::IPad:
            return "iPad";
        case Platform::Linux:
            return "Linux";
        case Platform::Unknown:
            break;
    }
    return "Unknown";
}

}  // namespace imcb
