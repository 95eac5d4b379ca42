#include "skiff/sdk/store/list_paging.hpp"

#include <google/protobuf/stubs/strutil.h>

#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

std::string encode_continue(std::int64_t revision, std::string_view last_key) {
  std::string token;
  google::protobuf::WebSafeBase64Escape(std::to_string(revision) + "|" + std::string(last_key), &token);
  return token;
}

std::pair<std::int64_t, std::string> decode_continue(const std::string& token) {
  std::string raw;
  auto bar = std::string::npos;
  if (google::protobuf::WebSafeBase64Unescape(token, &raw)) bar = raw.find('|');
  if (bar == std::string::npos) throw Error(Status::BadRequest("continue token is not valid; list again without it"));
  try {
    return {std::stoll(raw.substr(0, bar)), raw.substr(bar + 1)};
  } catch (const std::exception&) {
    throw Error(Status::BadRequest("continue token is not valid; list again without it"));
  }
}

ListFilter::ListFilter(const ResourceType& type, const store::v1::ListRequest& request)
    : labels_(LabelSelector::parse(request.label_selector())),
      fields_(FieldSelector::parse(request.field_selector(), type.descriptor)) {
  // metadata.name and metadata.namespace are in the metadata; other fields need the decoded object.
  for (const auto& r : fields_.requirements())
    if (r.path != "metadata.name" && r.path != "metadata.namespace") decoded_ = type.new_object();
}

bool ListFilter::matches(std::string_view object) {
  if (selects_everything()) return true;
  if (!read_object_meta(object, &meta_) || !labels_.matches(meta_.labels())) return false;
  if (decoded_) {
    decoded_->Clear();
    return decoded_->ParseFromArray(object.data(), static_cast<int>(object.size())) && fields_.matches(*decoded_);
  }
  for (const auto& r : fields_.requirements()) {
    const std::string& have = r.path == "metadata.name" ? meta_.name() : meta_.namespace_();
    if ((have == r.value) != r.equals) return false;
  }
  return true;
}

}  // namespace skiff::sdk
