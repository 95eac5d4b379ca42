#include "service_account_admission.hpp"

#include <random>

#include "api_error.hpp"

namespace skiff::apiserver {

namespace core = api::core::v1;

namespace {

// Kubernetes' rand.String alphabet: no vowels, no look-alikes.
std::string random_suffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 generator{std::random_device{}()};
  std::uniform_int_distribution<int> pick(0, sizeof kAlphabet - 2);
  std::string out(5, 'x');
  for (char& c : out) c = kAlphabet[pick(generator)];
  return out;
}

void add_access_volume(core::PodSpec& spec, const std::string& name) {
  auto* projected = spec.add_volumes();
  projected->set_name(name);
  auto* source = projected->mutable_projected();
  source->set_default_mode(0644);
  auto* token = source->add_sources()->mutable_service_account_token();
  token->set_expiration_seconds(kProjectedTokenSeconds);
  token->set_path("token");
  auto* ca = source->add_sources()->mutable_config_map();
  ca->set_name("kube-root-ca.crt");
  auto* item = ca->add_items();
  item->set_key("ca.crt");
  item->set_path("ca.crt");
  auto* file = source->add_sources()->mutable_downward_api()->add_items();
  file->set_path("namespace");
  file->mutable_field_ref()->set_api_version("v1");
  file->mutable_field_ref()->set_field_path("metadata.namespace");
}

template <class Containers>
void mount_in(Containers& containers, const std::string& volume) {
  for (auto& container : containers) {
    bool mounted = false;
    for (const auto& m : container.volume_mounts()) mounted |= m.mount_path() == kServiceAccountMountPath;
    if (mounted) continue;
    auto* mount = container.add_volume_mounts();
    mount->set_name(volume);
    mount->set_read_only(true);
    mount->set_mount_path(kServiceAccountMountPath);
  }
}

}  // namespace

void admit_service_account(core::Pod& pod, const ServiceAccountLookup& lookup) {
  if (pod.metadata().annotations().count("kubernetes.io/config.mirror")) return;  // static pods run as no one
  auto& spec = *pod.mutable_spec();
  const std::string& ns = pod.metadata().namespace_();
  auto account = lookup(ns, spec.service_account_name());
  if (!account && spec.service_account_name() != "default")
    throw ApiError(sdk::Status::Forbidden("pods \"" + (pod.metadata().name().empty() ? pod.metadata().generate_name()
                                                                                       : pod.metadata().name()) +
                                          "\" is forbidden: error looking up service account " + ns + "/" +
                                          spec.service_account_name() + ": serviceaccount \"" +
                                          spec.service_account_name() + "\" not found"));
  bool automount = spec.has_automount_service_account_token()
                       ? spec.automount_service_account_token()
                       : !(account && account->has_automount_service_account_token() &&
                           !account->automount_service_account_token());
  if (!automount) return;
  std::string volume = "kube-api-access-" + random_suffix();
  add_access_volume(spec, volume);
  mount_in(*spec.mutable_containers(), volume);
  mount_in(*spec.mutable_init_containers(), volume);
}

}  // namespace skiff::apiserver
