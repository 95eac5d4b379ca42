// Caches the OpenAPI documents and answers their HTTP requests (see openapi_service.hpp).
#include "openapi_service.hpp"

#include <openssl/sha.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "openapi_documents.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

const std::string kV2Path = "/openapi/v2";
const std::string kV3Path = "/openapi/v3";

std::string sha512_hex(const std::string& bytes) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

OpenApiService::Body body_of(std::string bytes) {
  std::string etag = sha512_hex(bytes);
  return {std::move(bytes), std::move(etag)};
}

// kubectl asks for application/com.github.proto-openapi.spec.v2@v1.0+protobuf; Kubernetes
// also accepts the spelling with a dot before v1.0.
bool wants_protobuf(const HttpRequest& request) {
  return request.header("Accept").find("com.github.proto-openapi.spec.v2") != std::string::npos;
}

bool etag_matches(const HttpRequest& request, const std::string& etag) {
  for (const auto& token : request.header_tokens("If-None-Match"))
    if (token == "*" || token == "\"" + etag + "\"" || token == "W/\"" + etag + "\"") return true;
  return false;
}

// 304 when the client holds this version, else the body; either way with its ETag.
void send_cached(const HttpRequest& request, HttpResponder& response, const OpenApiService::Body& body,
                 const std::string& content_type, HeaderList headers = {}) {
  headers.emplace_back("ETag", "\"" + body.etag + "\"");
  if (etag_matches(request, body.etag)) return response.send(304, "", "", headers);
  response.send(200, content_type, body.bytes, headers);
}

std::string http_date_in_a_year() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + std::chrono::hours(24 * 365));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

void send_group_version(const HttpRequest& request, HttpResponder& response, const std::string& group_version,
                        const OpenApiService::Body& body) {
  std::string hash = request.query_value("hash");
  if (hash.empty()) return send_cached(request, response, body, "application/json");
  if (hash != body.etag) {  // an old URL: send the client to the current document, as Kubernetes does
    std::string location = kV3Path + "/" + group_version + "?hash=" + body.etag;
    return response.send(301, "text/html; charset=utf-8", "<a href=\"" + location + "\">Moved Permanently</a>.\n",
                         {{"Location", location}});
  }
  // The URL names this exact content: it never changes, so caches may keep it.
  send_cached(request, response, body, "application/json",
              {{"Cache-Control", "public, immutable"}, {"Expires", http_date_in_a_year()}, {"Vary", "Accept"}});
}

}  // namespace

std::shared_ptr<const OpenApiService::Documents> build_openapi_documents(const OpenApiModel& model,
                                                                         const std::string& version) {
  auto started = std::chrono::steady_clock::now();
  auto docs = std::make_shared<OpenApiService::Documents>();
  json::object v2 = openapi_v2_document(model, version);
  docs->v2_json = body_of(json::serialize(v2));
  docs->v2_protobuf = body_of(openapi_v2_protobuf(v2));
  json::object paths;
  for (const auto& group_version : openapi_v3_group_versions(model)) {
    OpenApiService::Body body = body_of(json::serialize(openapi_v3_document(model, group_version, version)));
    paths[group_version] = {{"serverRelativeURL", kV3Path + "/" + group_version + "?hash=" + body.etag}};
    docs->v3[group_version] = std::move(body);
  }
  docs->v3_index = body_of(json::serialize(json::object{{"paths", std::move(paths)}}));
  docs->measurements = {docs->v2_json.bytes.size(), docs->v2_protobuf.bytes.size(), model.definitions.size(),
                        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)};
  return docs;
}

OpenApiService::OpenApiService(std::string version) : version_(std::move(version)) { set_extra({}); }

void OpenApiService::set_extra(OpenApiModel extra) {
  auto started = std::chrono::steady_clock::now();
  OpenApiModel model = builtin_openapi_model();
  merge_openapi_models(model, extra);
  auto built = build_openapi_documents(model, version_);
  auto copy = std::make_shared<Documents>(*built);
  copy->measurements.build_time =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  std::lock_guard lock(mutex_);
  documents_ = std::move(copy);
}

std::shared_ptr<const OpenApiService::Documents> OpenApiService::documents() const {
  std::lock_guard lock(mutex_);
  return documents_;
}

OpenApiService::Measurements OpenApiService::measurements() const { return documents()->measurements; }

bool OpenApiService::handle(const HttpRequest& request, HttpResponder& response) const {
  const std::string& path = request.path;
  if (path != kV2Path && path != kV3Path && path != kV3Path + "/" && path.rfind(kV3Path + "/", 0) != 0) return false;
  auto docs = documents();
  if (path == kV2Path) {
    if (wants_protobuf(request))  // the Content-Type kubectl's MIME parser takes (kubectl-contract §3)
      send_cached(request, response, docs->v2_protobuf, "application/octet-stream", {{"Vary", "Accept"}});
    else
      send_cached(request, response, docs->v2_json, "application/json", {{"Vary", "Accept"}});
    return true;
  }
  if (path == kV3Path || path == kV3Path + "/") {
    send_cached(request, response, docs->v3_index, "application/json");
    return true;
  }
  std::string group_version = path.substr(kV3Path.size() + 1);
  auto it = docs->v3.find(group_version);
  if (it == docs->v3.end())
    throw ApiError(sdk::Status::NotFound("no OpenAPI v3 document for \"" + group_version +
                                         "\"; GET /openapi/v3 lists the group-versions served"));
  send_group_version(request, response, group_version, it->second);
  return true;
}

}  // namespace skiff::apiserver
