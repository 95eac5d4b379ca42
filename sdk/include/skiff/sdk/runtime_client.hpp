// Kept so plugins written against the SDK before the runtime contract moved still build.
#pragma once

#include "skiff/sdk/runtime/runtime_client.hpp"
