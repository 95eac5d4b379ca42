// The skiffd subcommands besides running a node.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace skiff::kernel {

// `skiffd plugins [--config NAME [--markdown]]`: what the plugin path holds, with manifests, or
// one plugin's config table (as text, or as the Markdown its README carries).
int plugins_command(const std::vector<std::string>& search_dirs, const std::string& config_of, bool markdown = false);

// `skiffd status`: the running node's plugins and their health, read over its bus.
int status_command(const std::string& data_dir, bool json);

// `skiffd logs …` (its own flags, kubectl's names): cluster logs through the API server's
// logging.skiff.io/v1 podlogs. `local_kubeconfig` is used when no other kubeconfig is found.
int logs_command(const std::vector<std::string>& args, const std::string& local_kubeconfig);

// `skiffd node-credentials NAME [--url URL] [--out FILE]`, on the master: node NAME's bus user
// (made once, kept in <data>/bus/users), the embedded bus reloaded with it, and the worker's
// `bus:` block printed (or written 0600 to FILE). `url` overrides the master's bus address.
int node_credentials_command(const std::string& node, const std::string& data_dir, const std::string& url,
                             const std::string& out_file);

// `skiffd join-secrets --from DIR [--data-dir NEW]`: copies what all masters of a cluster share
// (bus passwords and node users, the apiserver CA, service account key and static tokens) from a
// master's data dir into a new master's, before its first start.
int join_secrets_command(const std::string& from_dir, const std::string& data_dir);
}  // namespace skiff::kernel
