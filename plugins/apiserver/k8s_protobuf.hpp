// Kubernetes' own protobuf encoding (application/vnd.kubernetes.protobuf) of request bodies,
// turned into Kubernetes JSON. kubectl 1.27+ sends it for typed requests (create namespace,
// deployment, ingress, pdb …, drain's Eviction and DeleteOptions); the wire schema is
// k8s_wire_schema's, for every kind of the resource table and the non-resource kinds.
#pragma once

#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace skiff::apiserver {

// The object in a "k8s\0" + runtime.Unknown envelope as JSON (apiVersion and kind included).
// Throws ApiError 400 for a broken body, 415 for a kind without a known wire schema.
boost::json::value decode_k8s_protobuf(const std::string& body);

// The other way: a Kubernetes JSON object (apiVersion and kind set) in the "k8s\0" envelope,
// as client-go would send it. Fields the wire schema lacks are left out. Throws ApiError 415
// for a kind without a known wire schema.
std::string encode_k8s_protobuf(const boost::json::value& object);

}  // namespace skiff::apiserver
