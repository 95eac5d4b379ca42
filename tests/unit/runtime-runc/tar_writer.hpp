// Tars made entry by entry for the unpacker's tests (libarchive's writer): paths no tar(1)
// would write ("../x"), whiteouts, hard links, owners and modes; plain or gzip.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <string>

namespace skiff::runc::test {

class TarWriter {
 public:
  explicit TarWriter(const std::string& path, bool gzip = false) : archive_(archive_write_new()) {
    archive_write_set_format_pax_restricted(archive_);
    if (gzip) archive_write_add_filter_gzip(archive_);
    archive_write_open_filename(archive_, path.c_str());
  }
  ~TarWriter() { close(); }

  void file(const std::string& path, const std::string& content, int mode = 0644, int uid = 0, int gid = 0) {
    add(path, AE_IFREG, mode, uid, gid, content);
  }
  void dir(const std::string& path, int mode = 0755) { add(path, AE_IFDIR, mode, 0, 0, ""); }
  void symlink(const std::string& path, const std::string& target) {
    archive_entry* e = entry(path, AE_IFLNK, 0777, 0, 0);
    archive_entry_set_symlink(e, target.c_str());
    finish(e, "");
  }
  void hardlink(const std::string& path, const std::string& target) {
    archive_entry* e = entry(path, AE_IFREG, 0644, 0, 0);
    archive_entry_set_hardlink(e, target.c_str());
    archive_entry_set_size(e, 0);
    archive_write_header(archive_, e);
    archive_entry_free(e);
  }
  void close() {
    if (!archive_) return;
    archive_write_close(archive_);
    archive_write_free(archive_);
    archive_ = nullptr;
  }

 private:
  archive_entry* entry(const std::string& path, unsigned type, int mode, int uid, int gid) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, static_cast<mode_t>(mode));
    archive_entry_set_uid(e, uid);
    archive_entry_set_gid(e, gid);
    return e;
  }
  void finish(archive_entry* e, const std::string& content) {
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_write_header(archive_, e);
    if (!content.empty()) archive_write_data(archive_, content.data(), content.size());
    archive_entry_free(e);
  }
  void add(const std::string& path, unsigned type, int mode, int uid, int gid, const std::string& content) {
    finish(entry(path, type, mode, uid, gid), content);
  }

  archive* archive_;
};

}  // namespace skiff::runc::test
