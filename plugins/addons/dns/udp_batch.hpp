// Many datagrams per syscall on one UDP socket: recvmmsg into buffers allocated once, and the
// replies to them gathered and sent with sendmmsg.
#pragma once

#include <sys/socket.h>

#include <array>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace skiff::dns {

class UdpBatch {
 public:
  static constexpr std::size_t kDatagrams = 64;

  UdpBatch();
  UdpBatch(const UdpBatch&) = delete;
  UdpBatch& operator=(const UdpBatch&) = delete;

  // Reads what waits on `socket`, up to kDatagrams, without blocking: how many were read (0 when
  // none waits). Replaces the previous batch's datagrams; queue and flush its replies first.
  std::size_t receive(int socket);

  std::span<const std::uint8_t> datagram(std::size_t index) const;
  const boost::asio::ip::udp::endpoint& sender(std::size_t index) const { return senders_[index]; }

  // Queues `message` for the sender of datagram `index`; it is kept until flush.
  void reply(std::size_t index, std::vector<std::uint8_t> message);

  // Sends the queued replies in as few syscalls as the kernel takes. A reply the kernel refuses
  // (a client gone away) is skipped: no error of ours.
  void flush(int socket);

 private:
  static constexpr std::size_t kDatagramCapacity = 65535;  // any UDP payload fits

  std::unique_ptr<std::uint8_t[]> buffers_;  // kDatagrams slots of kDatagramCapacity; never zeroed
  std::array<boost::asio::ip::udp::endpoint, kDatagrams> senders_;
  std::array<iovec, kDatagrams> in_vectors_{};
  std::array<mmsghdr, kDatagrams> in_{};
  std::array<std::vector<std::uint8_t>, kDatagrams> replies_;
  std::array<iovec, kDatagrams> out_vectors_{};
  std::array<mmsghdr, kDatagrams> out_{};
  std::size_t queued_ = 0;
};

}  // namespace skiff::dns
