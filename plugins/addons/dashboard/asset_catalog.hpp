// The Web UI's built files, read once at start: each with its content type, an ETag (a hash
// of its bytes) and a gzip copy when that is smaller — served over the bus to the apiserver.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace skiff::dashboard {

struct Asset {
  std::string content_type;
  std::string etag;  // "\"<16 hex digits>\""
  std::string bytes;
  std::string gzipped;  // empty when gzip would not make it smaller
};

class AssetCatalog {
 public:
  // Every file under `dir` by its path relative to it ("index.html", "src/app.js"). Throws
  // sdk::Error(503) naming the directory when it has no index.html (the front end not built).
  static AssetCatalog load(const std::string& dir);

  const Asset* find(const std::string& path) const;
  std::size_t size() const { return assets_.size(); }
  std::uint64_t bytes() const;

 private:
  std::map<std::string, Asset> assets_;
};

std::string content_type_of(const std::string& path);

}  // namespace skiff::dashboard
