// Layers unpacked as overlayfs stacks them: whiteouts and opaque dirs, owners and modes kept,
// gzip or plain; and every escape refused with nothing left behind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "layer_unpacker.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"
#include "tar_writer.hpp"

namespace {

namespace fs = std::filesystem;
using skiff::runc::contained_entry_path;
using skiff::runc::unpack_tar;
using skiff::runc::test::TarWriter;

class LayerUnpacker : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "unpacking owners and whiteouts needs root";
  }
  std::string tar(const std::string& name) const { return dir_.file(name + ".tar"); }
  std::string root(const std::string& name) const { return dir_.file(name); }
  // The refusal's message; "" when it was not refused.
  std::string refusal(const std::string& archive, const std::string& into) {
    try {
      unpack_tar(archive, into);
    } catch (const skiff::sdk::Error& e) {
      return e.status().message;
    }
    return "";
  }
  bool nothing_left(const std::string& into) const {
    for (const auto& entry : fs::directory_iterator(dir_.path()))
      if (entry.path().string().rfind(into, 0) == 0) return false;
    return true;
  }

  skiff::test::TempDir dir_;
};

TEST_F(LayerUnpacker, KeepsContentOwnersAndModes) {
  {
    TarWriter w(tar("layer"), /*gzip=*/true);
    w.dir("etc/");
    w.file("etc/app.conf", "key=value\n", 0600, 1000, 2000);
    w.file("./bin/tool", "#!/bin/sh\n", 04755);
    w.symlink("bin/link", "/etc/app.conf");
    w.hardlink("bin/hard", "bin/tool");
  }
  unpack_tar(tar("layer"), root("out"));
  EXPECT_EQ(skiff::test::read_file(root("out") + "/etc/app.conf"), "key=value\n");
  struct stat st {};
  ASSERT_EQ(::stat((root("out") + "/etc/app.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 2000u);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((root("out") + "/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_nlink, 2u) << "bin/hard is a hard link to it";
  EXPECT_EQ(fs::read_symlink(root("out") + "/bin/link"), "/etc/app.conf") << "symlinks are kept as written";
}

TEST_F(LayerUnpacker, WhiteoutsBecomeOverlayfsWhiteouts) {
  {
    TarWriter w(tar("upper"));
    w.file("etc/.wh.removed.conf", "");
    w.dir("var/cache/");
    w.file("var/cache/.wh..wh..opq", "");
    w.file("var/cache/new", "n");
  }
  unpack_tar(tar("upper"), root("out"));
  struct stat st {};
  ASSERT_EQ(::lstat((root("out") + "/etc/removed.conf").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists(root("out") + "/etc/.wh.removed.conf"));
  char value[4] = {0};
  ASSERT_EQ(::getxattr((root("out") + "/var/cache").c_str(), "trusted.overlay.opaque", value, sizeof value), 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_FALSE(fs::exists(root("out") + "/var/cache/.wh..wh..opq"));
  EXPECT_TRUE(fs::exists(root("out") + "/var/cache/new"));
}

TEST_F(LayerUnpacker, RefusesDotDotAndLeavesNothing) {
  {
    TarWriter w(tar("evil"));
    w.file("ok", "fine");
    w.file("../../escaped", "pwned");
  }
  auto message = refusal(tar("evil"), root("out"));
  EXPECT_NE(message.find("escapes the root"), std::string::npos) << message;
  EXPECT_TRUE(nothing_left(root("out")));
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()).parent_path() / "escaped"));
}

TEST_F(LayerUnpacker, RefusesWritingThroughASymlink) {
  {
    TarWriter w(tar("evil"));
    w.symlink("etc", "/tmp");
    w.file("etc/skiff-escaped", "pwned");
  }
  auto message = refusal(tar("evil"), root("out"));
  EXPECT_NE(message.find("through a symlink"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists("/tmp/skiff-escaped"));
  EXPECT_TRUE(nothing_left(root("out")));
}

TEST_F(LayerUnpacker, RefusesAHardLinkOutside) {
  {
    TarWriter w(tar("evil"));
    w.hardlink("shadow", "../../etc/shadow");
  }
  auto message = refusal(tar("evil"), root("out"));
  EXPECT_NE(message.find("outside the root"), std::string::npos) << message;
  EXPECT_TRUE(nothing_left(root("out")));
}

TEST_F(LayerUnpacker, RefusesWhatIsNotATar) {
  {
    std::ofstream(tar("garbage")) << "this is not a tar archive at all, not even close";
  }
  EXPECT_FALSE(refusal(tar("garbage"), root("out")).empty());
  EXPECT_TRUE(nothing_left(root("out")));
}

TEST(ContainedEntryPath, DropsDotsAndLeadingSlashes) {
  EXPECT_EQ(contained_entry_path("./etc/passwd"), "etc/passwd");
  EXPECT_EQ(contained_entry_path("/etc//passwd"), "etc/passwd");
  EXPECT_EQ(contained_entry_path("."), "");
  EXPECT_EQ(contained_entry_path("a/../b"), "");
  EXPECT_EQ(contained_entry_path("a/..b"), "a/..b") << "a name starting with .. is not a parent";
}

}  // namespace
