// Server-side apply (PATCH with application/apply-patch+yaml) as Kubernetes documents it:
// the applied configuration is merged into the live object, the applier owns exactly the
// fields it sent, fields it sent before and no longer sends are removed unless someone else
// owns them, and changing a field another manager owns is a 409 conflict unless forced.
// The client-side → server-side migration: the "kubectl" manager may take over the fields of
// the last-applied-configuration annotation without conflicts, and keeps that annotation in
// step so a later client-side `kubectl apply` still works.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api_core.hpp"

namespace skiff::apiserver {

struct ApplyRequest {
  std::string namespace_;
  std::string name;
  std::string subresource;  // "" or "status"
  std::string manager;      // the fieldManager parameter; required
  bool force = false;       // force=true (kubectl --force-conflicts)
  std::string field_validation;
  WriteOptions options;     // dry run
};

struct ApplyOutcome {
  MessagePtr object;
  bool created = false;
};

// Applies `config` (one object in Kubernetes JSON of `type`), creating the object when it
// does not exist. Throws ApiError: 400 without a manager, 409 Conflict naming the managers
// and fields, whatever validation refuses.
ApplyOutcome server_side_apply(ApiCore& api, const sdk::ResourceType& type, const boost::json::value& config,
                               const ApplyRequest& request, std::vector<std::string>& warnings);

// The object `config` applied to `current` under `request` (no write): for unit tests and the above.
MessagePtr applied_object(const sdk::ResourceType& type, const google::protobuf::Message& current,
                          const boost::json::value& config, const ApplyRequest& request,
                          std::vector<std::string>& warnings);

}  // namespace skiff::apiserver
