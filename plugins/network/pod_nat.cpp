// nft commands as text through libnftables (no nft process per change); rules Skiff adds to
// Docker's chain carry a comment, and are found again by it (JSON listing with handles).
#include "pod_nat.hpp"

#include <boost/json.hpp>
#include <nftables/libnftables.h>

#include "skiff/sdk/status.hpp"

namespace skiff::network {

namespace json = boost::json;

namespace {

constexpr const char* kComment = "skiff-network";

}  // namespace

PodNat::PodNat() {
  nft_ = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!nft_) throw sdk::Error(sdk::Status::Internal("libnftables: cannot create a context"));
  nft_ctx_buffer_output(nft_);
  nft_ctx_buffer_error(nft_);
}

PodNat::~PodNat() {
  if (nft_) nft_ctx_free(nft_);
}

std::string PodNat::run(const std::string& commands, bool must_succeed) {
  int result = nft_run_cmd_from_buffer(nft_, commands.c_str());
  std::string output = nft_ctx_get_output_buffer(nft_);
  std::string error = nft_ctx_get_error_buffer(nft_);
  if (result != 0 && must_succeed)
    throw sdk::Error(sdk::Status::Internal("nftables refused the pod network's rules: " + error));
  return result == 0 ? output : "";
}

void PodNat::remove_docker_user_rules() {
  nft_ctx_output_set_flags(nft_, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
  std::string listing = run("list chain ip filter DOCKER-USER", false);
  nft_ctx_output_set_flags(nft_, 0);
  if (listing.empty()) return;  // no Docker here
  boost::system::error_code error;
  json::value parsed = json::parse(listing, error);
  if (error || !parsed.is_object()) return;
  const json::value* items = parsed.as_object().if_contains("nftables");
  if (!items || !items->is_array()) return;
  std::string deletes;
  for (const auto& item : items->as_array()) {
    const json::value* rule = item.is_object() ? item.as_object().if_contains("rule") : nullptr;
    if (!rule || !rule->is_object()) continue;
    const json::value* comment = rule->as_object().if_contains("comment");
    const json::value* handle = rule->as_object().if_contains("handle");
    if (comment && comment->is_string() && comment->as_string() == kComment && handle && handle->is_int64())
      deletes += "delete rule ip filter DOCKER-USER handle " + std::to_string(handle->as_int64()) + "\n";
  }
  if (!deletes.empty()) run(deletes);
}

void PodNat::apply(const sdk::Ipv4Cidr& pod_cidr, const sdk::Ipv4Cidr& cluster_cidr) {
  // Replaced as a whole in one transaction: create (if absent), delete, create with its rules.
  run(std::string("add table ip ") + kNftTable + "\ndelete table ip " + kNftTable + "\n" +
      "table ip " + kNftTable + " {\n"
      "  chain postrouting {\n"
      "    type nat hook postrouting priority srcnat; policy accept;\n"
      "    ip saddr " + pod_cidr.str() + " ip daddr != " + cluster_cidr.str() + " masquerade\n"
      "  }\n"
      "}\n");
  remove_docker_user_rules();
  if (run("list chain ip filter DOCKER-USER", false).empty()) return;
  run("insert rule ip filter DOCKER-USER ip saddr " + cluster_cidr.str() + " accept comment \"" + kComment + "\"\n" +
      "insert rule ip filter DOCKER-USER ip daddr " + cluster_cidr.str() + " accept comment \"" + kComment + "\"\n");
}

void PodNat::remove() {
  run(std::string("add table ip ") + kNftTable + "\ndelete table ip " + kNftTable + "\n");
  remove_docker_user_rules();
}

std::string PodNat::table() { return run(std::string("list table ip ") + kNftTable, false); }

}  // namespace skiff::network
