// Layout (little-endian): revision i64, count u32, then per mutation: kind u8, revision i64,
// object offset u32, and resource, key, value each as u32 length + bytes.
#include "wal_record.hpp"

#include <cstring>

namespace skiff::store {
namespace {

template <class T>
void put_int(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_text(std::string& out, std::string_view text) {
  put_int(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  template <class T>
  bool read(T& value) {
    if (rest_.size() < sizeof(T)) return false;
    std::memcpy(&value, rest_.data(), sizeof(T));
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  bool read_text(std::string& text) {
    std::uint32_t size = 0;
    if (!read(size) || rest_.size() < size) return false;
    text.assign(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

const char* event_type(WalMutation::Kind kind) {
  switch (kind) {
    case WalMutation::Kind::Added: return "ADDED";
    case WalMutation::Kind::Modified: return "MODIFIED";
    default: return "DELETED";
  }
}

}  // namespace

constexpr std::size_t kBatchHeader = 12;

WalBatchEncoder::WalBatchEncoder() { bytes_.resize(kBatchHeader); }

void WalBatchEncoder::add(WalMutation::Kind kind, std::int64_t revision, std::string_view resource,
                          std::string_view key, std::string_view value, std::size_t object_offset) {
  put_int(bytes_, static_cast<std::uint8_t>(kind));
  put_int(bytes_, revision);
  put_int(bytes_, static_cast<std::uint32_t>(object_offset));
  put_text(bytes_, resource);
  put_text(bytes_, key);
  put_text(bytes_, value);
  ++count_;
}

std::string WalBatchEncoder::finish(std::int64_t revision) {
  std::memcpy(bytes_.data(), &revision, 8);
  std::memcpy(bytes_.data() + 8, &count_, 4);
  std::string out = std::move(bytes_);
  bytes_.assign(kBatchHeader, '\0');
  count_ = 0;
  return out;
}

std::string encode_batch(const WalBatch& batch) {
  WalBatchEncoder encoder;
  for (const auto& m : batch.mutations) encoder.add(m.kind, m.revision, m.resource, m.key, m.value, m.object_offset);
  return encoder.finish(batch.revision);
}

std::optional<WalBatch> decode_batch(std::string_view bytes) {
  Reader in(bytes);
  WalBatch batch;
  std::uint32_t count = 0;
  if (!in.read(batch.revision) || !in.read(count)) return std::nullopt;
  for (std::uint32_t i = 0; i < count; ++i) {
    WalMutation m{};
    std::uint8_t kind = 0;
    std::uint32_t offset = 0;
    if (!in.read(kind) || !in.read(m.revision) || !in.read(offset) || !in.read_text(m.resource) ||
        !in.read_text(m.key) || !in.read_text(m.value))
      return std::nullopt;
    if (kind < 1 || kind > 3 || offset > m.value.size()) return std::nullopt;
    m.kind = static_cast<WalMutation::Kind>(kind);
    m.object_offset = offset;
    batch.mutations.push_back(std::move(m));
  }
  if (!in.done()) return std::nullopt;
  return batch;
}

std::vector<sdk::StoreChange> changes_of(const WalBatch& batch) {
  std::vector<sdk::StoreChange> changes;
  changes.reserve(batch.mutations.size());
  for (const auto& m : batch.mutations) {
    sdk::StoreChange change{m.resource, {}};
    change.event.set_type(event_type(m.kind));
    change.event.set_revision(m.revision);
    change.event.set_object(m.value.substr(m.object_offset));
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace skiff::store
