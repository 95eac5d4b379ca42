// One nftables transaction being written: netlink messages (libnftnl objects) between
// BATCH_BEGIN and BATCH_END in one buffer, each with a note that says what it does, so that
// the kernel's refusal of a message can be told as one sentence naming the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nft_objects.hpp"

struct nlmsghdr;

namespace skiff::proxy::nft {

class NftBatch {
 public:
  NftBatch(std::string table, std::uint32_t masquerade_mark);

  void add_table();     // creates it if absent (so a following delete never fails)
  void delete_table();
  void add_set(SetId set, std::uint32_t shard = 0);
  void add_chain(const Chain& chain, std::string_view owner = {});  // exclusive: a chain already there fails
  void add_rules(const Chain& chain, std::string_view owner = {});
  void flush_chain(const std::string& name, std::string_view owner = {});
  void delete_chain(const std::string& name, std::string_view owner = {});
  // Elements of one set (all with the same set and shard in their keys), as many messages as
  // they need (a netlink attribute holds 64 KiB).
  void add_elements(std::span<const Element* const> elements);
  void delete_elements(std::span<const Element* const> elements);

  // Closes the batch (BATCH_END); the last real message asks for an ack.
  void finish();

  bool empty() const { return notes_.empty(); }
  std::size_t messages() const { return notes_.size(); }  // without BEGIN/END
  std::size_t bytes() const { return used_; }
  const std::string& table() const { return table_; }

  // For the socket: the buffer, and each message's note by its index (0: BATCH_BEGIN).
  char* data() { return buffer_.data(); }
  std::string note(std::size_t index) const;

 private:
  char* reserve(std::size_t bytes);
  void commit(nlmsghdr* header, std::string note);
  void element_messages(std::uint16_t type, std::uint16_t flags, std::span<const Element* const> elements);

  std::string table_;
  std::uint32_t mark_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  std::size_t last_offset_ = 0;
  std::vector<std::string> notes_;  // index i is message i + 1 (BEGIN is 0)
  bool finished_ = false;
  std::uint32_t set_ids_ = 0;
};

}  // namespace skiff::proxy::nft
