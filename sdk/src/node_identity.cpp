// A node's bus user and inbox names, spelled once for the kernel (which mints them) and the SDK.
#include "skiff/sdk/node_identity.hpp"

#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

std::string node_bus_user(std::string_view node) { return std::string(kNodeUserPrefix) + std::string(node); }

std::optional<std::string> node_of_bus_user(std::string_view user) {
  if (user.size() <= kNodeUserPrefix.size() || user.substr(0, kNodeUserPrefix.size()) != kNodeUserPrefix)
    return std::nullopt;
  return std::string(user.substr(kNodeUserPrefix.size()));
}

std::string node_inbox_prefix(std::string_view node) { return "_INBOX." + subject_token(node); }

}  // namespace skiff::sdk
