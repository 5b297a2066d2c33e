#pragma once

// ReceiverOptions from a JSON configuration file (the format imcb-server reads; see
// docs/configuration.md). Relative paths resolve against the file's folder.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/export.h"
#include "imcb/options.h"

namespace imcb {

struct LoadedConfig {
    ReceiverOptions options;
    nlohmann::json extra;  ///< the "app" section, left to the application (e.g. the sample's demo)
};

/// Parses a configuration document. Throws ConfigError naming the key, what is wrong and the fix.
/// Unknown keys are errors (a typo would otherwise silently drop a setting).
IMCB_API LoadedConfig config_from_json(const nlohmann::json& doc, const std::string& base_dir);

/// Reads and parses a configuration file.
IMCB_API LoadedConfig load_config_file(const std::string& path);

}  // namespace imcb
