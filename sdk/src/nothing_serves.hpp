// How the bus words a request nobody serves: written by the NATS bus, read by
// Reply::nothing_serves().
#pragma once

namespace skiff::sdk {

inline constexpr const char* kNothingServesPrefix = "bus: nothing serves ";

}  // namespace skiff::sdk
