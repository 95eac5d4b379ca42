// Field sets of objects in Kubernetes JSON, read through their message's descriptor: which
// JSON objects are structs, which are maps, which lists merge by key (list_schema), which
// values are atomic. What server-side apply needs: the fields a configuration sets, what
// changed between two versions of an object, the merge of a configuration into an object,
// and the removal of fields nobody owns any more.
#pragma once

#include <boost/json/value.hpp>

#include "field_set.hpp"

namespace google::protobuf {
class Descriptor;
}

namespace skiff::apiserver {

// Kubernetes' ToFieldSet: every leaf, every element of a keyed or set list, every map key,
// every field set to null or to an empty object.
FieldSet fields_of(const boost::json::value& object, const google::protobuf::Descriptor* type);

struct FieldChanges {
  FieldSet added, modified, removed;
  FieldSet changed() const { return added.united(modified); }
  bool empty() const { return added.empty() && modified.empty() && removed.empty(); }
};
// What `after` adds, changes and removes compared to `before` (both whole objects).
FieldChanges compare_fields(const boost::json::value& before, const boost::json::value& after,
                            const google::protobuf::Descriptor* type);

// `config` merged into `live`: structs and maps field by field, keyed lists element by
// element (by merge key), set lists as sets; anything else is replaced.
boost::json::value merge_applied(boost::json::value live, const boost::json::value& config,
                                 const google::protobuf::Descriptor* type);

// `object` without the members of `remove`, except where `keep` still has anything at or
// under a path (a list element someone else owns a field of stays).
boost::json::value remove_fields(boost::json::value object, const FieldSet& remove, const FieldSet& keep,
                                 const google::protobuf::Descriptor* type);

}  // namespace skiff::apiserver
