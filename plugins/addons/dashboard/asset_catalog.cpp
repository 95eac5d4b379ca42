#include "asset_catalog.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/gzip.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::dashboard {

namespace fs = std::filesystem;

namespace {

// Files larger than this do not fit one bus message with room to spare.
constexpr std::uintmax_t kLargestAsset = 900 * 1024;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string etag_of(const std::string& bytes) {
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

Asset asset_of(const fs::path& file) {
  Asset a;
  a.bytes = read_all(file);
  a.content_type = content_type_of(file.string());
  a.etag = etag_of(a.bytes);
  std::string packed = sdk::gzip(a.bytes, 9);  // once, at start: the smallest
  if (packed.size() + 64 < a.bytes.size()) a.gzipped = std::move(packed);
  return a;
}

}  // namespace

std::string content_type_of(const std::string& path) {
  static const std::map<std::string, std::string> types{
      {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},          {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},               {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"}};
  auto it = types.find(fs::path(path).extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

AssetCatalog AssetCatalog::load(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "index.html"))
    throw sdk::Error(sdk::Status::Unavailable(
        "the Web UI's files are not in " + dir + " (no index.html): build them with `make build` (needs node and "
        "npm: scripts/deps.sh build), or point the dashboard's `assets_dir` at a built copy"));
  AssetCatalog catalog;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string path = fs::relative(entry.path(), dir).generic_string();
    if (entry.file_size() > kLargestAsset)
      throw sdk::Error(sdk::Status::Invalid("the Web UI's file " + path + " has " + std::to_string(entry.file_size()) +
                                            " bytes, more than the 900 KiB one bus message carries: split it"));
    catalog.assets_[path] = asset_of(entry.path());
  }
  return catalog;
}

const Asset* AssetCatalog::find(const std::string& path) const {
  auto it = assets_.find(path);
  return it == assets_.end() ? nullptr : &it->second;
}

std::uint64_t AssetCatalog::bytes() const {
  std::uint64_t total = 0;
  for (const auto& [path, asset] : assets_) total += asset.bytes.size();
  return total;
}

}  // namespace skiff::dashboard
