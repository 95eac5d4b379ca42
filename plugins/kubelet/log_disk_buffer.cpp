#include "log_disk_buffer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace fs = std::filesystem;

namespace {

// A record on disk: u32 body length, then u32 subject length, subject, u32 id length, id, data.
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

std::string encode(const BufferedRecord& r) {
  std::string body;
  put_u32(body, static_cast<std::uint32_t>(r.subject.size()));
  body += r.subject;
  put_u32(body, static_cast<std::uint32_t>(r.message_id.size()));
  body += r.message_id;
  body += r.data;
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  return out + body;
}

std::optional<BufferedRecord> decode(std::string_view body) {
  if (body.size() < 4) return std::nullopt;
  std::uint32_t subject_size = get_u32(body.data());
  if (body.size() < 8ull + subject_size) return std::nullopt;
  std::uint32_t id_size = get_u32(body.data() + 4 + subject_size);
  if (body.size() < 8ull + subject_size + id_size) return std::nullopt;
  return BufferedRecord{std::string(body.substr(4, subject_size)), std::string(body.substr(8 + subject_size, id_size)),
                        std::string(body.substr(8 + subject_size + id_size))};
}

// Reads the record at `offset`; nullopt at the end or at a record cut short.
std::optional<BufferedRecord> read_at(std::ifstream& in, std::uint64_t offset, std::uint64_t& next) {
  char header[4];
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in.read(header, 4)) return std::nullopt;
  std::string body(get_u32(header), '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(body.size()))) return std::nullopt;
  next = offset + 4 + body.size();
  return decode(body);
}

}  // namespace

LogDiskBuffer::LogDiskBuffer(std::string dir, std::uint64_t max_bytes, std::uint64_t segment_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes), segment_bytes_(std::max<std::uint64_t>(segment_bytes, 4096)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    throw sdk::Error(sdk::Status::Internal("cannot make the log buffer directory " + dir_ + ": " + ec.message() +
                                           "; check the kubelet's data dir"));
  open_existing();
}

std::string LogDiskBuffer::path_of(std::uint64_t number) const {
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.seg", static_cast<unsigned long long>(number));
  return dir_ + "/" + name;
}

void LogDiskBuffer::open_existing() {
  std::vector<std::uint64_t> numbers;
  for (const auto& entry : fs::directory_iterator(dir_))
    if (entry.path().extension() == ".seg") numbers.push_back(std::stoull(entry.path().stem().string()));
  std::sort(numbers.begin(), numbers.end());
  std::uint64_t head_number = 0, head_offset = 0;
  std::ifstream(dir_ + "/head") >> head_number >> head_offset;
  for (auto number : numbers) {
    next_number_ = number + 1;
    if (number < head_number) {  // read out before the crash
      fs::remove(path_of(number));
      continue;
    }
    Segment segment{number, 0, 0};
    std::ifstream in(path_of(number), std::ios::binary);
    std::uint64_t offset = 0, next = 0;
    while (read_at(in, offset, next)) {
      if (number == head_number && next <= head_offset) ++head_records_;
      offset = next;
      ++segment.records;
    }
    segment.size = offset;
    fs::resize_file(path_of(number), offset);  // a record cut short by a crash goes
    segments_.push_back(segment);
  }
  if (!segments_.empty() && segments_.front().number == head_number) head_offset_ = std::min(head_offset, segments_.front().size);
}

std::size_t LogDiskBuffer::encoded_size(const BufferedRecord& r) { return 12 + r.subject.size() + r.message_id.size() + r.data.size(); }

bool LogDiskBuffer::append(const BufferedRecord& record) {
  std::lock_guard lock(mutex_);
  std::uint64_t kept = 0;
  for (const auto& s : segments_) kept += s.size;
  kept -= head_offset_;
  if (kept + encoded_size(record) > max_bytes_) return false;
  if (segments_.empty() || segments_.back().size >= segment_bytes_) segments_.push_back({next_number_++, 0, 0});
  Segment& last = segments_.back();
  std::string bytes = encode(record);
  int fd = ::open(path_of(last.number).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  bool written = fd >= 0 && ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  if (fd >= 0) ::close(fd);
  if (!written) {
    if (fd >= 0) fs::resize_file(path_of(last.number), last.size);  // no half record left behind
    return false;
  }
  last.size += bytes.size();
  ++last.records;
  return true;
}

std::vector<BufferedRecord> LogDiskBuffer::front(std::size_t max) const {
  std::lock_guard lock(mutex_);
  std::vector<BufferedRecord> out;
  std::uint64_t offset = head_offset_;
  for (const auto& segment : segments_) {
    std::ifstream in(path_of(segment.number), std::ios::binary);
    std::uint64_t next = 0;
    while (out.size() < max && offset < segment.size) {
      auto record = read_at(in, offset, next);
      if (!record) break;
      out.push_back(std::move(*record));
      offset = next;
    }
    if (out.size() >= max) break;
    offset = 0;
  }
  return out;
}

void LogDiskBuffer::pop(std::size_t n) {
  std::lock_guard lock(mutex_);
  while (n > 0 && !segments_.empty()) {
    Segment& first = segments_.front();
    std::ifstream in(path_of(first.number), std::ios::binary);
    std::uint64_t next = 0;
    while (n > 0 && head_records_ < first.records && read_at(in, head_offset_, next)) {
      head_offset_ = next;
      ++head_records_;
      --n;
    }
    if (head_records_ < first.records) break;
    fs::remove(path_of(first.number));  // read out: its space comes back
    segments_.erase(segments_.begin());
    head_offset_ = head_records_ = 0;
  }
  save_head();
}

void LogDiskBuffer::save_head() const {
  std::string text = segments_.empty() ? "0 0\n"
                                       : std::to_string(segments_.front().number) + " " + std::to_string(head_offset_) + "\n";
  std::string temporary = dir_ + "/head.new";
  std::ofstream(temporary, std::ios::trunc) << text;
  std::rename(temporary.c_str(), (dir_ + "/head").c_str());
}

std::uint64_t LogDiskBuffer::bytes() const {
  std::lock_guard lock(mutex_);
  std::uint64_t kept = 0;
  for (const auto& s : segments_) kept += s.size;
  return kept - head_offset_;
}

std::uint64_t LogDiskBuffer::records() const {
  std::lock_guard lock(mutex_);
  std::uint64_t kept = 0;
  for (const auto& s : segments_) kept += s.records;
  return kept - head_records_;
}

}  // namespace skiff::kubelet
