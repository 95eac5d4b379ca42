// One netlink socket per programmer, one sendmsg per transaction (see nft_socket.hpp).
#include "nft_socket.hpp"

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "nft_batch.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::proxy::nft {

namespace {

// Room for many error answers (each a small skb) before the kernel drops the rest.
constexpr int kReceiveBuffer = 8 << 20;
// The kernel answers inside sendmsg; this only bounds a wait that should never happen.
constexpr int kAnswerTimeoutMs = 30000;
constexpr std::size_t kErrorsNamed = 3;

[[noreturn]] void fail(const std::string& what, int error) {
  throw sdk::Error(sdk::Status::Internal("nftables netlink: " + what + ": " + std::strerror(error)));
}

std::string hint(int error) {
  switch (error) {
    case EPERM: return " (needs root or CAP_NET_ADMIN)";
    case EEXIST:
    case ENOENT:
    case EBUSY: return " (the table differs from what the proxy applied: changed by someone else? the next apply rebuilds it)";
    case EOPNOTSUPP: return " (this kernel lacks the feature)";
    default: return "";
  }
}

}  // namespace

// What the kernel answered to one batch.
struct Answers {
  std::vector<std::pair<std::uint32_t, int>> errors;  // sequence, errno
  bool last_answered = false;
  bool dropped = false;  // the receive buffer overflowed: some errors were lost
};

namespace {

void read_answers(const char* data, std::size_t length, std::uint32_t last_sequence, Answers& answers) {
  auto* header = reinterpret_cast<const nlmsghdr*>(data);
  int left = static_cast<int>(length);
  for (; mnl_nlmsg_ok(header, left); header = mnl_nlmsg_next(header, &left)) {
    if (header->nlmsg_type != NLMSG_ERROR) continue;
    const auto* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(header));
    if (error->error != 0) answers.errors.emplace_back(header->nlmsg_seq, -error->error);
    if (header->nlmsg_seq == last_sequence) answers.last_answered = true;
  }
}

// One sentence: the first refused objects by name, why, and what to do.
std::string refusal(const NftBatch& batch, std::uint32_t first, const Answers& answers) {
  std::string message = "nftables refused the proxy's update of table ip " + batch.table() + " (" +
                        std::to_string(batch.messages()) + " messages; none applied)";
  if (!answers.last_answered && answers.errors.empty()) message += ": no answer from the kernel";
  for (std::size_t i = 0; i < answers.errors.size() && i < kErrorsNamed; ++i) {
    auto [sequence, error] = answers.errors[i];
    message += (i == 0 ? ": " : "; ") + batch.note(sequence - first) + ": " + std::strerror(error);
  }
  if (answers.errors.size() > kErrorsNamed)
    message += "; and " + std::to_string(answers.errors.size() - kErrorsNamed) + " more refusals";
  if (!answers.errors.empty()) message += hint(answers.errors.front().second);
  if (answers.dropped) message += "; more answers were lost (receive buffer full)";
  return message;
}

}  // namespace

NftSocket::NftSocket() : sequence_(static_cast<std::uint32_t>(std::time(nullptr))) {
  socket_ = mnl_socket_open(NETLINK_NETFILTER);
  if (!socket_) fail("cannot open a netfilter socket", errno);
  if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) {
    int error = errno;
    mnl_socket_close(socket_);
    fail("cannot bind the netfilter socket", error);
  }
  port_id_ = mnl_socket_get_portid(socket_);
  int fd = mnl_socket_get_fd(socket_);
  int on = 1;
  // Errors carry only the refused message's header, not a copy of it (batches are large).
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer);
}

NftSocket::~NftSocket() {
  if (socket_) mnl_socket_close(socket_);
}

// A transaction is one sendmsg: the kernel reads one skb, so its buffer must hold the batch.
void NftSocket::grow_send_buffer(std::size_t bytes) {
  if (bytes + 4096 <= send_buffer_) return;
  int size = static_cast<int>(bytes + 65536);
  if (setsockopt(mnl_socket_get_fd(socket_), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
    fail("cannot size the send buffer for a " + std::to_string(bytes) + "-byte batch", errno);
  send_buffer_ = static_cast<std::size_t>(size);
}

// Numbers the messages from `first` on; returns the last real message's (the one acked).
std::uint32_t NftSocket::number(NftBatch& batch) {
  std::size_t offset = 0;
  while (offset < batch.bytes()) {
    auto* header = reinterpret_cast<nlmsghdr*>(batch.data() + offset);
    header->nlmsg_seq = sequence_++;
    offset += header->nlmsg_len;
  }
  return sequence_ - 2;  // before BATCH_END
}

// The kernel answers in message order: reading stops at the last real message's answer.
void NftSocket::collect(std::uint32_t last_acked, Answers& answers) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE * 4);
  int fd = mnl_socket_get_fd(socket_);
  while (!answers.last_answered) {
    pollfd ready{fd, POLLIN, 0};
    // Answers are queued before sendmsg returns; after a loss only what is queued is left.
    if (poll(&ready, 1, answers.dropped ? 0 : kAnswerTimeoutMs) == 0) return;
    ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0 && errno == ENOBUFS) {
      answers.dropped = true;
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) fail("cannot read the kernel's answer", errno);
    read_answers(buffer.data(), static_cast<std::size_t>(n), last_acked, answers);
  }
}

std::chrono::nanoseconds NftSocket::send(NftBatch& batch) {
  if (batch.empty()) return {};  // nothing to ask, no ack to wait for
  batch.finish();
  std::uint32_t first = sequence_;
  std::uint32_t last_acked = number(batch);
  grow_send_buffer(batch.bytes());
  auto started = std::chrono::steady_clock::now();
  if (mnl_socket_sendto(socket_, batch.data(), batch.bytes()) < 0)
    fail("cannot send a " + std::to_string(batch.bytes()) + "-byte batch", errno);
  Answers answers;
  collect(last_acked, answers);
  auto took = std::chrono::steady_clock::now() - started;
  if (answers.errors.empty() && !answers.dropped && answers.last_answered) return took;
  throw sdk::Error(sdk::Status::Internal(refusal(batch, first, answers)));
}

}  // namespace skiff::proxy::nft
