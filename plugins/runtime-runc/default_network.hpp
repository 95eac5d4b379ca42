// runtime-runc's own CNI network for nodes without the `network` plugin: a bridge with
// host-local addresses and portmap, written once into the plugin's data dir and used only when
// the network plugin's conf dir has no conflist.
#pragma once

#include <string>

namespace skiff::runc {

// The conflist's text: bridge `bridge` (gateway, hairpin, no masquerade) on `subnet`, host-local
// records in `ipam_dir`, then portmap.
std::string default_bridge_conflist(const std::string& bridge, const std::string& subnet, const std::string& ipam_dir);
// Writes it as `<dir>/10-skiff-runc.conflist` unless it is there already; throws sdk::Error(500).
void write_default_conflist(const std::string& dir, const std::string& text);

}  // namespace skiff::runc
