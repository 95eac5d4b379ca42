// The atomic volume writer, on a real directory: Kubernetes' layout (`..data` → a timestamped
// version, top-level symlinks through it), exact modes, no write when nothing changed, a new
// version replacing the old in one rename, and paths that would leave the volume refused.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "atomic_writer.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff;
using namespace skiff::kubelet;
namespace fs = std::filesystem;
using test::TempDir;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<int>(st.st_mode & 07777);
}

// The hidden version directories in `dir`.
std::vector<std::string> versions(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("..", 0) == 0 && name != "..data" && e.is_directory()) out.push_back(name);
  }
  return out;
}

class AtomicWriter : public ::testing::Test {
 protected:
  fs::path dir() const { return fs::path(tmp_.path()) / "volume"; }
  TempDir tmp_;
};

TEST_F(AtomicWriter, WritesKubernetesLayoutWithExactModes) {
  ::mode_t old_mask = ::umask(077);  // the modes asked for hold whatever the umask
  bool wrote = write_atomically(dir(), {{"name", {"web-1", 0644}}, {"conf/app.conf", {"port=80\n", 0400}}});
  ::umask(old_mask);
  EXPECT_TRUE(wrote);
  ASSERT_TRUE(fs::is_symlink(dir() / "..data"));
  auto version = fs::read_symlink(dir() / "..data").string();
  EXPECT_EQ(version.rfind("..", 0), 0u) << "a hidden version directory: " << version;
  EXPECT_EQ(versions(dir()), std::vector<std::string>{version});
  EXPECT_EQ(mode_of(dir() / version), 0755);
  EXPECT_EQ(fs::read_symlink(dir() / "name"), fs::path("..data/name"));
  EXPECT_EQ(fs::read_symlink(dir() / "conf"), fs::path("..data/conf")) << "one link per top-level name";
  EXPECT_EQ(read(dir() / "name"), "web-1");
  EXPECT_EQ(read(dir() / "conf/app.conf"), "port=80\n");
  EXPECT_EQ(mode_of(dir() / "name"), 0644);
  EXPECT_EQ(mode_of(dir() / "conf/app.conf"), 0400);
}

TEST_F(AtomicWriter, TheSamePayloadIsNotWrittenAgain) {
  VolumePayload payload{{"labels", {"app=\"web\"", 0644}}};
  ASSERT_TRUE(write_atomically(dir(), payload));
  auto version = fs::read_symlink(dir() / "..data");
  EXPECT_FALSE(write_atomically(dir(), payload));
  EXPECT_EQ(fs::read_symlink(dir() / "..data"), version);
  payload["labels"].mode = 0600;
  EXPECT_TRUE(write_atomically(dir(), payload)) << "a mode that changed is a change";
  EXPECT_EQ(mode_of(dir() / "labels"), 0600);
}

TEST_F(AtomicWriter, ANewVersionReplacesTheOldOne) {
  ASSERT_TRUE(write_atomically(dir(), {{"labels", {"app=\"web\"", 0644}}, {"gone/file", {"x", 0644}}}));
  auto first = fs::read_symlink(dir() / "..data").string();
  std::ifstream opened_before(dir() / "labels");  // a reader that opened the old file keeps it
  ASSERT_TRUE(write_atomically(dir(), {{"labels", {"app=\"web\"\ntier=\"front\"", 0644}}, {"new", {"y", 0644}}}));
  auto second = fs::read_symlink(dir() / "..data").string();
  EXPECT_NE(first, second);
  EXPECT_EQ(versions(dir()), std::vector<std::string>{second}) << "the old version is removed";
  EXPECT_EQ(read(dir() / "labels"), "app=\"web\"\ntier=\"front\"") << "the same path shows the new file";
  EXPECT_EQ(read(dir() / "new"), "y");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir() / "gone"))) << "a name no longer in the payload goes";
  EXPECT_FALSE(fs::exists(dir() / "..data_tmp"));
  std::string old_text((std::istreambuf_iterator<char>(opened_before)), std::istreambuf_iterator<char>());
  EXPECT_EQ(old_text, "app=\"web\"");
}

TEST_F(AtomicWriter, FilesAnEarlierWriterLeftBecomeLinks) {
  fs::create_directories(dir());
  std::ofstream(dir() / "password") << "old";
  std::ofstream(dir() / "stale") << "old";
  ASSERT_TRUE(write_atomically(dir(), {{"password", {"new", 0644}}}));
  EXPECT_TRUE(fs::is_symlink(dir() / "password"));
  EXPECT_EQ(read(dir() / "password"), "new");
  EXPECT_FALSE(fs::exists(dir() / "stale"));
}

TEST_F(AtomicWriter, AnEmptyPayloadLeavesAnEmptyVolume) {
  ASSERT_TRUE(write_atomically(dir(), {}));
  EXPECT_TRUE(fs::is_symlink(dir() / "..data"));
  EXPECT_FALSE(write_atomically(dir(), {}));
}

TEST_F(AtomicWriter, PathsThatWouldLeaveTheVolumeAreRefused) {
  auto failure = [&](const std::string& path) {
    try {
      write_atomically(dir(), {{path, {"x", 0644}}});
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().reason, "FailedMount");
      return e.status().message;
    }
    return std::string();
  };
  EXPECT_EQ(failure("/etc/passwd"), "invalid path: must be relative path: /etc/passwd");
  EXPECT_EQ(failure("a/../../b"), "invalid path: must not contain '..': a/../../b");
  EXPECT_EQ(failure("..data"), "invalid path: must not start with '..': ..data");
  EXPECT_EQ(failure(""), "invalid path: must not be empty");
  EXPECT_EQ(failure(std::string(256, 'a')), "invalid path: filenames must be less than or equal to 255 characters");
  EXPECT_EQ(failure("./name"), "") << "cleaned, as Kubernetes cleans it";
  EXPECT_EQ(read(dir() / "name"), "x");
}

}  // namespace
