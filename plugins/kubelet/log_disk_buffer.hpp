// Where shipped log lines wait while the log stream cannot take them (bus away, stream not
// made yet): segment files under the kubelet's data dir, bounded in bytes, read back in the
// order written, surviving a restart. When full, a new line is refused (the caller counts the
// drop) rather than an old one lost.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace skiff::kubelet {

struct BufferedRecord {
  std::string subject;
  std::string message_id;
  std::string data;
};

class LogDiskBuffer {
 public:
  // Opens what a previous run left in `dir` (a record cut short by a crash is dropped).
  LogDiskBuffer(std::string dir, std::uint64_t max_bytes, std::uint64_t segment_bytes = 4u << 20);

  // False when the buffer has no room for it (nothing is written then).
  bool append(const BufferedRecord& record);
  // The oldest records, at most `max`, in order.
  std::vector<BufferedRecord> front(std::size_t max) const;
  // Forgets the first `n` records (front()'s, once they are stored elsewhere).
  void pop(std::size_t n);

  std::uint64_t bytes() const;    // of records kept
  std::uint64_t records() const;  // kept
  bool empty() const { return records() == 0; }

 private:
  struct Segment {
    std::uint64_t number = 0;
    std::uint64_t size = 0;
    std::uint64_t records = 0;
  };
  std::string path_of(std::uint64_t number) const;
  void open_existing();
  void save_head() const;
  static std::size_t encoded_size(const BufferedRecord& record);

  std::string dir_;
  std::uint64_t max_bytes_;
  std::uint64_t segment_bytes_;
  mutable std::mutex mutex_;
  std::vector<Segment> segments_;  // oldest first
  std::uint64_t head_offset_ = 0;  // into the first segment: what is read already
  std::uint64_t head_records_ = 0;  // records of the first segment before head_offset_
  std::uint64_t next_number_ = 1;   // of the next segment made
};

}  // namespace skiff::kubelet
