#pragma once

// Every typed event, one header per family. Conventions (see events/common.h and schema.h):
// - one struct per CallbackCommand, with kCommand, kPhase (before/after) and, for before-events,
//   kRules (the answers the vendor accepts) and a Reply type;
// - members are the vendor's keys in snake_case; a plain member is always sent, a std::optional one
//   only by some versions or in some cases (never a silent zero);
// - EventTime is accepted as a JSON number or a numeric string, in ms except in Push batches (s);
// - MsgSeq, MsgRandom and Random are unsigned 32-bit;
// - keys the SDK does not know stay in unknown_fields, and to_json writes them back.

#include "imcb/events/c2c.h"
#include "imcb/events/call.h"
#include "imcb/events/group.h"
#include "imcb/events/official_account.h"
#include "imcb/events/push.h"
#include "imcb/events/sns.h"
#include "imcb/events/state.h"
#include "imcb/message.h"
