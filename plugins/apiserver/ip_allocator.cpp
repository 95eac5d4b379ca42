// Round-robin allocation (a released address is not reused at once, as in Kubernetes).
#include "ip_allocator.hpp"

#include <arpa/inet.h>

#include <stdexcept>

#include "api_error.hpp"

namespace skiff::apiserver {
namespace {

// The offset of the reserved first address.
constexpr std::uint32_t kReserved = 1;

std::uint32_t parse_ipv4(const std::string& text) {
  in_addr address{};
  if (inet_pton(AF_INET, text.c_str(), &address) != 1) throw std::invalid_argument("not an IPv4 address: " + text);
  return ntohl(address.s_addr);
}

std::string format_ipv4(std::uint32_t value) {
  in_addr address{htonl(value)};
  char buffer[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &address, buffer, sizeof buffer);
  return buffer;
}

}  // namespace

IpAllocator::IpAllocator(const std::string& cidr) : cidr_(cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("service CIDR '" + cidr + "' lacks a /prefix");
  int prefix = std::stoi(cidr.substr(slash + 1));
  if (prefix < 8 || prefix > 30) throw std::invalid_argument("service CIDR '" + cidr + "' must be between /8 and /30");
  size_ = 1u << (32 - prefix);
  base_ = parse_ipv4(cidr.substr(0, slash)) & ~(size_ - 1);
  used_.insert(kReserved);
}

std::string IpAllocator::first_address() const { return format_ipv4(base_ + kReserved); }

bool IpAllocator::contains(const std::string& ip) const {
  try {
    std::uint32_t value = parse_ipv4(ip);
    return value > base_ && value < base_ + size_ - 1;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::string IpAllocator::allocate(const std::string& wanted, bool reserved_ok) {
  std::lock_guard lock(mutex_);
  if (!wanted.empty()) {
    std::uint32_t value;
    try {
      value = parse_ipv4(wanted);
    } catch (const std::invalid_argument&) {
      throw ApiError(sdk::Status::Invalid("spec.clusterIP: Invalid value: " + quoted(wanted) + ": must be a valid IP"));
    }
    if (value <= base_ || value >= base_ + size_ - 1)
      throw ApiError(sdk::Status::Invalid("spec.clusterIPs: Invalid value: " + quoted(wanted) +
                                          ": provided IP is not in the valid range. The range of valid IPs is " + cidr_));
    if (value - base_ == kReserved && reserved_ok && !reserved_held_by_another_) return wanted;
    if (!used_.insert(value - base_).second)
      throw ApiError(sdk::Status::Invalid("spec.clusterIPs: Invalid value: " + quoted(wanted) +
                                          ": failed to allocate IP " + wanted + ": provided IP is already allocated"));
    return wanted;
  }
  for (std::uint32_t tried = 0; tried < size_; ++tried) {
    std::uint32_t offset = next_;
    next_ = next_ + 1 >= size_ - 1 ? 2 : next_ + 1;
    if (offset < 2 || offset >= size_ - 1) continue;
    if (used_.insert(offset).second) return format_ipv4(base_ + offset);
  }
  throw ApiError(sdk::Status::Unavailable("no cluster IPs left in " + cidr_));
}

void IpAllocator::mark_used(const std::string& ip, bool reserved_ok) {
  if (!contains(ip)) return;
  std::lock_guard lock(mutex_);
  std::uint32_t offset = parse_ipv4(ip) - base_;
  if (offset == kReserved && !reserved_ok) reserved_held_by_another_ = true;
  used_.insert(offset);
}

void IpAllocator::release(const std::string& ip, bool reserved_ok) {
  if (!contains(ip)) return;
  std::lock_guard lock(mutex_);
  std::uint32_t offset = parse_ipv4(ip) - base_;
  if (offset != kReserved) used_.erase(offset);  // the reserved one stays reserved while unused
  else if (!reserved_ok) reserved_held_by_another_ = false;
}

int PortAllocator::allocate(int wanted) {
  std::lock_guard lock(mutex_);
  if (wanted != 0) {
    if (wanted < first_ || wanted > last_)
      throw ApiError(sdk::Status::Invalid("spec.ports.nodePort: Invalid value: " + std::to_string(wanted) +
                                          ": provided port is not in the valid range. The range of valid ports is " +
                                          std::to_string(first_) + "-" + std::to_string(last_)));
    if (!used_.insert(wanted).second)
      throw ApiError(sdk::Status::Invalid("spec.ports.nodePort: Invalid value: " + std::to_string(wanted) +
                                          ": provided port is already allocated"));
    return wanted;
  }
  for (int tried = 0; tried <= last_ - first_; ++tried) {
    int port = next_;
    next_ = next_ >= last_ ? first_ : next_ + 1;
    if (used_.insert(port).second) return port;
  }
  throw ApiError(sdk::Status::Unavailable("no node ports left"));
}

void PortAllocator::mark_used(int port) {
  std::lock_guard lock(mutex_);
  if (contains(port)) used_.insert(port);
}

void PortAllocator::release(int port) {
  std::lock_guard lock(mutex_);
  used_.erase(port);
}

}  // namespace skiff::apiserver
