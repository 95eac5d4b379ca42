// The embedded bus's users: the master's own (full rights) and one per worker node, each allowed
// only its own subjects. Kept as <data>/bus/users/<node> (the password), written into
// <data>/bus/users.conf, which nats.conf includes; `skiffd node-credentials` adds one.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace skiff::kernel {

// The user the master's kernel and plugins connect as (no permissions: everything).
inline constexpr const char* kBusAdminUser = "skiffd";

// The NATS `permissions` block of node `node` in cluster `cluster` (see docs/architecture.md).
std::string node_permissions(const std::string& cluster, const std::string& node);

// Node name → password, from <bus dir>/users.
std::map<std::string, std::string> read_node_users(const std::filesystem::path& bus_dir);
// The node's password, made (and kept) on first use; throws naming a bad node name.
std::string mint_node_user(const std::filesystem::path& bus_dir, const std::string& node);
// (Re)writes <bus dir>/users.conf: the admin user and every node user with its permissions.
void write_users_conf(const std::filesystem::path& bus_dir, const std::string& cluster, const std::string& admin_password);

// A secret of 40 letters and digits; files that hold one are written 0600.
std::string random_secret();
void write_private_file(const std::filesystem::path& path, const std::string& text);

}  // namespace skiff::kernel
