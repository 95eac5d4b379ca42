// /ui/: the Web UI (plugins/addons/dashboard) on the API's own address and TLS. The files come
// from whichever plugin serves skiff.<c>.dashboard.asset; they load without a token (the app
// asks for one and sends it on every API request, so it can do nothing the token cannot).
//   GET /ui           -> 301 /ui/
//   GET /ui/          -> index.html
//   GET /ui/<path>    -> that file (ETag, If-None-Match -> 304, gzip when accepted)
#pragma once

#include <string>

#include "http_names.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

bool is_web_ui_path(const std::string& path);

class WebUiRoute {
 public:
  WebUiRoute(sdk::Bus& bus, const sdk::Subjects& subjects) : bus_(bus), subjects_(subjects) {}

  void handle(const HttpRequest& request, HttpResponder& response);

 private:
  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
};

}  // namespace skiff::apiserver
