#pragma once

#include <string>

namespace imcb::tools {

/// docs/callbacks.md: the catalogue as a Markdown document (command, phase, typed event, replies).
std::string catalogue_markdown();

}  // namespace imcb::tools
