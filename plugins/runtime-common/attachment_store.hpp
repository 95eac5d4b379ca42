// What DEL needs for each sandbox attached through CNI — the network configuration ADD ran,
// its parameters and its result — one small file per sandbox in the plugin's data dir, so
// that a restarted runtime still releases the IPs of sandboxes that died meanwhile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/cni/network_config.hpp"
#include "skiff/sdk/cni/request.hpp"
#include "skiff/sdk/cni/result.hpp"

namespace skiff::runtime_common {

struct AttachmentRecord {
  sdk::cni::NetworkConfigList network;
  sdk::cni::Attachment attachment;  // netns is not kept: it is the sandbox's while it runs
  std::optional<sdk::cni::Result> result;  // nullopt while ADD runs (or when it failed)
  std::string ip;                          // the pod IP from the result
};

class AttachmentStore {
 public:
  explicit AttachmentStore(std::string dir);  // creates it

  // Atomic (written aside, then renamed): a crash leaves the old record or the new one.
  void save(const std::string& sandbox_id, const AttachmentRecord& record) const;
  // nullopt when there is none; a record that cannot be read is reported as an Error(500).
  std::optional<AttachmentRecord> load(const std::string& sandbox_id) const;
  void erase(const std::string& sandbox_id) const;
  std::vector<std::string> sandbox_ids() const;

 private:
  std::string path(const std::string& sandbox_id) const { return dir_ + "/" + sandbox_id + ".json"; }
  std::string dir_;
};

}  // namespace skiff::runtime_common
