// libknot's headers, which declare C functions without extern "C" of their own.
#pragma once

extern "C" {
#include <libknot/libknot.h>
}
