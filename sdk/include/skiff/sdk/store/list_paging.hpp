// What every store's list needs beyond its own storage: continue tokens that carry the list's
// revision and the last key returned, and the label and field selectors applied to each
// serialized object (decoding it only when a field selector names more than the metadata).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::sdk {

std::string encode_continue(std::int64_t revision, std::string_view last_key);
// {revision, last key}; throws Error(400) for a token that is not one.
std::pair<std::int64_t, std::string> decode_continue(const std::string& token);

class ListFilter {
 public:
  // Throws Error(400) for a selector that does not parse or names an unknown field.
  ListFilter(const ResourceType& type, const store::v1::ListRequest& request);
  // The namespace a `metadata.namespace=` field selector pins the list to, or nullptr.
  const std::string* namespace_filter() const { return fields_.equality_value("metadata.namespace"); }
  bool selects_everything() const { return labels_.empty() && fields_.empty(); }
  bool matches(std::string_view object);

 private:
  LabelSelector labels_;
  FieldSelector fields_;
  std::unique_ptr<google::protobuf::Message> decoded_;  // only when a field selector needs it
  api::meta::v1::ObjectMeta meta_;
};

}  // namespace skiff::sdk
