// Hands out Service cluster IPs from the service CIDR, and node ports from their range.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

namespace skiff::apiserver {

class IpAllocator {
 public:
  // cidr like "10.96.0.0/12"; the network address is never handed out, and the first address
  // is reserved for the `kubernetes` Service (the API's own).
  explicit IpAllocator(const std::string& cidr);
  // A specific address (must be inside and free), or the next free one. Throws ApiError 422/503.
  // The reserved first address only to the one who may take it (`reserved_ok`): others are
  // told it is allocated.
  std::string allocate(const std::string& wanted = "", bool reserved_ok = false);
  // A stored Service's address; `reserved_ok` as above (a Service made before the first address
  // was reserved may hold it: then the one who may take it cannot, until it is released).
  void mark_used(const std::string& ip, bool reserved_ok = false);
  void release(const std::string& ip, bool reserved_ok = false);
  bool contains(const std::string& ip) const;
  const std::string& cidr() const { return cidr_; }
  // The reserved first address: 10.96.0.1 of 10.96.0.0/12.
  std::string first_address() const;

 private:
  std::string cidr_;
  std::uint32_t base_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t next_ = 2;
  std::set<std::uint32_t> used_;
  bool reserved_held_by_another_ = false;
  mutable std::mutex mutex_;
};

class PortAllocator {
 public:
  PortAllocator(int first, int last) : first_(first), last_(last), next_(first) {}
  int allocate(int wanted = 0);
  void mark_used(int port);
  void release(int port);
  bool contains(int port) const { return port >= first_ && port <= last_; }
  int first() const { return first_; }
  int last() const { return last_; }

 private:
  int first_, last_, next_;
  std::set<int> used_;
  std::mutex mutex_;
};

}  // namespace skiff::apiserver
