// `nft -j list table` parsed into chains, rules and elements (see nft_listing.hpp).
#include "nft_listing.hpp"

#include <stdexcept>

#include "command.hpp"

namespace skiff::test {

namespace json = boost::json;

std::size_t NftListing::elements_of(const std::string& set) const {
  auto it = elements.find(set);
  return it == elements.end() ? 0 : it->second.size();
}

std::string NftListing::chain_text(const std::string& chain) const {
  auto start = text.find("chain " + chain + " {");
  if (start == std::string::npos) return "";
  auto end = text.find("\n\t}", start);  // rules may hold braces ({ key timeout … }); the chain's own is alone on its line
  return text.substr(start, end - start);
}

namespace {

void read_item(const json::object& object, NftListing& listing) {
  if (const auto* chain = object.if_contains("chain")) {
    listing.chains[std::string(chain->at("name").as_string())] = chain->as_object();
  } else if (const auto* rule = object.if_contains("rule")) {
    listing.rules[std::string(rule->at("chain").as_string())].push_back(rule->at("expr").as_array());
    ++listing.rule_count;
  } else if (const auto* set = object.contains("set") ? object.if_contains("set") : object.if_contains("map")) {
    std::string name(set->at("name").as_string());
    const auto* elem = set->as_object().if_contains("elem");
    listing.elements[name] = elem ? elem->as_array() : json::array{};
    // The kernel holds a range as two elements (its start and its end), nft lists it as one.
    const auto* flags = set->as_object().if_contains("flags");
    bool interval = flags && json::serialize(*flags).find("interval") != std::string::npos;
    std::size_t per_entry = interval ? 2 : 1;
    if (name != "affinity") listing.element_count += per_entry * listing.elements[name].size();
  }
}

}  // namespace

std::optional<NftListing> list_table(const std::string& table) {
  auto listed = run_command({"nft", "-j", "list", "table", "ip", table});
  if (listed.exit_code != 0) {
    if (listed.err.find("No such file or directory") != std::string::npos) return std::nullopt;
    throw std::runtime_error("nft -j list table ip " + table + ": " + listed.both());
  }
  NftListing listing;
  listing.text = run_command({"nft", "list", "table", "ip", table}).both();
  json::value parsed = json::parse(listed.out);
  for (const auto& item : parsed.at("nftables").as_array()) {
    try {
      read_item(item.as_object(), listing);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("nft's JSON listing not understood (") + e.what() + ") at " +
                               json::serialize(item));
    }
  }
  return listing;
}

}  // namespace skiff::test
