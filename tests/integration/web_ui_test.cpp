// /ui/ on the apiserver's HTTPS port, served from the dashboard addon's files over the bus:
// no token needed for the app's files (the API stays 401), ETag revalidation, gzip, security
// headers, 404 for a file it does not have, 503 naming the fix without the addon; and the
// bearer token a browser's WebSocket carries as a subprotocol; large API answers gzipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <google/protobuf/stubs/strutil.h>

#include "api_node.hpp"
#include "http_client.hpp"
#include "skiff/sdk/gzip.hpp"
#include "temp_dir.hpp"

namespace {

std::string gunzipped(const std::string& packed) { return skiff::sdk::gunzip(packed).value_or("(not gzip)"); }

using namespace skiff;
namespace fs = std::filesystem;

const std::string kIndex = "<!doctype html><html><head><title>Skiff</title></head><body>app</body></html>";
const std::string kScript(30000, ';');

// The built app's stand-in, and the plugin entry that serves it.
std::string dashboard_serving(const test::TempDir& dir) {
  std::ofstream(dir.file("index.html")) << kIndex;
  fs::create_directories(dir.file("src"));
  std::ofstream(dir.file("src/app.js")) << kScript;
  return "  - name: dashboard\n    config: {assets_dir: " + dir.path() + "}\n";
}

class WebUi : public ::testing::Test {
 protected:
  test::TempDir assets;
  test::ApiNode node{"", dashboard_serving(assets)};
  test::HttpClient anonymous{node.port(), node.ca_file(), ""};
  test::HttpClient admin{node.port(), node.ca_file(), node.token()};
};

TEST_F(WebUi, TheAppLoadsWithoutATokenWhileTheApiStaysClosed) {
  auto index = anonymous.get("/ui/", {});
  EXPECT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.body, kIndex);
  EXPECT_EQ(index.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(index.headers["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(index.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(anonymous.get("/ui/index.html", {}).body, kIndex);
  auto moved = anonymous.get("/ui", {});
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.headers["Location"], "/ui/");
  EXPECT_EQ(anonymous.get("/api/v1/namespaces", {}).status, 401);
  EXPECT_NE(anonymous.get("/ui/../api/v1/namespaces", {}).status, 200) << "no way out of /ui/ to the API";
  auto missing = anonymous.get("/ui/nope.js", {});
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("nope.js"), std::string::npos);
}

TEST_F(WebUi, AnUnchangedFileIsRevalidatedAndALargeOneComesGzipped) {
  auto first = anonymous.get("/ui/src/app.js", {});
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body, kScript);
  EXPECT_EQ(first.headers["Content-Type"], "text/javascript; charset=utf-8");
  std::string etag = first.headers["ETag"];
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(anonymous.get("/ui/src/app.js", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(anonymous.get("/ui/src/app.js", {{"If-None-Match", "\"other\""}}).status, 200);
  auto packed = anonymous.get("/ui/src/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(packed.headers["Content-Encoding"], "gzip");
  EXPECT_LT(packed.body.size(), kScript.size() / 10);
}

TEST_F(WebUi, ABrowsersWebSocketCarriesItsTokenAsASubprotocol) {
  std::string encoded;
  google::protobuf::WebSafeBase64Escape(node.token(), &encoded);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  auto with_token = anonymous.get(
      "/api/v1/namespaces", {{"Sec-WebSocket-Protocol", "v4.channel.k8s.io, base64url.bearer.authorization.k8s.io." + encoded}});
  EXPECT_EQ(with_token.status, 200) << with_token.body;
  auto wrong = anonymous.get("/api/v1/namespaces",
                             {{"Sec-WebSocket-Protocol", "base64url.bearer.authorization.k8s.io.bm90LXRoZS10b2tlbg"}});
  EXPECT_EQ(wrong.status, 401);
}


// The app lists 1,000 pods at start: as Kubernetes does, an answer of 128 KiB or more comes
// gzipped to a client that accepts it (kubectl and browsers do), and plain to one that does not.
TEST_F(WebUi, ALargeApiAnswerComesGzippedWhenAccepted) {
  for (int i = 0; i < 3; ++i) {
    std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big-)" + std::to_string(i) +
                       R"("},"data":{"blob":")" + std::string(60 * 1024, 'a' + i) + R"("}})";
    ASSERT_EQ(admin.request("POST", "/api/v1/namespaces/default/configmaps", body).status, 201);
  }
  auto plain = admin.get("/api/v1/namespaces/default/configmaps", {});
  EXPECT_EQ(plain.headers.count("Content-Encoding"), 0u);
  auto packed = admin.get("/api/v1/namespaces/default/configmaps", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(packed.headers["Content-Encoding"], "gzip");
  EXPECT_LT(packed.body.size(), plain.body.size() / 20);
  EXPECT_EQ(gunzipped(packed.body), plain.body);
  auto page = admin.get("/api/v1/namespaces/default/configmaps?limit=10", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(page.headers["Content-Encoding"], "gzip") << "a page is sent whole, and gzipped too";
  EXPECT_NE(gunzipped(page.body).find("big-2"), std::string::npos);
  auto small = admin.get("/api/v1/namespaces", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(small.headers.count("Content-Encoding"), 0u) << "below 128 KiB: not worth it";
  auto kubectl = node.kubectl("/usr/bin/kubectl", {"get", "configmaps", "-o", "name"});
  EXPECT_EQ(kubectl.exit_code, 0) << kubectl.both();
  EXPECT_NE(kubectl.out.find("configmap/big-2"), std::string::npos) << kubectl.both();
}

TEST(WebUiWithoutAddon, TheUiPathSaysWhichPluginToAdd) {
  test::ApiNode node;
  test::HttpClient anonymous{node.port(), node.ca_file(), ""};
  auto answer = anonymous.get("/ui/", {});
  EXPECT_EQ(answer.status, 503);
  EXPECT_NE(answer.body.find("name: dashboard"), std::string::npos) << answer.body;
}

TEST(WebUiNotBuilt, TheUiPathSaysHowToBuildIt) {
  test::TempDir empty;
  test::ApiNode node{"", "  - name: dashboard\n    config: {assets_dir: " + empty.path() + "}\n"};
  test::HttpClient anonymous{node.port(), node.ca_file(), ""};
  auto answer = anonymous.get("/ui/", {});
  EXPECT_EQ(answer.status, 503);
  EXPECT_NE(answer.body.find("make build"), std::string::npos) << answer.body;
}

}  // namespace
