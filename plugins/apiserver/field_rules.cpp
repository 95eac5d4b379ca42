// The rules and their wording from k8s.io/apimachinery/pkg/util/validation.
#include "field_rules.hpp"

#include <regex>

namespace skiff::apiserver {

namespace {

std::string max_len(std::size_t length) { return "must be no more than " + std::to_string(length) + " characters"; }

// Kubernetes' RegexError: the message, the examples, the regex.
std::string regex_error(const std::string& message, const std::string& regex, const std::vector<std::string>& examples) {
  if (examples.empty()) return message + " (regex used for validation is '" + regex + "')";
  std::string text = message + " (e.g. ";
  for (std::size_t i = 0; i < examples.size(); ++i) text += (i ? ",  or '" : "'") + examples[i] + "'";
  return text + ", regex used for validation is '" + regex + "')";
}

Messages matching(const std::string& value, std::size_t max, const std::regex& pattern, const std::string& message,
                  const std::string& regex, const std::vector<std::string>& examples) {
  Messages out;
  if (value.size() > max) out.push_back(max_len(max));
  if (!std::regex_match(value, pattern)) out.push_back(regex_error(message, regex, examples));
  return out;
}

const std::string kLabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const std::string kSubdomainFmt = kLabelFmt + "(\\." + kLabelFmt + ")*";
const std::string kLabelWithUnderscoreFmt = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
const std::string kSubdomainWithUnderscoreFmt = kLabelWithUnderscoreFmt + "(\\." + kLabelWithUnderscoreFmt + ")*";
const std::string kWildcardSubdomainFmt = "\\*\\." + kSubdomainFmt;
const std::string kHttpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const std::string kDns1035Fmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const std::string kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const std::string kLabelValueFmt = "(" + kQualifiedNameFmt + ")?";
const std::string kConfigKeyFmt = "[-._a-zA-Z0-9]+";
const std::string kEnvVarFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const std::string kPercentFmt = "[0-9]+%";

// "." and ".." are not keys a file can be named after.
Messages dot_prefix_errors(const std::string& value) {
  if (value == ".") return {"must not be '.'"};
  if (value == "..") return {"must not be '..'"};
  if (value.rfind("..", 0) == 0) return {"must not start with '..'"};
  return {};
}

}  // namespace

Messages dns1123_label_errors(const std::string& value) {
  static const std::regex pattern(kLabelFmt);
  return matching(value, 63, pattern,
                  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
                  "and end with an alphanumeric character",
                  kLabelFmt, {"my-name", "123-abc"});
}

Messages dns1123_subdomain_errors(const std::string& value) {
  static const std::regex pattern(kSubdomainFmt);
  return matching(value, 253, pattern,
                  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                  "must start and end with an alphanumeric character",
                  kSubdomainFmt, {"example.com"});
}

Messages wildcard_dns1123_subdomain_errors(const std::string& value) {
  static const std::regex pattern(kWildcardSubdomainFmt);
  return matching(value, 253, pattern,
                  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
                  "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
                  kWildcardSubdomainFmt, {"*.example.com"});
}

Messages http_path_errors(const std::string& value) {
  static const std::regex pattern(kHttpPathFmt);
  if (std::regex_match(value, pattern)) return {};
  return {regex_error("Invalid path", kHttpPathFmt, {})};
}

Messages path_segment_name_errors(const std::string& value) {
  if (value == "." || value == "..") return {"may not be '" + value + "'"};
  Messages out;
  for (const char* part : {"/", "%"})
    if (value.find(part) != std::string::npos) out.push_back(std::string("may not contain '") + part + "'");
  return out;
}

Messages dns1123_subdomain_with_underscore_errors(const std::string& value) {
  static const std::regex pattern(kSubdomainWithUnderscoreFmt);
  return matching(value, 253, pattern,
                  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', "
                  "and must start and end with an alphanumeric character",
                  kSubdomainWithUnderscoreFmt, {"example.com"});
}

Messages dns1035_label_errors(const std::string& value) {
  static const std::regex pattern(kDns1035Fmt);
  return matching(value, 63, pattern,
                  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                  "character, and end with an alphanumeric character",
                  kDns1035Fmt, {"my-name", "abc-123"});
}

Messages qualified_name_errors(const std::string& value) {
  static const std::regex pattern(kQualifiedNameFmt);
  const std::string message = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                              "an alphanumeric character";
  Messages out;
  std::string name = value;
  auto slash = value.find('/');
  if (slash != std::string::npos) {
    if (value.find('/', slash + 1) != std::string::npos)
      return {"a qualified name " + regex_error(message, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"};
    std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) out.push_back("prefix part must be non-empty");
    else
      for (const auto& m : dns1123_subdomain_errors(prefix)) out.push_back("prefix part " + m);
  }
  if (name.empty()) out.push_back("name part must be non-empty");
  else if (name.size() > 63) out.push_back("name part " + max_len(63));
  if (!std::regex_match(name, pattern))
    out.push_back("name part " + regex_error(message, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}));
  return out;
}

Messages label_value_errors(const std::string& value) {
  static const std::regex pattern(kLabelValueFmt);
  return matching(value, 63, pattern,
                  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                  "must start and end with an alphanumeric character",
                  kLabelValueFmt, {"MyValue", "my_value", "12345"});
}

Messages port_name_errors(const std::string& value) {
  static const std::regex charset("[-a-z0-9]+");
  static const std::regex one_letter(".*[a-z].*");
  Messages out;
  if (value.size() > 15) out.push_back(max_len(15));
  if (!std::regex_match(value, charset)) out.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!std::regex_match(value, one_letter)) out.push_back("must contain at least one letter (a-z)");
  if (value.find("--") != std::string::npos) out.push_back("must not contain consecutive hyphens");
  if (!value.empty() && (value.front() == '-' || value.back() == '-')) out.push_back("must not begin or end with a hyphen");
  return out;
}

Messages port_number_errors(int value) {
  if (value >= 1 && value <= 65535) return {};
  return {"must be between 1 and 65535, inclusive"};
}

Messages config_map_key_errors(const std::string& value) {
  static const std::regex pattern(kConfigKeyFmt);
  Messages out = matching(value, 253, pattern, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                          kConfigKeyFmt, {"key.name", "KEY_NAME", "key-name"});
  for (auto& m : dot_prefix_errors(value)) out.push_back(std::move(m));
  return out;
}

Messages env_var_name_errors(const std::string& value) {
  static const std::regex pattern(kEnvVarFmt);
  Messages out;
  if (!std::regex_match(value, pattern))
    out.push_back(regex_error("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
                              "or '.', and must not start with a digit",
                              kEnvVarFmt, {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  for (auto& m : dot_prefix_errors(value)) out.push_back(std::move(m));
  return out;
}

Messages percent_errors(const std::string& value) {
  static const std::regex pattern(kPercentFmt);
  if (std::regex_match(value, pattern)) return {};
  return {regex_error("a valid percent string must be a numeric string followed by an ending '%'", kPercentFmt,
                      {"1%", "93%"})};
}

}  // namespace skiff::apiserver
