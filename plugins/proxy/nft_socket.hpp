// The proxy's one netfilter netlink socket: sends a whole batch as one transaction and turns
// the kernel's per-message errors into one message that names the refused objects.
#pragma once

#include <chrono>
#include <cstdint>

struct mnl_socket;

namespace skiff::proxy::nft {

class NftBatch;
struct Answers;

class NftSocket {
 public:
  NftSocket();  // throws sdk::Error (no netlink: not root / no CAP_NET_ADMIN?)
  ~NftSocket();
  NftSocket(const NftSocket&) = delete;
  NftSocket& operator=(const NftSocket&) = delete;

  // Sends the finished batch and waits for the kernel's answer; throws sdk::Error naming what
  // was refused (nothing of the batch is then applied). Returns the time the kernel took.
  std::chrono::nanoseconds send(NftBatch& batch);

 private:
  void grow_send_buffer(std::size_t bytes);
  std::uint32_t number(NftBatch& batch);
  void collect(std::uint32_t last_acked, Answers& answers);

  mnl_socket* socket_ = nullptr;
  std::uint32_t port_id_ = 0;
  std::uint32_t sequence_ = 0;
  std::size_t send_buffer_ = 0;
};

}  // namespace skiff::proxy::nft
