#pragma once

// Official accounts: OfficialAccount.* (protocol reference §3.4).

#include "imcb/events/common.h"

namespace imcb {

using OfficialAccountEvents = EventList<>;

}  // namespace imcb
