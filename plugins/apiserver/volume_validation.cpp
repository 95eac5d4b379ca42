// Volumes checked as Kubernetes' validateVolumeSource checks them, source by source.
#include "volume_validation.hpp"

#include <algorithm>
#include <vector>

#include "downward_validation.hpp"
#include "field_rules.hpp"

namespace skiff::apiserver {

namespace {

namespace core = api::core::v1;
using Items = google::protobuf::RepeatedPtrField<core::KeyToPath>;

std::string idx(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

void check_key_to_path(FieldErrors& errors, const std::string& field, const core::KeyToPath& item) {
  if (item.key().empty()) errors.required(field + ".key");
  if (item.path().empty()) errors.required(field + ".path");
  check_local_non_reserved_path(errors, field + ".path", item.path());
  if (item.has_mode()) check_file_mode(errors, field + ".mode", item.mode());
}

void check_items(FieldErrors& errors, const std::string& field, const Items& items) {
  for (int i = 0; i < items.size(); ++i) check_key_to_path(errors, idx(field, i), items[i]);
}

void check_host_path(FieldErrors& errors, const std::string& field, const core::HostPathVolumeSource& source) {
  if (source.path().empty()) return errors.required(field + ".path");
  for (std::size_t start = 0;;) {
    auto slash = source.path().find('/', start);
    if (source.path().substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..")
      return errors.invalid(field + ".path", quoted(source.path()), "must not contain '..'");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  const std::vector<std::string> types = {"",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
                                          "File", "FileOrCreate", "Socket"};
  if (source.has_type() && std::find(types.begin(), types.end(), source.type()) == types.end())
    errors.unsupported(field + ".type", source.type(), types);
}

void check_config_map(FieldErrors& errors, const std::string& field, const core::ConfigMapVolumeSource& source) {
  if (source.name().empty()) errors.required(field + ".name");
  if (source.has_default_mode()) check_file_mode(errors, field + ".defaultMode", source.default_mode());
  check_items(errors, field + ".items", source.items());
}

void check_secret(FieldErrors& errors, const std::string& field, const core::SecretVolumeSource& source) {
  if (source.secret_name().empty()) errors.required(field + ".secretName");
  if (source.has_default_mode()) check_file_mode(errors, field + ".defaultMode", source.default_mode());
  check_items(errors, field + ".items", source.items());
}

void check_downward_api(FieldErrors& errors, const std::string& field, const core::DownwardAPIVolumeSource& source) {
  if (source.has_default_mode()) check_file_mode(errors, field + ".defaultMode", source.default_mode());
  for (const auto& file : source.items()) check_downward_api_file(errors, field, file);
}

// The paths of a projected volume, which no two sources may share.
class ProjectedPaths {
 public:
  ProjectedPaths(FieldErrors& errors, std::string field) : errors_(errors), field_(std::move(field)) {}
  // `value` is what Kubernetes names in the error: the source's name, or the path.
  void add(const std::string& path, const std::string& value) {
    if (path.empty()) return;
    if (!seen_.insert(path).second) errors_.invalid(field_, quoted(value), "conflicting duplicate paths");
  }

 private:
  FieldErrors& errors_;
  std::string field_;
  std::set<std::string> seen_;
};

void check_keyed_projection(FieldErrors& errors, const std::string& field, const std::string& name, const Items& items,
                            ProjectedPaths& paths) {
  if (name.empty()) errors.required(field + ".name");
  for (int i = 0; i < items.size(); ++i) {
    check_key_to_path(errors, idx(field + ".items", i), items[i]);
    paths.add(items[i].path(), name);
  }
}

// validateProjectionSources.
// The token's file and a lifetime the TokenRequest API would grant (10 minutes to 2^32 s).
void check_token_projection(FieldErrors& errors, const std::string& at, const core::ServiceAccountTokenProjection& token) {
  if (token.path().empty()) errors.required(at + ".path");
  if (!token.has_expiration_seconds()) return;
  std::int64_t seconds = token.expiration_seconds();
  if (seconds < 600)
    errors.invalid(at + ".expirationSeconds", std::to_string(seconds), "may not specify a duration less than 10 minutes");
  else if (seconds > (std::int64_t{1} << 32))
    errors.invalid(at + ".expirationSeconds", std::to_string(seconds), "may not specify a duration larger than 2^32 seconds");
}

void check_projected(FieldErrors& errors, const std::string& field, const core::ProjectedVolumeSource& source) {
  if (source.has_default_mode()) check_file_mode(errors, field + ".defaultMode", source.default_mode());
  ProjectedPaths paths(errors, field);
  for (int i = 0; i < source.sources_size(); ++i) {
    const auto& projection = source.sources(i);
    std::string at = idx(field + ".sources", i);
    int kinds = 0;
    if (projection.has_secret()) {
      ++kinds;
      check_keyed_projection(errors, at + ".secret", projection.secret().name(), projection.secret().items(), paths);
    }
    if (projection.has_config_map()) {
      ++kinds;
      check_keyed_projection(errors, at + ".configMap", projection.config_map().name(), projection.config_map().items(), paths);
    }
    if (projection.has_downward_api()) {
      ++kinds;
      for (const auto& file : projection.downward_api().items()) {
        check_downward_api_file(errors, at + ".downwardAPI", file);
        paths.add(file.path(), file.path());
      }
    }
    if (projection.has_service_account_token()) {
      ++kinds;
      check_token_projection(errors, at + ".serviceAccountToken", projection.service_account_token());
      paths.add(projection.service_account_token().path(), projection.service_account_token().path());
    }
    if (kinds > 1) errors.forbidden(at, "may not specify more than 1 volume type");
  }
}

// One source per volume, in Kubernetes' order; a second one is named, not checked.
void check_volume_source(FieldErrors& errors, const std::string& field, const core::Volume& v) {
  int sources = 0;
  auto one = [&](bool present, const std::string& name, auto check) {
    if (!present) return;
    if (sources++ > 0) return errors.forbidden(field + "." + name, "may not specify more than 1 volume type");
    check(field + "." + name);
  };
  one(v.has_host_path(), "hostPath", [&](const std::string& at) { check_host_path(errors, at, v.host_path()); });
  one(v.has_empty_dir(), "emptyDir", [](const std::string&) {});
  one(v.has_secret(), "secret", [&](const std::string& at) { check_secret(errors, at, v.secret()); });
  one(v.has_persistent_volume_claim(), "persistentVolumeClaim", [&](const std::string& at) {
    if (v.persistent_volume_claim().claim_name().empty()) errors.required(at + ".claimName");
  });
  // Kubernetes misspells this one's name when it is the second source ("downwarAPI").
  if (v.has_downward_api() && sources > 0) {
    errors.forbidden(field + ".downwarAPI", "may not specify more than 1 volume type");
  } else {
    one(v.has_downward_api(), "downwardAPI", [&](const std::string& at) { check_downward_api(errors, at, v.downward_api()); });
  }
  one(v.has_config_map(), "configMap", [&](const std::string& at) { check_config_map(errors, at, v.config_map()); });
  one(v.has_projected(), "projected", [&](const std::string& at) { check_projected(errors, at, v.projected()); });
}

void each(FieldErrors& errors, const std::string& field, const std::string& value_json, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, value_json, m);
}

}  // namespace

std::set<std::string> check_volumes(FieldErrors& errors, const std::string& field, const core::PodSpec& spec) {
  std::set<std::string> valid;
  for (int i = 0; i < spec.volumes_size(); ++i) {
    const auto& v = spec.volumes(i);
    std::string at = idx(field, i);
    FieldErrors found;
    check_volume_source(found, at, v);
    if (v.name().empty()) found.required(at + ".name");
    else each(found, at + ".name", quoted(v.name()), dns1123_label_errors(v.name()));
    if (valid.count(v.name())) found.duplicate(at + ".name", quoted(v.name()));
    if (found.empty()) valid.insert(v.name());
    else errors.append(found);
  }
  return valid;
}

}  // namespace skiff::apiserver
