// Domain names as the zone keeps them: uncompressed wire format, lowercased, built and read
// through libknot so no label parsing is written by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::dns {

// A name in wire format ("\3web\4shop\3svc\7cluster\5local\0"), always lowercase: the key of
// every lookup, so that comparisons are case-insensitive as DNS requires.
using WireName = std::string;

// "Web.Shop.svc.cluster.local" (trailing dot optional) → lowercase wire; nullopt when it is
// not a valid name (a label over 63 bytes, a name over 255, an empty label).
std::optional<WireName> wire_name(std::string_view text);

// The same, throwing std::invalid_argument naming the text (for configuration).
WireName wire_name_or_throw(std::string_view text, std::string_view what);

// Wire → "web.shop.svc.cluster.local." (absolute, as dig prints it).
std::string text_name(std::string_view wire);

// Wire of a name that starts at `name` and is known to be valid (a parsed packet's qname).
WireName lowercase_copy(const std::uint8_t* name);

// Labels of a wire name, leftmost first, without the root.
std::vector<std::string_view> labels_of(std::string_view wire);

// Number of labels (the root has none).
std::size_t label_count(std::string_view wire);

// `wire` without its first `n` labels (an ancestor); `wire` itself for n == 0.
std::string_view strip_labels(std::string_view wire, std::size_t n);

// Whether `name` is `zone` or below it; both lowercase wire.
bool is_at_or_below(std::string_view name, std::string_view zone);

// How many labels `name` has above `zone` (0 when equal); nullopt when it is not below.
std::optional<std::size_t> depth_below(std::string_view name, std::string_view zone);

// `label` (one label, not empty, at most 63 bytes) prepended to `parent`; nullopt when the
// result would exceed 255 bytes.
std::optional<WireName> prepend_label(std::string_view label, std::string_view parent);

// `prefix` (a wire name) with its root replaced by `suffix`: "a.b." + "c.d." → "a.b.c.d.";
// nullopt when the result would exceed 255 bytes.
std::optional<WireName> concatenate(std::string_view prefix, std::string_view suffix);

}  // namespace skiff::dns
