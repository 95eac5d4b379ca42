// Where Skiff's objects live in etcd's one flat keyspace, under a prefix per cluster:
//   <prefix>/o/<resource>/<namespace>/<name>   an object (value: the serialized object, uid stamped)
//   <prefix>/r/<resource>                      written in every transaction that touches the
//                                              resource: its mod_revision is the resource's last change
//   <prefix>/publisher                         the lease-held key of the instance publishing watches
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "skiff/store/v1/store.pb.h"

namespace skiff::store_etcd {

class KeyLayout {
 public:
  explicit KeyLayout(std::string prefix);  // "/skiff/prod" (a trailing slash is dropped)

  std::string object(const store::v1::ObjectKey& key) const;  // validates the key (400)
  // Every object of a resource, or of one namespace of it ("" = all namespaces).
  std::string objects_of(std::string_view resource, std::string_view ns = "") const;
  std::string objects() const { return prefix_ + "/o/"; }
  std::string marker(std::string_view resource) const { return markers() + std::string(resource); }
  std::string markers() const { return prefix_ + "/r/"; }
  std::string publisher() const { return prefix_ + "/publisher"; }

  // The key of an object key under objects(); nullopt for anything else.
  std::optional<store::v1::ObjectKey> parse_object(std::string_view key) const;
  // The resource of a marker key.
  std::optional<std::string> parse_marker(std::string_view key) const;

 private:
  std::string prefix_;
};

// The end of the range of every key starting with `prefix` (etcd's range_end): the prefix with
// its last byte below 0xff incremented; "\0" (everything after) when there is none.
std::string prefix_end(std::string_view prefix);

}  // namespace skiff::store_etcd
