// The atomic volume writer: a timestamped directory per version, `..data` renamed onto the
// newest, top-level symlinks through it.
#include "atomic_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataLink = "..data";
constexpr const char* kDataLinkNext = "..data_tmp";
constexpr std::size_t kMaxPath = 4096;
constexpr std::size_t kMaxFileName = 255;

[[noreturn]] void mount_failure(const std::string& message) {
  throw sdk::Error(sdk::Status{422, "FailedMount", message});
}

[[noreturn]] void system_failure(const std::string& what, const fs::path& path) {
  mount_failure("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

// The kubelet's own check of each path (the API's is the same in other words).
std::string checked_path(const std::string& path) {
  if (path.empty()) mount_failure("invalid path: must not be empty");
  if (path.front() == '/') mount_failure("invalid path: must be relative path: " + path);
  if (path.size() > kMaxPath) mount_failure("invalid path: must be less than or equal to 4096 characters");
  for (const auto& part : fs::path(path)) {
    if (part == "..") mount_failure("invalid path: must not contain '..': " + path);
    if (part.string().size() > kMaxFileName) mount_failure("invalid path: filenames must be less than or equal to 255 characters");
  }
  std::string first = fs::path(path).begin()->string();
  if (first.size() > 2 && first.rfind("..", 0) == 0) mount_failure("invalid path: must not start with '..': " + path);
  std::string clean = fs::path(path).lexically_normal().string();
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  return clean;
}

VolumePayload cleaned(const VolumePayload& payload) {
  VolumePayload out;
  for (const auto& [path, file] : payload) out[checked_path(path)] = file;
  return out;
}

std::string top_of(const std::string& path) { return fs::path(path).begin()->string(); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the version `..data` points at holds: every regular file, with its content and mode.
VolumePayload current_version(const fs::path& version) {
  VolumePayload found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(version, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;
    found[fs::relative(it->path(), version).string()] = {read_file(it->path()), static_cast<int>(st.st_mode & 07777)};
  }
  return found;
}

bool same(const VolumePayload& a, const VolumePayload& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (i->first != j->first || i->second.data != j->second.data || i->second.mode != j->second.mode) return false;
  return true;
}

// "..2024_05_01_12_00_00.123456789": a new hidden directory for this version of the files.
fs::path new_version_dir(const fs::path& dir) {
  std::time_t now = std::time(nullptr);
  std::tm utc {};
  gmtime_r(&now, &utc);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "..%Y_%m_%d_%H_%M_%S.", &utc);
  std::string pattern = (dir / (std::string(stamp) + "XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) system_failure("make the directory", pattern);
  if (::chmod(pattern.c_str(), 0755) != 0) system_failure("set the mode of", pattern);
  return pattern;
}

void write_file(const fs::path& path, const ProjectedFile& file) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) mount_failure("cannot make the directory " + path.parent_path().string() + ": " + ec.message());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) system_failure("write", path);
  std::size_t done = 0;
  while (done < file.data.size()) {
    ssize_t n = ::write(fd, file.data.data() + done, file.data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      system_failure("write", path);
    }
    done += static_cast<std::size_t>(n);
  }
  // Set after the write: the mode is exact, whatever the process's umask.
  bool moded = ::fchmod(fd, static_cast<mode_t>(file.mode & 07777)) == 0;
  if (::close(fd) != 0 || !moded) system_failure("finish", path);
}

// `..data` onto the new version in one rename: readers never see it missing.
void point_data_at(const fs::path& dir, const fs::path& version) {
  fs::path next = dir / kDataLinkNext;
  std::error_code ec;
  fs::remove(next, ec);
  if (::symlink(version.filename().c_str(), next.c_str()) != 0) system_failure("link", next);
  if (::rename(next.c_str(), (dir / kDataLink).c_str()) != 0) system_failure("rename onto", dir / kDataLink);
}

// Each top-level name a symlink through ..data; names no longer in the payload go (so do
// plain files a writer before this one left).
void link_top_level(const fs::path& dir, const std::set<std::string>& tops) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0) continue;
    bool ours = entry.is_symlink(ec) && fs::read_symlink(entry.path(), ec) == fs::path(kDataLink) / name;
    if (!tops.count(name) || !ours) fs::remove_all(entry.path(), ec);
  }
  for (const auto& top : tops) {
    fs::path link = dir / top;
    if (fs::is_symlink(link, ec)) continue;
    if (::symlink((fs::path(kDataLink) / top).c_str(), link.c_str()) != 0) system_failure("link", link);
  }
}

}  // namespace

bool write_atomically(const std::string& target, const VolumePayload& raw) {
  VolumePayload payload = cleaned(raw);
  fs::path dir(target);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) mount_failure("cannot make the volume directory " + target + ": " + ec.message());
  std::string old_version;
  if (fs::is_symlink(dir / kDataLink, ec)) old_version = fs::read_symlink(dir / kDataLink, ec).string();
  bool write = old_version.empty() || !same(current_version(dir / old_version), payload);
  if (write) {
    fs::path version = new_version_dir(dir);
    for (const auto& [path, file] : payload) write_file(version / path, file);
    point_data_at(dir, version);
  }
  std::set<std::string> tops;
  for (const auto& [path, file] : payload) tops.insert(top_of(path));
  link_top_level(dir, tops);
  if (write && !old_version.empty()) fs::remove_all(dir / old_version, ec);
  return write;
}

}  // namespace skiff::kubelet
