// Prints docs/callbacks.md from the SDK's command registry:
//   imcb-catalogue > docs/callbacks.md

#include <cstdio>
#include <string>

#include "catalogue_markdown.h"

int main() {
    const std::string doc = imcb::tools::catalogue_markdown();
    return std::fwrite(doc.data(), 1, doc.size(), stdout) == doc.size() ? 0 : 1;
}
