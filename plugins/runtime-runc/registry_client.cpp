#include "registry_client.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "sha256.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace json = boost::json;

namespace {

constexpr const char* kManifestTypes =
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

std::string url_escape(const std::string& text) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += {'%', hex[c >> 4], hex[c & 15]};
  }
  return out;
}

std::string docker_hub_host(const std::string& registry) {
  return registry == "docker.io" ? "registry-1.docker.io" : registry;
}

}  // namespace

std::map<std::string, std::string> parse_bearer_challenge(const std::string& header) {
  std::map<std::string, std::string> params;
  if (header.size() < 7) return params;
  std::string scheme = header.substr(0, 7);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return params;
  std::size_t at = 7;
  while (at < header.size()) {
    while (at < header.size() && (header[at] == ' ' || header[at] == ',')) ++at;
    auto equals = header.find('=', at);
    if (equals == std::string::npos) break;
    std::string key = header.substr(at, equals - at);
    std::string value;
    at = equals + 1;
    if (at < header.size() && header[at] == '"') {
      auto close = header.find('"', at + 1);
      value = header.substr(at + 1, close == std::string::npos ? std::string::npos : close - at - 1);
      at = close == std::string::npos ? header.size() : close + 1;
    } else {
      auto comma = header.find(',', at);
      value = header.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      at = comma == std::string::npos ? header.size() : comma;
    }
    params[key] = value;
  }
  return params;
}

std::string registry_error_message(const HttpResult& result) {
  boost::system::error_code ec;
  auto parsed = json::parse(result.body, ec);
  std::string out;
  if (!ec && parsed.is_object())
    if (auto* errors = parsed.as_object().if_contains("errors"); errors && errors->is_array())
      for (const auto& e : errors->as_array()) {
        if (!e.is_object()) continue;
        const auto& o = e.as_object();
        std::string code = o.contains("code") && o.at("code").is_string() ? std::string(o.at("code").as_string()) : "";
        std::string message =
            o.contains("message") && o.at("message").is_string() ? std::string(o.at("message").as_string()) : "";
        out += (out.empty() ? "" : "; ") + (code.empty() ? message : code + ": " + message);
      }
  if (out.empty()) out = result.body.substr(0, 512);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return "HTTP " + std::to_string(result.status) + (out.empty() ? "" : " " + out);
}

RegistryClient::RegistryClient(ImageReference image, bool plain_http, std::chrono::milliseconds timeout)
    : image_(std::move(image)),
      base_(std::string(plain_http ? "http://" : "https://") + docker_hub_host(image_.registry)),
      timeout_(timeout) {}

HttpResult RegistryClient::get(const std::string& target, std::map<std::string, std::string> headers,
                               const std::string* body_file) {
  for (int attempt = 0;; ++attempt) {
    HttpRequest request{Url::parse(base_ + target), headers, std::nullopt, timeout_};
    if (!token_.empty()) request.headers["Authorization"] = "Bearer " + token_;
    if (body_file) request.body_file = *body_file;
    HttpResult result = http_get(request);
    if (result.status != 401 || attempt > 0) return result;
    std::string challenge = result.header("www-authenticate");
    if (parse_bearer_challenge(challenge).empty()) return result;
    authenticate(challenge);
  }
}

void RegistryClient::authenticate(const std::string& challenge) {
  auto params = parse_bearer_challenge(challenge);
  if (!params.contains("realm"))
    throw sdk::Error(sdk::Status{401, "Unauthorized", "the registry " + image_.registry + " asks for a token with no realm"});
  std::string query;
  if (params.contains("service")) query += "service=" + url_escape(params["service"]);
  std::string scope = params.contains("scope") ? params["scope"] : "repository:" + image_.repository + ":pull";
  query += (query.empty() ? "" : "&") + std::string("scope=") + url_escape(scope);
  std::string realm = params["realm"];
  HttpRequest request{Url::parse(realm + (realm.find('?') == std::string::npos ? "?" : "&") + query), {}, std::nullopt,
                      timeout_};
  HttpResult result = http_get(request);
  if (result.status != 200)
    throw sdk::Error(sdk::Status{result.status, "Unauthorized",
                                 "the token server " + realm + " refused: " + registry_error_message(result)});
  boost::system::error_code ec;
  auto parsed = json::parse(result.body, ec);
  const json::value* token = nullptr;
  if (!ec && parsed.is_object()) {
    token = parsed.as_object().if_contains("token");
    if (!token) token = parsed.as_object().if_contains("access_token");
  }
  if (!token || !token->is_string())
    throw sdk::Error(sdk::Status{502, "BadGateway", "the token server " + realm + " answered no token"});
  token_ = std::string(token->as_string());
}

Manifest RegistryClient::manifest(const std::string& reference) {
  auto result = get("/v2/" + image_.repository + "/manifests/" + reference, {{"Accept", kManifestTypes}});
  if (result.status != 200)
    throw sdk::Error(sdk::Status{result.status == 404 ? 404 : 502, "ErrImagePull", registry_error_message(result)});
  Manifest m;
  m.body = std::move(result.body);
  m.media_type = result.header("content-type");
  if (auto semicolon = m.media_type.find(';'); semicolon != std::string::npos) m.media_type.erase(semicolon);
  m.digest = sha256_digest(m.body);
  return m;
}

void RegistryClient::blob(const std::string& digest, const std::string& path) {
  auto result = get("/v2/" + image_.repository + "/blobs/" + digest, {}, &path);
  if (result.status != 200)
    throw sdk::Error(sdk::Status{result.status == 404 ? 404 : 502, "ErrImagePull",
                                 "blob " + digest + ": " + registry_error_message(result)});
}

}  // namespace skiff::runc
