#pragma once

// IMCB_API marks the SDK's public functions and classes. A shared libimcb is built with hidden
// visibility, so only what carries IMCB_API is exported; in a static build it changes nothing.
#if defined(__GNUC__) || defined(__clang__)
#define IMCB_API __attribute__((visibility("default")))
#else
#define IMCB_API
#endif
