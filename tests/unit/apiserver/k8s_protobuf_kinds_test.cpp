// Kubernetes' protobuf for every kind: the special types one by one (bytes written by hand from
// generated.proto), the non-resource kinds kubectl sends, and a table-driven round trip of
// every registered kind through the one wire schema, checked against Skiff's own JSON codec.
#include <gtest/gtest.h>

#include <set>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "eviction.hpp"
#include "k8s_protobuf.hpp"
#include "k8s_wire_schema.hpp"
#include "object_codec.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::sdk {
// Test names and failures show the kind, not the struct's bytes.
inline void PrintTo(const ResourceType& type, std::ostream* out) { *out << type.api_version() << "/" << type.kind; }
}  // namespace skiff::sdk

namespace {

using namespace skiff;
namespace json = boost::json;

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  return out + static_cast<char>(v);
}

std::string bytes(int number, const std::string& payload) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(payload.size()) + payload;
}

std::string number(int field, std::uint64_t value) { return varint(static_cast<std::uint64_t>(field) << 3) + varint(value); }

std::string envelope(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + bytes(1, bytes(1, api_version) + bytes(2, kind)) + bytes(2, raw);
}

json::value decode(const std::string& body) { return apiserver::decode_k8s_protobuf(body); }

// ---- special types ----

TEST(K8sProtobufTypes, IntOrStringAsNumberAndAsText) {
  // PodDisruptionBudgetSpec: minAvailable 1, maxUnavailable 3 (IntOrString: type 1, intVal 2, strVal 3).
  std::string spec = bytes(1, number(1, 0) + number(2, 2)) + bytes(3, number(1, 1) + bytes(3, "25%"));
  auto pdb = decode(envelope("policy/v1", "PodDisruptionBudget", bytes(2, spec)));
  EXPECT_EQ(pdb.at("spec"), json::parse(R"({"minAvailable":2,"maxUnavailable":"25%"})"));
}

TEST(K8sProtobufTypes, TimeIsRfc3339AndGoZeroTimeIsUnset) {
  // metav1.Time: seconds 1, nanos 2. disruptedPods is a map of them (status field 2).
  std::string entry = bytes(1, "web-1") + bytes(2, number(1, 1700000000) + number(2, 5));
  std::string zero = bytes(1, "web-2") + bytes(2, "");
  auto pdb = decode(envelope("policy/v1", "PodDisruptionBudget", bytes(3, bytes(2, entry) + bytes(2, zero))));
  EXPECT_EQ(pdb.at("status").at("disruptedPods").at("web-1"), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(pdb.at("status").at("disruptedPods").as_object().contains("web-2"));
}

TEST(K8sProtobufTypes, QuantityIsItsText) {
  // Container resources (8): limits (1) map of Quantity {string 1}.
  std::string container = bytes(1, "c") + bytes(8, bytes(1, bytes(1, "memory") + bytes(2, bytes(1, "128Mi"))));
  auto pod = decode(envelope("v1", "Pod", bytes(2, bytes(2, container))));
  EXPECT_EQ(pod.at("spec").at("containers").at(0).at("resources").at("limits").at("memory"), "128Mi");
}

TEST(K8sProtobufTypes, RawExtensionIsTheDocumentItCarries) {
  // ControllerRevision: data 2 (RawExtension: raw 1, the JSON bytes), revision 3 — what kubectl
  // rollout history/undo reads for DaemonSets and StatefulSets.
  std::string patch = R"({"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"db"}}}}})";
  auto revision = decode(envelope("apps/v1", "ControllerRevision", bytes(1, bytes(1, "db-7c9")) + bytes(2, bytes(1, patch)) + number(3, 2)));
  EXPECT_EQ(revision.at("data"), json::parse(patch));
  EXPECT_EQ(revision.at("revision"), 2);
  EXPECT_EQ(decode(apiserver::encode_k8s_protobuf(revision)), revision);
  EXPECT_THROW(decode(envelope("apps/v1", "ControllerRevision", bytes(2, bytes(1, "{not json")))), apiserver::ApiError);
}

TEST(K8sProtobufTypes, SpecialTypesWriteAsTheyRead) {
  auto object = json::parse(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget",
      "metadata":{"name":"b","namespace":"default","creationTimestamp":"2026-01-02T03:04:05Z"},
      "spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}},"unhealthyPodEvictionPolicy":"AlwaysAllow"},
      "status":{"disruptedPods":{"web-1":"2026-01-02T03:04:06Z"},"disruptionsAllowed":1,"expectedPods":3,
                "conditions":[{"type":"DisruptionAllowed","status":"True","lastTransitionTime":"2026-01-02T03:04:07Z",
                               "reason":"SufficientPods","message":"","observedGeneration":2}]}})");
  auto round = decode(apiserver::encode_k8s_protobuf(object));
  EXPECT_EQ(round, object);
}

// ---- the non-resource kinds kubectl sends ----

TEST(K8sProtobufKinds, DeleteOptionsAsDrainSendsThem) {
  // gracePeriodSeconds 1, preconditions 2 (uid 1, resourceVersion 2), propagationPolicy 4, dryRun 5.
  std::string body = number(1, 30) + bytes(2, bytes(1, "u-1") + bytes(2, "42")) + bytes(4, "Foreground") + bytes(5, "All");
  EXPECT_EQ(decode(envelope("meta.k8s.io/v1", "DeleteOptions", body)), json::parse(R"({
      "apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions","gracePeriodSeconds":30,
      "preconditions":{"uid":"u-1","resourceVersion":"42"},"propagationPolicy":"Foreground","dryRun":["All"]})"));
  auto options = apiserver::delete_options_from(decode(envelope("meta.k8s.io/v1", "DeleteOptions", body)));
  EXPECT_EQ(options.grace_period_seconds.value_or(-1), 30);
  EXPECT_EQ(options.precondition_uid, "u-1");
}

TEST(K8sProtobufKinds, EvictionInPolicyV1AndV1beta1) {
  std::string body = bytes(1, bytes(1, "web-1") + bytes(3, "default")) + bytes(2, number(1, 0));
  auto expected = json::parse(R"({"apiVersion":"policy/v1","kind":"Eviction",
      "metadata":{"name":"web-1","namespace":"default"},"deleteOptions":{"gracePeriodSeconds":0}})");
  EXPECT_EQ(decode(envelope("policy/v1", "Eviction", body)), expected);
  expected.at("apiVersion") = "policy/v1beta1";  // kubectl 1.20's client
  EXPECT_EQ(decode(envelope("policy/v1beta1", "Eviction", body)), expected);
}

TEST(K8sProtobufKinds, ScaleOfAutoscalingV1) {
  EXPECT_EQ(decode(envelope("autoscaling/v1", "Scale", bytes(1, bytes(1, "web")) + bytes(2, number(1, 5)))),
            json::parse(R"({"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web"},"spec":{"replicas":5}})"));
}

// ---- every registered kind, by the table ----

// A value for every field the wire schema has, so a round trip exercises all of them.
json::value sample_of(const std::string& type, const std::string& name, int depth);

json::object sample_message(const std::string& type, int depth) {
  json::object out;
  const auto* fields = apiserver::wire_message(type);
  if (!fields || depth > 7) return out;
  for (const auto& [number, f] : *fields) {
    if (f.inline_) {
      for (auto& [k, v] : sample_message(f.type, depth + 1)) out[k] = v;
      continue;
    }
    if (f.type.rfind("map:", 0) == 0) {
      json::value v = sample_of(f.type.substr(4), f.json, depth + 1);
      if (!v.is_null()) out[f.json] = json::object{{"k", v}};
      continue;
    }
    json::value v = sample_of(f.type, f.json, depth + 1);
    if (v.is_null() || (v.is_object() && v.as_object().empty())) continue;
    out[f.json] = f.repeated ? json::value(json::array{v}) : v;
  }
  return out;
}

json::value sample_of(const std::string& type, const std::string& name, int depth) {
  if (type == "string") return json::string("v-" + name);
  if (type == "bytes") return "eA==";
  if (type == "bool") return true;
  if (type == "int32") return 7;
  if (type == "int64") return 9;
  if (type == "Time") return "2026-01-02T03:04:05Z";
  if (type == "Quantity") return "1Gi";
  if (type == "IntOrString") return "25%";
  if (type == "RawExtension") return json::object{{"spec", json::object{{"template", json::object{{"$patch", "replace"}}}}}};
  return sample_message(type, depth);
}

// The kinds whose Skiff protos keep their own numbers (see k8s_wire_schema.cpp).
const std::set<std::string> kSkiffNumbered = {"Node",         "Endpoints",        "Event",                "Lease",
                                              "RuntimeClass", "PersistentVolume", "PersistentVolumeClaim",
                                              "CustomResourceDefinition"};

class EveryKind : public ::testing::TestWithParam<sdk::ResourceType> {};

TEST_P(EveryKind, RoundTripsThroughTheWireSchemaIntoItsOwnMessage) {
  const sdk::ResourceType& type = GetParam();
  std::string key = apiserver::wire_kind(type.api_version(), type.kind);
  if (kSkiffNumbered.count(type.kind)) {
    EXPECT_EQ(key, "") << type.kind << ": numbered unlike k8s.io/api, so refused (415) rather than misread";
    return;
  }
  ASSERT_FALSE(key.empty()) << type.kind << " has no wire schema";
  json::object object = sample_message(key, 0);
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  json::value round = decode(apiserver::encode_k8s_protobuf(object));
  EXPECT_EQ(round, json::value(object)) << type.kind;
  // Every name the schema writes is a field of Skiff's own message: strict decoding refuses
  // unknown fields, so a misspelt or missing name fails here.
  std::vector<std::string> warnings;
  try {
    apiserver::decode_object(type, round, "Strict", warnings);
  } catch (const apiserver::ApiError& e) {
    ADD_FAILURE() << type.kind << ": " << e.status().message;
  }
}

INSTANTIATE_TEST_SUITE_P(K8sProtobufKinds, EveryKind, ::testing::ValuesIn(sdk::resource_types()),
                         [](const auto& info) { return info.param.kind; });

}  // namespace
