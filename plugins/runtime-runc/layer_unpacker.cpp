#include "layer_unpacker.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueMarker = ".wh..wh..opq";

using Reader = std::unique_ptr<archive, decltype(&archive_read_free)>;
using Writer = std::unique_ptr<archive, decltype(&archive_write_free)>;

sdk::Error refused(const std::string& archive_path, const std::string& why) {
  return sdk::Error(sdk::Status::Invalid("refused to unpack " + archive_path + ": " + why));
}

// No component of `relative` below `root` that already exists may be a symlink: writing
// through one could land anywhere.
bool through_symlink(const fs::path& root, const std::string& relative) {
  fs::path at = root;
  fs::path parent = fs::path(relative).parent_path();
  for (const auto& part : parent) {
    at /= part;
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) return false;  // created by this entry: a real directory
    if (S_ISLNK(st.st_mode)) return true;
  }
  return false;
}

void make_whiteout(const fs::path& target, const std::string& archive_path) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  fs::remove_all(target, ec);
  if (::mknod(target.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0)
    throw refused(archive_path, "cannot write the whiteout " + target.string() + " (run as root): " + std::strerror(errno));
}

void make_opaque(const fs::path& dir, const std::string& archive_path) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (::setxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0)
    throw refused(archive_path, "cannot mark " + dir.string() + " opaque (run as root): " + std::strerror(errno));
}

// Handles a whiteout entry; false when the entry is not one.
bool whiteout(const fs::path& root, const std::string& path, const std::string& archive_path) {
  fs::path p(path);
  std::string name = p.filename().string();
  if (name.rfind(kWhiteoutPrefix, 0) != 0) return false;
  if (name == kOpaqueMarker) make_opaque(root / p.parent_path(), archive_path);
  else make_whiteout(root / p.parent_path() / name.substr(4), archive_path);
  return true;
}

void extract_all(archive* in, archive* out, const fs::path& root, const std::string& archive_path,
                 const UnpackOptions& options) {
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    std::string original = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    std::string path = contained_entry_path(original);
    if (path.empty() && original.find("..") != std::string::npos)
      throw refused(archive_path, "the entry \"" + original + "\" escapes the root (a \"..\" component)");
    if (path.empty()) continue;  // the root itself
    if (through_symlink(root, path))
      throw refused(archive_path, "the entry \"" + original + "\" would be written through a symlink");
    if (options.overlay_whiteouts && whiteout(root, path, archive_path)) continue;
    if (const char* link = archive_entry_hardlink(entry)) {
      std::string target = contained_entry_path(link);
      if (target.empty() || through_symlink(root, target))
        throw refused(archive_path, "the hard link \"" + original + "\" points outside the root (\"" + link + "\")");
      archive_entry_copy_hardlink(entry, (root / target).c_str());
    }
    archive_entry_copy_pathname(entry, (root / path).c_str());
    if (archive_write_header(out, entry) < ARCHIVE_WARN)
      throw refused(archive_path, "cannot write \"" + original + "\": " + archive_error_string(out));
    const void* block;
    size_t size;
    la_int64_t offset;
    while ((r = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK)
      if (archive_write_data_block(out, block, size, offset) < ARCHIVE_WARN)
        throw refused(archive_path, "cannot write \"" + original + "\": " + archive_error_string(out));
    if (r != ARCHIVE_EOF) throw refused(archive_path, "broken entry \"" + original + "\": " + archive_error_string(in));
    if (archive_write_finish_entry(out) < ARCHIVE_WARN)
      throw refused(archive_path, "cannot finish \"" + original + "\": " + archive_error_string(out));
  }
  if (r != ARCHIVE_EOF) throw refused(archive_path, std::string("not a readable tar: ") + archive_error_string(in));
}

std::string random_suffix() {
  std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng() % 1000000000);
}

}  // namespace

std::string contained_entry_path(const std::string& path) {
  std::string out;
  fs::path p(path);
  for (const auto& part : p) {
    std::string s = part.string();
    if (s.empty() || s == "/" || s == ".") continue;
    if (s == "..") return "";
    out += (out.empty() ? "" : "/") + s;
  }
  return out;
}

void unpack_tar(const std::string& archive_path, const std::string& destination, UnpackOptions options) {
  fs::path staging = destination + ".unpacking-" + random_suffix();
  fs::create_directories(staging);
  try {
    Reader in(archive_read_new(), &archive_read_free);
    archive_read_support_filter_all(in.get());
    archive_read_support_format_tar(in.get());
    archive_read_support_format_gnutar(in.get());
    if (archive_read_open_filename(in.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK)
      throw refused(archive_path, std::string("cannot open it: ") + archive_error_string(in.get()));
    Writer out(archive_write_disk_new(), &archive_write_free);
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
                                                  ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    archive_write_disk_set_standard_lookup(out.get());
    extract_all(in.get(), out.get(), staging, archive_path, options);
    if (archive_write_close(out.get()) != ARCHIVE_OK)
      throw refused(archive_path, std::string("cannot finish writing: ") + archive_error_string(out.get()));
    fs::rename(staging, destination);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
}

}  // namespace skiff::runc
