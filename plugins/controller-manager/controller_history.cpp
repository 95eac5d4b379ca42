// Revision data, names, hashes and pruning for the ControllerRevision history.
#include "controller_history.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "pod_state.hpp"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::controllers {
namespace {

namespace json = boost::json;
namespace apps = api::apps::v1;

std::uint32_t fnv1a(const std::string& bytes, std::uint32_t hash = 2166136261u) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

// rand.SafeEncodeString: each character of the decimal text mapped onto consonants and
// digits, so a hash never spells words or looks like a number.
std::string safe_encode(const std::string& text) {
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (unsigned char c : text) out += alphabet[c % alphabet.size()];
  return out;
}

}  // namespace

std::string template_patch(const api::core::v1::PodTemplateSpec& pod_template) {
  json::value body = sdk::to_k8s_json(pod_template);
  json::object tmpl = body.is_object() ? body.as_object() : json::object{};
  tmpl["$patch"] = "replace";
  json::object spec;
  spec["template"] = std::move(tmpl);
  return json::serialize(json::object{{"spec", std::move(spec)}});
}

api::core::v1::PodTemplateSpec template_of(const apps::ControllerRevision& revision) {
  boost::system::error_code ec;
  json::value data = json::parse(revision.data().raw(), ec);
  const json::value* spec = !ec && data.is_object() ? data.as_object().if_contains("spec") : nullptr;
  const json::value* tmpl = spec && spec->is_object() ? spec->as_object().if_contains("template") : nullptr;
  if (!tmpl || !tmpl->is_object())
    throw sdk::Error(sdk::Status::Internal("ControllerRevision " + revision.metadata().name() +
                                           ": data holds no spec.template; delete the revision so it is made again"));
  json::object body = tmpl->as_object();
  body.erase("$patch");
  api::core::v1::PodTemplateSpec out;
  sdk::from_k8s_json(body, out);
  return out;
}

std::string revision_hash(const std::string& data, std::int32_t collision_count) {
  std::uint32_t hash = fnv1a(data);
  if (collision_count > 0) hash = fnv1a(std::to_string(collision_count), hash);
  return safe_encode(std::to_string(hash));
}

apps::ControllerRevision make_revision(const api::meta::v1::ObjectMeta& owner, const sdk::ResourceType& owner_type,
                                       const api::core::v1::PodTemplateSpec& pod_template, std::int64_t number,
                                       std::int32_t collision_count) {
  apps::ControllerRevision revision;
  revision.mutable_data()->set_raw(template_patch(pod_template));
  std::string hash = revision_hash(revision.data().raw(), collision_count);
  auto* meta = revision.mutable_metadata();
  meta->set_name(owner.name() + "-" + hash);
  meta->set_namespace_(owner.namespace_());
  *meta->mutable_labels() = pod_template.metadata().labels();
  (*meta->mutable_labels())[kRevisionHashLabel] = hash;
  *meta->add_owner_references() = controller_reference(owner, owner_type);
  revision.set_revision(number);
  return revision;
}

bool same_data(const apps::ControllerRevision& a, const apps::ControllerRevision& b) {
  boost::system::error_code ea, eb;
  json::value da = json::parse(a.data().raw(), ea), db = json::parse(b.data().raw(), eb);
  if (ea || eb) return a.data().raw() == b.data().raw();
  return da == db;
}

std::vector<std::string> revisions_to_prune(std::vector<apps::ControllerRevision> history, int limit,
                                            const std::set<std::string>& in_use) {
  std::sort(history.begin(), history.end(), [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
  std::vector<std::string> unused;
  for (const auto& revision : history)
    if (!in_use.count(revision.metadata().name())) unused.push_back(revision.metadata().name());
  int excess = static_cast<int>(unused.size()) - std::max(limit, 0);
  if (excess <= 0) return {};
  unused.resize(excess);
  return unused;
}

}  // namespace skiff::controllers
