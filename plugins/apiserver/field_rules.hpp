// Kubernetes' apimachinery validation rules (IsDNS1123Label, IsQualifiedName, IsValidPortName …):
// each returns the messages Kubernetes gives, none when the value is fine.
#pragma once

#include <string>
#include <vector>

namespace skiff::apiserver {

using Messages = std::vector<std::string>;

Messages dns1123_label_errors(const std::string& value);
Messages dns1123_subdomain_errors(const std::string& value);
// IsDNS1123SubdomainWithUnderscore: what pods' DNS search domains are held to (RelaxedDNSSearchValidation).
Messages dns1123_subdomain_with_underscore_errors(const std::string& value);
Messages dns1035_label_errors(const std::string& value);
// IsWildcardDNS1123Subdomain: "*." and a subdomain (one wildcard label, leftmost).
Messages wildcard_dns1123_subdomain_errors(const std::string& value);
// The part of a domain-prefixed path after its first '/': RFC 3986 path characters.
Messages http_path_errors(const std::string& value);
// IsPathSegmentName: what can be one segment of a URL path (not "." or "..", no '/' or '%').
Messages path_segment_name_errors(const std::string& value);
// A label or annotation key: [prefix/]name.
Messages qualified_name_errors(const std::string& value);
Messages label_value_errors(const std::string& value);
Messages port_name_errors(const std::string& value);
Messages port_number_errors(int value);
Messages config_map_key_errors(const std::string& value);
Messages env_var_name_errors(const std::string& value);
Messages percent_errors(const std::string& value);

}  // namespace skiff::apiserver
