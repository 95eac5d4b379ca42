// Custom objects between the JSON clients send and read and the stored CustomResourceObject:
// metadata as ObjectMeta, everything else as canonical JSON text (keys sorted, so equal
// content is equal bytes and generation only moves on real changes).
#pragma once

#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api_core.hpp"
#include "custom_resource_registry.hpp"

namespace skiff::apiserver {

// The stored form of a client's object (apiVersion and kind are dropped: a custom object is
// stored in its CRD's storage version). Throws ApiError 400 when metadata is malformed.
MessagePtr custom_object_from_json(const ServedCustomResource& crd, const boost::json::object& object);

// What a client reads in `version`: apiVersion rewritten (conversion strategy None) and the
// version's defaults applied, as Kubernetes defaults objects read from storage.
boost::json::object custom_object_to_json(const ServedCustomResource& crd, const google::protobuf::Message& stored,
                                          const std::string& version);

// JSON text with object keys sorted at every level.
std::string canonical_json(const boost::json::value& value);

}  // namespace skiff::apiserver
