// The content-addressed store: blobs kept only when their digest matches, records by name and
// id, garbage collection of what no image and no container uses, and docker-save import.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "archive_import.hpp"
#include "image_store.hpp"
#include "runc_lab.hpp"
#include "sha256.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff::runc;
namespace fs = std::filesystem;

std::string scratch_with(ImageStore& store, const std::string& content) {
  std::string path = store.scratch_path();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ImageStore, KeepsABlobOnlyWhenItsDigestMatches) {
  skiff::test::TempDir dir;
  ImageStore store(dir.path());
  std::string good = sha256_digest("layer bytes");
  store.add_blob(scratch_with(store, "layer bytes"), good, "a layer");
  EXPECT_TRUE(store.has_blob(good));
  std::string claimed = sha256_digest("something else");
  std::string file = scratch_with(store, "tampered bytes");
  try {
    store.add_blob(file, claimed, "the layer " + claimed);
    ADD_FAILURE() << "a corrupt blob was kept";
  } catch (const skiff::sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "DigestMismatch");
    EXPECT_NE(e.status().message.find(claimed), std::string::npos);
  }
  EXPECT_FALSE(store.has_blob(claimed));
  EXPECT_FALSE(fs::exists(file)) << "the corrupt download is deleted";
}

TEST(ImageStore, RecordsByNameAndIdAndCollectsGarbage) {
  skiff::test::TempDir dir;
  ImageStore store(dir.path());
  std::string kept = sha256_digest("kept"), used = sha256_digest("used by a container"), unused = sha256_digest("unused");
  for (const auto& [content, digest] : {std::pair{"kept", kept}, {"used by a container", used}, {"unused", unused}})
    store.add_blob(scratch_with(store, content), digest, "blob");
  ImageRecord record;
  record.name = "127.0.0.1:5000/app:1";
  record.id = kept;
  store.save(record);
  EXPECT_EQ(store.find("127.0.0.1:5000/app:1")->id, kept);
  EXPECT_EQ(store.find(kept)->name, "127.0.0.1:5000/app:1");
  EXPECT_EQ(store.list().size(), 1u);
  EXPECT_EQ(store.garbage_collect({used}), 1u);
  EXPECT_TRUE(store.has_blob(kept));
  EXPECT_TRUE(store.has_blob(used));
  EXPECT_FALSE(store.has_blob(unused));
  EXPECT_TRUE(store.remove(kept));
  EXPECT_FALSE(store.find("127.0.0.1:5000/app:1"));
  store.garbage_collect({});
  EXPECT_FALSE(store.has_blob(kept));
}

TEST(ArchiveImport, DockerSaveArchivesAndOciLayouts) {
  if (::geteuid() != 0) GTEST_SKIP() << "unpacking layers with their owners needs root";
  skiff::test::TempDir dir;
  ImageStore store(dir.file("store"));
  auto imported = import_image_archive(skiff::test::busybox_image_archive(), store);
  ASSERT_EQ(imported.size(), 1u);
  EXPECT_EQ(imported[0].name, "docker.io/skiff/busybox:1");
  EXPECT_EQ(imported[0].config.cmd, std::vector<std::string>{"/bin/sh"});
  ASSERT_EQ(imported[0].layers.size(), 1u);
  EXPECT_TRUE(fs::exists(store.layer_path(imported[0].layers[0]) + "/bin/busybox"));
  EXPECT_TRUE(fs::is_symlink(store.layer_path(imported[0].layers[0]) + "/bin/sh"));

  skiff::test::write_multi_platform_layout(dir.file("layout"), "127.0.0.1:5000/skiff/multi:1");
  std::string tarball = dir.file("layout.tar");
  ASSERT_EQ(std::system(("tar -C " + dir.file("layout") + " -cf " + tarball + " .").c_str()), 0);
  auto layout = import_image_archive(tarball, store);
  ASSERT_EQ(layout.size(), 1u);
  EXPECT_EQ(layout[0].name, "127.0.0.1:5000/skiff/multi:1");
  EXPECT_EQ(layout[0].config.cmd, (std::vector<std::string>{"sh", "-c", "echo amd64"})) << "the index's linux/amd64";
  ASSERT_EQ(layout[0].layers.size(), 1u);
  EXPECT_TRUE(fs::exists(store.layer_path(layout[0].layers[0]) + "/www/index.html"));
}

}  // namespace
