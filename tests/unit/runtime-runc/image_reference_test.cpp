// Image names split as Docker splits them, which registries are plain HTTP, and the parts of a
// registry's answers the puller reads (Bearer challenges, error bodies, index platforms).
#include <gtest/gtest.h>

#include "image_puller.hpp"
#include "image_reference.hpp"
#include "registry_client.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff::runc;

TEST(ImageReference, DefaultsToDockerHubLibraryAndLatest) {
  auto r = parse_image_reference("busybox");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "library/busybox");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(r.canonical(), "docker.io/library/busybox:latest");
  EXPECT_EQ(parse_image_reference("skiff/busybox:1").canonical(), "docker.io/skiff/busybox:1");
}

TEST(ImageReference, FirstComponentIsARegistryWhenItLooksLikeOne) {
  auto r = parse_image_reference("127.0.0.1:5000/team/app:2.1");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "team/app");
  EXPECT_EQ(r.tag, "2.1");
  EXPECT_EQ(parse_image_reference("localhost/app").registry, "localhost");
  EXPECT_EQ(parse_image_reference("quay.io/org/app").registry, "quay.io");
  EXPECT_EQ(parse_image_reference("org/app").registry, "docker.io");
}

TEST(ImageReference, ADigestWinsOverATag) {
  std::string digest = "sha256:" + std::string(64, 'a');
  auto r = parse_image_reference("127.0.0.1:5000/app:1@" + digest);
  EXPECT_EQ(r.digest, digest);
  EXPECT_EQ(r.reference(), digest);
  EXPECT_EQ(r.canonical(), "127.0.0.1:5000/app@" + digest);
}

TEST(ImageReference, RefusesBadNames) {
  for (const char* bad : {"UPPER/case", "app@sha256:short", "app:bad/tag", "app:", "a/../b"})
    EXPECT_THROW(parse_image_reference(bad), skiff::sdk::Error) << bad;
}

TEST(PlainHttpRegistry, LoopbackAndListedOnly) {
  EXPECT_TRUE(plain_http_registry("127.0.0.1:5000", {}));
  EXPECT_TRUE(plain_http_registry("127.8.9.1", {}));
  EXPECT_TRUE(plain_http_registry("localhost:5000", {}));
  EXPECT_FALSE(plain_http_registry("registry.example:5000", {}));
  EXPECT_TRUE(plain_http_registry("registry.example:5000", {"registry.example:5000"}));
  EXPECT_TRUE(plain_http_registry("registry.example:5000", {"registry.example"}));
  EXPECT_FALSE(plain_http_registry("docker.io", {"registry.example"}));
}

TEST(RegistryAnswers, BearerChallengeParameters) {
  auto p = parse_bearer_challenge(
      R"(Bearer realm="http://127.0.0.1:9/token",service="skiff-registry",scope="repository:app:pull")");
  EXPECT_EQ(p["realm"], "http://127.0.0.1:9/token");
  EXPECT_EQ(p["service"], "skiff-registry");
  EXPECT_EQ(p["scope"], "repository:app:pull");
  EXPECT_TRUE(parse_bearer_challenge(R"(Basic realm="x")").empty());
}

TEST(RegistryAnswers, ErrorMessagesComeFromTheBody) {
  HttpResult r;
  r.status = 404;
  r.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"9"}}]})";
  EXPECT_EQ(registry_error_message(r), "HTTP 404 MANIFEST_UNKNOWN: manifest unknown");
  r.body = "plain words\n";
  EXPECT_EQ(registry_error_message(r), "HTTP 404 plain words");
}

TEST(RegistryAnswers, IndexResolvesToThePlatform) {
  std::string amd = "sha256:" + std::string(64, '1'), arm = "sha256:" + std::string(64, '2');
  std::string index = R"({"manifests":[{"digest":")" + arm + R"(","platform":{"os":"linux","architecture":"arm64"}},)" +
                      R"({"digest":")" + amd + R"(","platform":{"os":"linux","architecture":"amd64"}}]})";
  EXPECT_EQ(platform_manifest_digest(index, {}), amd);
  PullOptions riscv;
  riscv.architecture = "riscv64";
  try {
    platform_manifest_digest(index, riscv);
    ADD_FAILURE() << "found a platform the index does not have";
  } catch (const skiff::sdk::Error& e) {
    EXPECT_NE(e.status().message.find("linux/arm64, linux/amd64"), std::string::npos) << e.status().message;
  }
}

TEST(HttpUrl, ParsesHostsPortsAndTargets) {
  auto u = Url::parse("http://127.0.0.1:5000/v2/app/manifests/1");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "5000");
  EXPECT_EQ(u.target, "/v2/app/manifests/1");
  auto s = Url::parse("https://auth.example/token?service=x");
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(s.port, "443");
  EXPECT_EQ(s.target, "/token?service=x");
  EXPECT_THROW(Url::parse("ftp://x"), skiff::sdk::Error);
}

}  // namespace
