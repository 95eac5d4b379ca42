// What one group commit writes to the log: the effects of its transactions (the LMDB values
// put and the keys erased), not the requests, so replaying it needs no checks and makes no
// new uids. Its watch events are rebuilt from it after a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/sdk/store/watch_publisher.hpp"

namespace skiff::store {

struct WalMutation {
  enum class Kind : std::uint8_t { Added = 1, Modified = 2, Deleted = 3 };
  Kind kind;
  std::int64_t revision;
  std::string resource;
  std::string key;      // the LMDB key, "pods/default/web"
  std::string value;    // put: the stored value (header + object); deleted: the object's last state
  std::size_t object_offset = 0;  // where the object starts in `value`
};

struct WalBatch {
  std::int64_t revision = 0;  // the store's revision after this batch
  std::vector<WalMutation> mutations;
};

// Builds a batch's bytes as its transactions are applied, without copying values twice.
class WalBatchEncoder {
 public:
  WalBatchEncoder();
  void add(WalMutation::Kind kind, std::int64_t revision, std::string_view resource, std::string_view key,
           std::string_view value, std::size_t object_offset);
  // Forgets the mutations added since `mark()` (a transaction that failed its checks).
  std::size_t mark() const { return bytes_.size(); }
  void rewind(std::size_t mark, std::uint32_t count) { bytes_.resize(mark), count_ = count; }
  std::uint32_t count() const { return count_; }
  // The finished bytes; the encoder is empty afterwards.
  std::string finish(std::int64_t revision);

 private:
  std::string bytes_;
  std::uint32_t count_ = 0;
};

std::string encode_batch(const WalBatch& batch);
// nullopt when the bytes are not a batch (the framing's CRC matched, so only a bug gets here).
std::optional<WalBatch> decode_batch(std::string_view bytes);
// The watch events of a replayed batch, as the commit published them.
std::vector<sdk::StoreChange> changes_of(const WalBatch& batch);

}  // namespace skiff::store
