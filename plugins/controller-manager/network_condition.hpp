// The node condition node IPAM owns: NetworkUnavailable=True with reason NoCIDRAvailable
// while no pod CIDR is free for the node. A NetworkUnavailable condition with another reason
// is the network plugin's, and node IPAM leaves it alone.
#pragma once

#include <string>

#include "skiff/api/core/v1/node.pb.h"

namespace skiff::controllers {

inline constexpr const char* kNetworkUnavailable = "NetworkUnavailable";
inline constexpr const char* kNoCidrAvailable = "NoCIDRAvailable";

// Sets the condition (transition time kept while it was already True); false when the node
// already says exactly this, so there is nothing to write.
bool mark_no_cidr_available(api::core::v1::Node& node, const std::string& message, const std::string& now);
// Removes our condition once the node has a CIDR; false when the node carries none of ours.
bool clear_no_cidr_available(api::core::v1::Node& node);

}  // namespace skiff::controllers
