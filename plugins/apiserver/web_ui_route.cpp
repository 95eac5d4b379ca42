#include "web_ui_route.hpp"

#include <chrono>

namespace skiff::apiserver {

namespace {

constexpr std::chrono::seconds kAssetTimeout{5};
// The app's own files and the API only: no inline scripts, nothing from elsewhere. xterm.js
// sets inline styles, hence 'unsafe-inline' for styles alone.
constexpr const char* kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

std::string file_of(const std::string& path) {
  std::string file = path.substr(std::string("/ui/").size());
  return file.empty() ? "index.html" : file;
}

void send_text(HttpResponder& response, unsigned status, const std::string& text) {
  response.send(status, "text/plain; charset=utf-8", text + "\n", {{"X-Content-Type-Options", "nosniff"}});
}

}  // namespace

bool is_web_ui_path(const std::string& path) { return path == "/ui" || path.rfind("/ui/", 0) == 0; }

void WebUiRoute::handle(const HttpRequest& request, HttpResponder& response) {
  if (request.method != boost::beast::http::verb::get)
    return send_text(response, 405, "the Web UI's files are read-only: only GET is allowed");
  if (request.path == "/ui") return response.send(301, "text/plain; charset=utf-8", "", {{"Location", "/ui/"}});
  std::string file = file_of(request.path);
  sdk::Headers ask{{"Accept-Encoding", request.header("Accept-Encoding")}};
  sdk::Reply reply = bus_.request(subjects_.dashboard("asset"), file, kAssetTimeout, ask);
  if (reply.nothing_serves() || reply.status.code == 504)
    return send_text(response, 503,
                     "The Web UI is not running on this cluster (nothing answers " + subjects_.dashboard("asset") +
                         "): add `- {name: dashboard}` to the plugins of the master's profile and restart it.");
  if (reply.status.code == 404) return send_text(response, 404, "The Web UI has no file " + file + ".");
  if (!reply.ok()) return send_text(response, static_cast<unsigned>(reply.status.code), reply.status.message);
  std::string etag(sdk::find_header(reply.headers, "ETag"));
  HeaderList headers{{"ETag", etag}, {"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"},
                     {"Content-Security-Policy", kPolicy}, {"Referrer-Policy", "no-referrer"}, {"Vary", "Accept-Encoding"}};
  if (!etag.empty() && request.header("If-None-Match") == etag) return response.send(304, "", "", headers);
  std::string encoding(sdk::find_header(reply.headers, "Content-Encoding"));
  if (!encoding.empty()) headers.emplace_back("Content-Encoding", encoding);
  response.send(200, std::string(sdk::find_header(reply.headers, "Content-Type")), std::move(reply.data), headers);
}

}  // namespace skiff::apiserver
