// dashboard: the Web UI. Its built files (web/, made by `make build`) sit in the plugin's share
// dir, <plugins dir>/../../../share/skiff/dashboard, and are served on skiff.<c>.dashboard.asset
// — the apiserver answers /ui/ with them on its own address and TLS. Everything the app does
// goes through the Kubernetes API with the user's token.
#include <dlfcn.h>

#include <filesystem>

#include <spdlog/logger.h>

#include "asset_catalog.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/gzip.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::dashboard {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::string assets_dir;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("assets_dir", &Settings::assets_dir, "",
               "the built Web UI (index.html and the rest); empty: the plugin's share dir "
               "(<plugins dir>/../../../share/skiff/dashboard)"),
  };
  return map;
}

// Where this .so was loaded from, and its share dir from there.
std::string share_dir() {
  Dl_info info{};
  if (!dladdr(reinterpret_cast<void*>(&share_dir), &info) || !info.dli_fname) return "share/skiff/dashboard";
  auto plugins_dir = std::filesystem::absolute(info.dli_fname).parent_path();
  return (plugins_dir / ".." / ".." / ".." / "share" / "skiff" / "dashboard").lexically_normal().string();
}

class DashboardPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "dashboard";
    m.kind = "addon";
    m.version = "0.1.0";
    m.description = "The Web UI at /ui/ on the apiserver's address: the cluster in a browser, live through watches";
    m.config = config_map().table();
    return m;
  }

  explicit DashboardPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    std::string dir = settings.assets_dir.empty() ? share_dir() : settings.assets_dir;
    try {
      catalog_ = AssetCatalog::load(dir);
    } catch (const Error& e) {
      // The node runs on; /ui/ then answers with this message instead of the app.
      missing_ = e.status();
      context_.log().error("{}", missing_.message);
    }
    std::string subject = context_.subjects().dashboard("asset");
    serving_ = context_.bus().serve(subject, "dashboard", [this](Request request) { answer(request); });
    if (missing_.ok())
      context_.log().info("serving the Web UI ({} files, {} bytes from {}) on {}: /ui/ on the apiserver's address",
                          catalog_.size(), catalog_.bytes(), dir, subject);
  }

  void stop() override { serving_.cancel(); }

  Health health() override {
    if (!missing_.ok()) return Health::failing(missing_.message);
    return catalog_.size() ? Health::ok(std::to_string(catalog_.size()) + " files") : Health::failing("not started");
  }

 private:
  void answer(const Request& request) const {
    if (!missing_.ok()) return request.fail(missing_);
    const Asset* asset = catalog_.find(request.data());
    if (!asset) return request.fail(Status::NotFound("the Web UI has no file " + request.data()));
    Headers headers{{"Content-Type", asset->content_type}, {"ETag", asset->etag}};
    if (sdk::accepts_gzip(request.message().header("Accept-Encoding")) && !asset->gzipped.empty()) {
      headers.emplace_back("Content-Encoding", "gzip");
      return request.reply(asset->gzipped, headers);
    }
    request.reply(asset->bytes, headers);
  }

  Context& context_;
  AssetCatalog catalog_;
  Status missing_;  // why there is no app to serve (its files not built)
  Subscription serving_;
};

}  // namespace
}  // namespace skiff::dashboard

SKIFF_PLUGIN(skiff::dashboard::DashboardPlugin)
