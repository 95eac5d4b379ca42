// Layout: "SKIFFCKP", boot id (u32 length + bytes), revision i64, meta pages (u32 length +
// bytes), CRC32C of all before it.
#include "checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crc32c.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store {
namespace {

using sdk::Error;
using sdk::Status;

constexpr std::string_view kMagic = "SKIFFCKP";

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(Status::Internal("store: " + what + " " + path + ": " + std::strerror(errno) +
                               "; check that the data dir's disk is writable and not full"));
}

void put_text(std::string& out, std::string_view text) {
  auto size = static_cast<std::uint32_t>(text.size());
  out.append(reinterpret_cast<const char*>(&size), 4);
  out.append(text);
}

bool take(std::string_view& in, void* out, std::size_t size) {
  if (in.size() < size) return false;
  std::memcpy(out, in.data(), size);
  in.remove_prefix(size);
  return true;
}

bool take_text(std::string_view& in, std::string& out) {
  std::uint32_t size = 0;
  if (!take(in, &size, 4) || in.size() < size) return false;
  out.assign(in.substr(0, size));
  in.remove_prefix(size);
  return true;
}

void write_synced(const std::string& path, std::string_view bytes, off_t offset, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot open", path);
  bool ok = pwrite(fd, bytes.data(), bytes.size(), offset) == static_cast<ssize_t>(bytes.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) fail("cannot write", path);
}

}  // namespace

std::string current_boot_id() {
  if (const char* forced = std::getenv("SKIFF_STORE_LMDB_BOOT_ID")) return forced;
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

void write_checkpoint_file(const std::string& data_dir, const CheckpointFile& checkpoint) {
  std::string bytes(kMagic);
  put_text(bytes, checkpoint.boot_id);
  bytes.append(reinterpret_cast<const char*>(&checkpoint.revision), 8);
  put_text(bytes, checkpoint.meta_pages);
  std::uint32_t crc = crc32c(bytes);
  bytes.append(reinterpret_cast<const char*>(&crc), 4);
  std::string path = data_dir + "/checkpoint";
  write_synced(path + ".tmp", bytes, 0, O_WRONLY | O_CREAT | O_TRUNC);
  if (std::rename((path + ".tmp").c_str(), path.c_str()) != 0) fail("cannot rename into", path);
  int dir = open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || fsync(dir) != 0) {
    if (dir >= 0) close(dir);
    fail("cannot sync", data_dir);
  }
  close(dir);
}

std::optional<CheckpointFile> read_checkpoint_file(const std::string& data_dir) {
  std::string path = data_dir + "/checkpoint";
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  std::string bytes = std::move(buffer).str();
  CheckpointFile checkpoint;
  std::uint32_t crc = 0;
  std::string_view in(bytes);
  bool ok = bytes.size() > kMagic.size() + 4 && in.starts_with(kMagic);
  if (ok) {
    std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
    ok = crc == crc32c(in.substr(0, in.size() - 4));
    in = in.substr(kMagic.size(), in.size() - kMagic.size() - 4);
  }
  ok = ok && take_text(in, checkpoint.boot_id) && take(in, &checkpoint.revision, 8) &&
       take_text(in, checkpoint.meta_pages) && in.empty();
  if (!ok)
    throw Error(Status::Internal("store: " + path + " is damaged (it is written atomically, so only disk trouble "
                                 "does that); if skiffd stopped cleanly or only skiffd crashed, remove it"));
  return checkpoint;
}

void restore_meta_pages(const std::string& data_dir, const CheckpointFile& checkpoint) {
  write_synced(data_dir + "/data.mdb", checkpoint.meta_pages, 0, O_WRONLY);
}

}  // namespace skiff::store
