#include "deployment_util.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cmath>

namespace skiff::controllers {

namespace {

namespace apps = api::apps::v1;

std::string deterministic_bytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

api::core::v1::PodTemplateSpec without_hash(const api::core::v1::PodTemplateSpec& tmpl) {
  api::core::v1::PodTemplateSpec copy = tmpl;
  copy.mutable_metadata()->mutable_labels()->erase(kPodTemplateHashLabel);
  return copy;
}

// An int, or a percentage of `total` ("25%"), in pods.
int resolve(const api::meta::v1::IntOrString& value, int total, bool round_up) {
  if (value.type() == 0) return value.int_val();
  const std::string& text = value.str_val();
  if (text.empty() || text.back() != '%') return std::atoi(text.c_str());
  double exact = total * std::atoi(text.c_str()) / 100.0;
  return static_cast<int>(round_up ? std::ceil(exact) : std::floor(exact));
}

}  // namespace

std::string pod_template_hash(const api::core::v1::PodTemplateSpec& tmpl, std::int32_t collision_count) {
  std::string bytes = deterministic_bytes(without_hash(tmpl));
  if (collision_count > 0) bytes += std::to_string(collision_count);
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 16777619u;
  }
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string decimal = std::to_string(hash), out;
  for (char c : decimal) out += kAlphabet[static_cast<unsigned char>(c) % (sizeof kAlphabet - 1)];
  return out;
}

bool same_template(const api::core::v1::PodTemplateSpec& a, const api::core::v1::PodTemplateSpec& b) {
  return google::protobuf::util::MessageDifferencer::Equals(without_hash(a), without_hash(b));
}

std::int64_t revision_of(const apps::ReplicaSet& rs) {
  auto it = rs.metadata().annotations().find(kRevisionAnnotation);
  return it == rs.metadata().annotations().end() ? 0 : std::atoll(it->second.c_str());
}

int replicas_of(const apps::Deployment& d) { return d.spec().has_replicas() ? d.spec().replicas() : 1; }
int replicas_of(const apps::ReplicaSet& rs) { return rs.spec().has_replicas() ? rs.spec().replicas() : 1; }

bool is_rolling_update(const apps::Deployment& d) { return d.spec().strategy().type() != "Recreate"; }

std::pair<int, int> surge_and_unavailable(const apps::Deployment& d) {
  int replicas = replicas_of(d);
  const auto& rolling = d.spec().strategy().rolling_update();
  // Unset means 25 % each (the API defaults them; this covers objects stored before).
  int surge = rolling.has_max_surge() ? resolve(rolling.max_surge(), replicas, true)
                                      : static_cast<int>(std::ceil(replicas * 0.25));
  int unavailable = rolling.has_max_unavailable() ? resolve(rolling.max_unavailable(), replicas, false)
                                                  : static_cast<int>(std::floor(replicas * 0.25));
  if (surge == 0 && unavailable == 0) unavailable = 1;  // as Kubernetes: the rollout must be able to move
  return {surge, std::min(unavailable, replicas)};
}

int new_rs_replicas(const apps::Deployment& d, const std::vector<const apps::ReplicaSet*>& all, const apps::ReplicaSet& new_rs) {
  int replicas = replicas_of(d);
  auto [surge, unavailable] = surge_and_unavailable(d);
  // An old ReplicaSet told to shrink still has its pods until its controller deletes them:
  // count what its status still holds, or a fast sync surges past maxSurge for a moment.
  int current = 0;
  for (const auto* rs : all)
    current += rs == &new_rs ? replicas_of(*rs) : std::max(replicas_of(*rs), rs->status().replicas());
  int max_total = replicas + surge;
  if (current >= max_total) return replicas_of(new_rs);  // no room to surge
  int scale_up = std::min(max_total - current, replicas - replicas_of(new_rs));
  return replicas_of(new_rs) + std::max(0, scale_up);
}

}  // namespace skiff::controllers
