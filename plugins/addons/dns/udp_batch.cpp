// recvmmsg/sendmmsg over fixed arrays: nothing is allocated per datagram here.
#include "udp_batch.hpp"

#include <poll.h>

#include <cerrno>

namespace skiff::dns {

namespace {

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

}  // namespace

// 4 MB of address space per batch, but the kernel touches only the pages datagrams land in, and
// nothing here zeroes them: a batch of small queries keeps one page per slot resident.
UdpBatch::UdpBatch() : buffers_(std::make_unique_for_overwrite<std::uint8_t[]>(kDatagrams * kDatagramCapacity)) {
  for (std::size_t i = 0; i < kDatagrams; ++i) {
    in_vectors_[i] = {buffers_.get() + i * kDatagramCapacity, kDatagramCapacity};
    in_[i].msg_hdr.msg_iov = &in_vectors_[i];
    in_[i].msg_hdr.msg_iovlen = 1;
    in_[i].msg_hdr.msg_name = senders_[i].data();
    out_[i].msg_hdr.msg_iov = &out_vectors_[i];
    out_[i].msg_hdr.msg_iovlen = 1;
  }
}

std::size_t UdpBatch::receive(int socket) {
  for (auto& message : in_) {
    message.msg_hdr.msg_namelen = sizeof(boost::asio::ip::udp::endpoint::data_type);
    message.msg_hdr.msg_flags = 0;
  }
  // A pending socket error is reported once, in place of datagrams: read on past it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    int count = ::recvmmsg(socket, in_.data(), kDatagrams, MSG_DONTWAIT, nullptr);
    if (count > 0) {
      for (int i = 0; i < count; ++i) senders_[i].resize(in_[i].msg_hdr.msg_namelen);
      return static_cast<std::size_t>(count);
    }
    if (count == 0 || would_block(errno)) return 0;
  }
  return 0;
}

std::span<const std::uint8_t> UdpBatch::datagram(std::size_t index) const {
  return {buffers_.get() + index * kDatagramCapacity, in_[index].msg_len};
}

void UdpBatch::reply(std::size_t index, std::vector<std::uint8_t> message) {
  replies_[queued_] = std::move(message);
  out_vectors_[queued_] = {replies_[queued_].data(), replies_[queued_].size()};
  out_[queued_].msg_hdr.msg_name = senders_[index].data();
  out_[queued_].msg_hdr.msg_namelen = static_cast<socklen_t>(senders_[index].size());
  ++queued_;
}

void UdpBatch::flush(int socket) {
  std::size_t sent = 0;
  while (sent < queued_) {
    int count = ::sendmmsg(socket, out_.data() + sent, static_cast<unsigned>(queued_ - sent), 0);
    if (count > 0) {
      sent += static_cast<std::size_t>(count);
    } else if (errno == EINTR) {
      continue;
    } else if (would_block(errno)) {  // the send buffer is full: wait, as a blocking send would
      pollfd writable{socket, POLLOUT, 0};
      ::poll(&writable, 1, -1);
    } else {
      ++sent;  // sendmmsg fails on the first message it cannot send: skip that one
    }
  }
  queued_ = 0;
}

}  // namespace skiff::dns
