// The proxy table as `nft -j list table` shows it (nft is a test-time tool only), parsed with
// Boost.JSON: what the kernel really holds, to compare with what the programmer says it wrote.
#pragma once

#include <boost/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace skiff::test {

struct NftListing {
  std::map<std::string, boost::json::object> chains;              // name → nft's chain object (hook, prio …)
  std::map<std::string, std::vector<boost::json::array>> rules;  // chain name → each rule's "expr"
  std::map<std::string, boost::json::array> elements;            // set or map name → its "elem"
  std::size_t rule_count = 0;
  std::size_t element_count = 0;  // as the kernel counts them (a range is two), without affinity's
  std::string text;               // `nft list table`, for failure messages

  std::size_t elements_of(const std::string& set) const;
  // The rules of `chain` as nft prints them, one per line ("" when there is no such chain).
  std::string chain_text(const std::string& chain) const;
};

// Run in the namespace to look at; nullopt when the table does not exist.
std::optional<NftListing> list_table(const std::string& table);

}  // namespace skiff::test
