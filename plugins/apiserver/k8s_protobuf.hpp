// Kubernetes' own protobuf encoding (application/vnd.kubernetes.protobuf) of request bodies,
// turned into Kubernetes JSON. kubectl 1.27+ sends it for typed creates (create namespace,
// deployment, service, configmap, secret); the wire schema is Kubernetes' generated.proto,
// whose field numbers differ from Skiff's API protos.
#pragma once

#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace skiff::apiserver {

// The object in a "k8s\0" + runtime.Unknown envelope as JSON (apiVersion and kind included).
// Throws ApiError 400 for a broken body, 415 for a kind without a known wire schema.
boost::json::value decode_k8s_protobuf(const std::string& body);

}  // namespace skiff::apiserver
