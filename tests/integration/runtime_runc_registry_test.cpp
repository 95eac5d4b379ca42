// runtime-runc's image pulls against a real registry: Debian's docker-registry on 127.0.0.1
// with storage in a temp dir, images pushed with skopeo from the locally built busybox. By tag
// and by digest into one store, a multi-platform index resolved to linux/amd64, a missing image
// as ErrImagePull with the registry's own message, a corrupted layer refused with nothing
// unpacked, a registry that wants a token (a token server of the test's) — and runtime-docker
// pulling from the same registry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "command.hpp"
#include "image_puller.hpp"
#include "image_service.hpp"
#include "image_store.hpp"
#include "registry_token_server.hpp"
#include "runc_lab.hpp"
#include "sha256.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/plugin_harness.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff;
using namespace skiff::runc;
namespace fs = std::filesystem;

std::size_t files_in(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

class RegistryPull : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& missing : {test::runc_missing_prerequisite(), test::registry_missing_prerequisite()})
      if (!missing.empty()) GTEST_SKIP() << missing;
    registry_ = std::make_unique<test::TestRegistry>();
    registry_->push("docker-archive:" + test::busybox_image_archive(), "skiff/busybox:1");
    store_ = std::make_unique<ImageStore>(dir_.file("store"));
  }
  std::string image(const std::string& name) const { return registry_->host() + "/" + name; }

  test::TempDir dir_;
  std::unique_ptr<test::TestRegistry> registry_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(RegistryPull, ByTagThenByDigestIntoOneStore) {
  auto record = pull_image(parse_image_reference(image("skiff/busybox:1")), *store_, {});
  EXPECT_EQ(record.name, image("skiff/busybox:1"));
  ASSERT_EQ(record.layers.size(), 1u);
  EXPECT_TRUE(fs::exists(store_->layer_path(record.layers[0]) + "/bin/busybox"));
  EXPECT_EQ(record.config.cmd, std::vector<std::string>{"/bin/sh"});
  std::size_t blobs = files_in(dir_.file("store/blobs/sha256"));
  auto by_digest = pull_image(parse_image_reference(image("skiff/busybox@" + record.manifest_digest)), *store_, {});
  EXPECT_EQ(by_digest.id, record.id);
  EXPECT_EQ(files_in(dir_.file("store/blobs/sha256")), blobs) << "nothing fetched twice";
  EXPECT_EQ(files_in(dir_.file("store/layers/sha256")), 1u) << "the layer is unpacked once";
}

TEST_F(RegistryPull, AMultiPlatformIndexGivesLinuxAmd64) {
  test::write_multi_platform_layout(dir_.file("layout"), "multi");
  registry_->push("oci:" + dir_.file("layout") + ":multi", "skiff/multi:1");
  auto record = pull_image(parse_image_reference(image("skiff/multi:1")), *store_, {});
  EXPECT_EQ(record.config.cmd, (std::vector<std::string>{"sh", "-c", "echo amd64"}));
  PullOptions arm;
  arm.architecture = "arm64";
  ImageStore other(dir_.file("other"));
  EXPECT_EQ(pull_image(parse_image_reference(image("skiff/multi:1")), other, arm).config.cmd,
            (std::vector<std::string>{"sh", "-c", "echo arm64"}));
}

TEST_F(RegistryPull, AMissingImageIsErrImagePullWithTheRegistrysMessage) {
  ImageService images(*store_, {});
  for (const auto& missing : {image("skiff/busybox:no-such-tag"), image("skiff/no-such-repo:1")}) {
    try {
      images.ensure(missing, "IfNotPresent");
      ADD_FAILURE() << missing << " was found";
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().reason, "ErrImagePull");
      EXPECT_NE(e.status().message.find(missing), std::string::npos) << e.status().message;
      EXPECT_NE(e.status().message.find("UNKNOWN"), std::string::npos) << "the registry's code: " << e.status().message;
    }
  }
  try {
    images.ensure(image("skiff/busybox:1"), "Never");
    ADD_FAILURE() << "Never pulled";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "ErrImageNeverPull");
  }
  EXPECT_TRUE(images.ensure(image("skiff/busybox:1"), "IfNotPresent").pulled());
  EXPECT_FALSE(images.ensure(image("skiff/busybox:1"), "IfNotPresent").pulled()) << "present now";
  EXPECT_TRUE(images.ensure(image("skiff/busybox:1"), "Always").pulled());
}

TEST_F(RegistryPull, ACorruptLayerIsRefusedAndNothingIsUnpacked) {
  auto good = pull_image(parse_image_reference(image("skiff/busybox:1")), *store_, {});
  std::string layer = good.layers[0];
  std::string data = registry_->storage() + "/docker/registry/v2/blobs/sha256/" + digest_hex(layer).substr(0, 2) + "/" +
                     digest_hex(layer) + "/data";
  ASSERT_TRUE(fs::exists(data)) << data;
  auto size = fs::file_size(data);
  std::ofstream(data, std::ios::binary | std::ios::trunc) << std::string(size, 'X');
  ImageStore fresh(dir_.file("fresh"));
  try {
    pull_image(parse_image_reference(image("skiff/busybox:1")), fresh, {});
    ADD_FAILURE() << "a corrupt layer was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "DigestMismatch");
    EXPECT_NE(e.status().message.find(layer), std::string::npos) << e.status().message;
  }
  EXPECT_EQ(files_in(dir_.file("fresh/layers/sha256")), 0u) << "nothing unpacked";
  EXPECT_FALSE(fresh.has_blob(layer));
  EXPECT_TRUE(fresh.list().empty());
}

// docker-registry with `auth: token`: anonymous requests get 401 and a Bearer challenge; the
// puller asks the realm for a token for the repository and retries with it.
TEST_F(RegistryPull, ARegistryThatWantsATokenGetsOne) {
  test::RegistryTokenServer tokens;
  test::TestRegistry guarded(tokens.registry_auth_config());
  guarded.push("docker-archive:" + test::busybox_image_archive(), "skiff/guarded:1");  // skopeo asks for a token too
  int before = tokens.tokens_issued();
  ImageStore store(dir_.file("guarded"));
  auto record = pull_image(parse_image_reference(guarded.host() + "/skiff/guarded:1"), store, {});
  EXPECT_EQ(record.config.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_GT(tokens.tokens_issued(), before) << "the pull went through the token server";

  tokens.refuse(true);
  ImageService images(store, {});
  try {
    images.ensure(guarded.host() + "/skiff/guarded:1", "Always");
    ADD_FAILURE() << "pulled without a token";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "ErrImagePull");
    EXPECT_NE(e.status().message.find("the test's token server refuses"), std::string::npos) << e.status().message;
  }
}

TEST_F(RegistryPull, RuntimeDockerPullsFromTheSameRegistry) {
  if (!fs::exists("/var/run/docker.sock")) GTEST_SKIP() << "dockerd is not running here";
  auto harness = test::runtime_harness({"runtime-docker"})();
  sdk::RuntimeClient docker(harness->bus(), harness->subjects(), harness->node());
  auto pulled = docker.image(image("skiff/busybox:1"), "Always");
  EXPECT_FALSE(pulled.image_ref().empty());
  test::run_command({"docker", "rmi", "-f", image("skiff/busybox:1")});
}

}  // namespace
