// Wire names through libknot: parsing and printing are its; joining labels is byte copying.
#include "dns_name.hpp"

#include "knot.hpp"

#include <stdexcept>

namespace skiff::dns {

namespace {

const knot_dname_t* as_dname(std::string_view wire) { return reinterpret_cast<const knot_dname_t*>(wire.data()); }

}  // namespace

std::optional<WireName> wire_name(std::string_view text) {
  if (text.empty() || text.size() > 2 * KNOT_DNAME_MAXLEN) return std::nullopt;
  std::string terminated(text);
  knot_dname_storage_t storage;
  if (knot_dname_from_str(storage, terminated.c_str(), sizeof storage) == nullptr) return std::nullopt;
  knot_dname_to_lower(storage);
  return WireName(reinterpret_cast<const char*>(storage), knot_dname_size(storage));
}

WireName wire_name_or_throw(std::string_view text, std::string_view what) {
  auto name = wire_name(text);
  if (!name) {
    throw std::invalid_argument(std::string(what) + " \"" + std::string(text) +
                                "\" is not a domain name: use dot-separated labels of 1-63 characters, 255 in all");
  }
  return *name;
}

std::string text_name(std::string_view wire) {
  char buffer[KNOT_DNAME_TXT_MAXLEN + 1];
  if (knot_dname_to_str(buffer, as_dname(wire), sizeof buffer) == nullptr) return "<invalid name>";
  return buffer;
}

WireName lowercase_copy(const std::uint8_t* name) {
  knot_dname_storage_t storage;
  knot_dname_copy_lower(storage, name);
  return WireName(reinterpret_cast<const char*>(storage), knot_dname_size(storage));
}

std::vector<std::string_view> labels_of(std::string_view wire) {
  std::vector<std::string_view> labels;
  std::size_t at = 0;
  while (at < wire.size() && wire[at] != 0) {
    auto length = static_cast<std::uint8_t>(wire[at]);
    labels.push_back(wire.substr(at + 1, length));
    at += 1 + length;
  }
  return labels;
}

std::size_t label_count(std::string_view wire) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < wire.size() && wire[at] != 0; at += 1 + static_cast<std::uint8_t>(wire[at])) ++count;
  return count;
}

std::string_view strip_labels(std::string_view wire, std::size_t n) {
  std::size_t at = 0;
  for (; n > 0 && at < wire.size() && wire[at] != 0; --n) at += 1 + static_cast<std::uint8_t>(wire[at]);
  return wire.substr(at);
}

bool is_at_or_below(std::string_view name, std::string_view zone) { return depth_below(name, zone).has_value(); }

std::optional<std::size_t> depth_below(std::string_view name, std::string_view zone) {
  std::size_t names = label_count(name), zones = label_count(zone);
  if (names < zones) return std::nullopt;
  if (strip_labels(name, names - zones) != zone) return std::nullopt;
  return names - zones;
}

std::optional<WireName> prepend_label(std::string_view label, std::string_view parent) {
  if (label.empty() || label.size() > KNOT_DNAME_MAXLABELLEN) return std::nullopt;
  if (1 + label.size() + parent.size() > KNOT_DNAME_MAXLEN) return std::nullopt;
  WireName name;
  name.reserve(1 + label.size() + parent.size());
  name.push_back(static_cast<char>(label.size()));
  name.append(label);
  name.append(parent);
  return name;
}

std::optional<WireName> concatenate(std::string_view prefix, std::string_view suffix) {
  if (prefix.empty() || suffix.empty()) return std::nullopt;
  std::size_t size = prefix.size() - 1 + suffix.size();
  if (size > KNOT_DNAME_MAXLEN) return std::nullopt;
  WireName name(prefix.substr(0, prefix.size() - 1));
  name.append(suffix);
  return name;
}

}  // namespace skiff::dns
