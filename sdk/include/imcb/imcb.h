#pragma once

#include "imcb/commands.h"
#include "imcb/config.h"
#include "imcb/config_check.h"
#include "imcb/context.h"
#include "imcb/decision.h"
#include "imcb/errors.h"
#include "imcb/events.h"
#include "imcb/metrics.h"
#include "imcb/options.h"
#include "imcb/receiver.h"
#include "imcb/version.h"
