#pragma once

// Push and moderation results: Push.* (batched) and ContentCallback.* (protocol reference §3.4).

#include "imcb/events/common.h"

namespace imcb {

using PushEvents = EventList<>;

}  // namespace imcb
