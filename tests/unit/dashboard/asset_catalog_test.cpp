// The Web UI's files as the dashboard serves them: found by relative path, typed by extension,
// tagged by content, gzipped when that helps; a missing build or an oversized file refused
// with a message that says what to do.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "asset_catalog.hpp"
#include "skiff/sdk/gzip.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace {

std::string gunzipped(const std::string& packed) { return skiff::sdk::gunzip(packed).value_or("(not gzip)"); }

using namespace skiff;
namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}


TEST(AssetCatalog, FilesAreFoundByRelativePathWithTheirTypeTagAndGzipCopy) {
  test::TempDir dir;
  std::string script(20000, 'a');
  write(fs::path(dir.path()) / "index.html", "<!doctype html><title>Skiff</title>");
  write(fs::path(dir.path()) / "src" / "app.js", script);
  auto catalog = dashboard::AssetCatalog::load(dir.path());
  EXPECT_EQ(catalog.size(), 2u);
  const auto* index = catalog.find("index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(index->gzipped.empty()) << "a tiny file is not worth gzip";
  const auto* app = catalog.find("src/app.js");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->content_type, "text/javascript; charset=utf-8");
  ASSERT_FALSE(app->gzipped.empty());
  EXPECT_LT(app->gzipped.size(), 1000u);
  EXPECT_EQ(gunzipped(app->gzipped), script);
  EXPECT_EQ(app->etag.size(), 18u);
  EXPECT_NE(app->etag, index->etag);
  EXPECT_EQ(catalog.find("../index.html"), nullptr);
  EXPECT_EQ(catalog.find("missing.js"), nullptr);
}

TEST(AssetCatalog, TheTagFollowsTheContent) {
  test::TempDir dir;
  write(fs::path(dir.path()) / "index.html", "one");
  auto first = dashboard::AssetCatalog::load(dir.path()).find("index.html")->etag;
  EXPECT_EQ(dashboard::AssetCatalog::load(dir.path()).find("index.html")->etag, first);
  write(fs::path(dir.path()) / "index.html", "two");
  EXPECT_NE(dashboard::AssetCatalog::load(dir.path()).find("index.html")->etag, first);
}

TEST(AssetCatalog, ADirectoryWithoutTheBuiltAppSaysHowToBuildIt) {
  test::TempDir dir;
  try {
    dashboard::AssetCatalog::load(dir.path());
    FAIL() << "no index.html, yet a catalog";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503);
    EXPECT_NE(e.status().message.find("make build"), std::string::npos) << e.status().message;
    EXPECT_NE(e.status().message.find(dir.path()), std::string::npos) << e.status().message;
  }
}

TEST(AssetCatalog, AFileTooLargeForABusMessageIsRefusedByName) {
  test::TempDir dir;
  write(fs::path(dir.path()) / "index.html", "x");
  write(fs::path(dir.path()) / "huge.js", std::string(1 << 20, 'x'));
  try {
    dashboard::AssetCatalog::load(dir.path());
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_NE(e.status().message.find("huge.js"), std::string::npos) << e.status().message;
  }
}

TEST(AssetCatalog, ContentTypesByExtension) {
  EXPECT_EQ(dashboard::content_type_of("a/b.css"), "text/css; charset=utf-8");
  EXPECT_EQ(dashboard::content_type_of("x.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(dashboard::content_type_of("logo.svg"), "image/svg+xml");
  EXPECT_EQ(dashboard::content_type_of("blob"), "application/octet-stream");
}

}  // namespace
