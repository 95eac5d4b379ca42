// Segments are preallocated (fallocate) and their directory entry synced once when created,
// so that each later fdatasync writes only the appended data, as etcd's WAL does.
#include "wal_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "crc32c.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store {
namespace {

using sdk::Error;
using sdk::Status;

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(Status::Internal("store: " + what + " " + path + ": " + std::strerror(errno) +
                               "; check that the data dir's disk is writable and not full"));
}

void sync_directory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", dir);
  if (fsync(fd) != 0) {
    close(fd);
    fail("cannot sync", dir);
  }
  close(fd);
}

void write_all(int fd, std::string_view bytes, std::uint64_t offset, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write the log segment", path);
    bytes.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

}  // namespace

struct WalFile::Segment {
  Segment(std::uint64_t sequence, std::string path, int fd, std::size_t size)
      : sequence(sequence), path(std::move(path)), fd(fd), size(size) {}
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment() { close(fd); }

  std::uint64_t sequence;
  std::string path;
  int fd;
  std::size_t size;
  std::uint64_t end = kWalMagic.size();  // where the next record goes
  std::uint64_t last_start = 0;          // where the last record went
  std::int64_t last_revision = 0;
};

std::string wal_segment_name(std::uint64_t sequence) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.wal", static_cast<unsigned long long>(sequence));
  return name;
}

std::vector<std::pair<std::uint64_t, std::string>> wal_segments(const std::string& wal_dir) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(wal_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 20 || !name.ends_with(".wal")) continue;
    out.emplace_back(std::stoull(name.substr(0, 16), nullptr, 16), entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

WalFile::WalFile(std::string wal_dir, std::size_t segment_size) : dir_(std::move(wal_dir)), segment_size_(segment_size) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw Error(Status::Internal("store: cannot create " + dir_ + ": " + ec.message()));
  auto existing = wal_segments(dir_);
  current_ = create_segment(existing.empty() ? 1 : existing.back().first + 1, segment_size_);
}

WalFile::~WalFile() = default;

std::shared_ptr<WalFile::Segment> WalFile::create_segment(std::uint64_t sequence, std::size_t size) {
  std::string path = dir_ + "/" + wal_segment_name(sequence);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create the log segment", path);
  auto segment = std::make_shared<Segment>(sequence, path, fd, size);
  int rc = posix_fallocate(fd, 0, static_cast<off_t>(size));
  if (rc != 0) {
    errno = rc;
    fail("cannot preallocate the log segment", path);
  }
  write_all(fd, kWalMagic, 0, path);
  if (fsync(fd) != 0) fail("cannot sync the log segment", path);
  sync_directory(dir_);
  return segment;
}

void WalFile::append(std::string_view payload, std::int64_t revision) {
  std::string frame(kWalFrameHeader, '\0');
  std::uint32_t length = static_cast<std::uint32_t>(payload.size());
  std::uint32_t crc = crc32c(payload);
  std::memcpy(frame.data(), &length, 4);
  std::memcpy(frame.data() + 4, &crc, 4);
  frame.append(payload);

  std::shared_ptr<Segment> segment;
  {
    std::lock_guard lock(mutex_);
    segment = current_;
  }
  if (segment->end + frame.size() > segment->size) {
    // The full segment's records must be durable before later ones can be acknowledged.
    if (fdatasync(segment->fd) != 0) fail("cannot sync the log segment", segment->path);
    auto next = create_segment(segment->sequence + 1,
                               std::max(segment_size_, kWalMagic.size() + frame.size()));
    std::lock_guard lock(mutex_);
    full_.push_back(current_);
    current_ = next;
    segment = next;
  }
  write_all(segment->fd, frame, segment->end, segment->path);
  segment->last_start = segment->end;
  segment->end += frame.size();
  std::lock_guard lock(mutex_);
  segment->last_revision = revision;
  appended_ += frame.size();
}

void WalFile::discard_last() {
  std::shared_ptr<Segment> segment;
  {
    std::lock_guard lock(mutex_);
    segment = current_;
  }
  std::uint64_t size = segment->end - segment->last_start;
  write_all(segment->fd, std::string(size, '\0'), segment->last_start, segment->path);
  if (fdatasync(segment->fd) != 0) fail("cannot sync the log segment", segment->path);
  segment->end = segment->last_start;
}

void WalFile::sync() {
  std::shared_ptr<Segment> segment;
  {
    std::lock_guard lock(mutex_);
    segment = current_;
  }
  if (fdatasync(segment->fd) != 0) fail("cannot sync the log segment", segment->path);
}

void WalFile::recycle(std::int64_t revision) {
  std::vector<std::shared_ptr<Segment>> done;
  {
    std::lock_guard lock(mutex_);
    while (!full_.empty() && full_.front()->last_revision <= revision) {
      done.push_back(full_.front());
      full_.pop_front();
    }
  }
  for (const auto& segment : done) std::filesystem::remove(segment->path);
}

std::uint64_t WalFile::appended_bytes() const {
  std::lock_guard lock(mutex_);
  return appended_;
}

}  // namespace skiff::store
