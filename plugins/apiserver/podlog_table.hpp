// `kubectl get podlogs`: PodLog items as a meta.k8s.io/v1 Table (Time, Pod, Container, Line;
// Node and Stream with -o wide). Each row's object names the pod, so `-A` shows namespaces.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace skiff::apiserver {

// `items` as podlog_item() writes them.
boost::json::object podlog_table(const boost::json::array& items, bool include_columns);

}  // namespace skiff::apiserver
