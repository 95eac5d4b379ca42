// The proxy's rules as libnftnl expressions: one builder per rule of the vocabulary in
// nft_objects.hpp, laid out as nft itself would (registers, byte orders, concatenations).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nft_objects.hpp"

struct nftnl_rule;

namespace skiff::proxy::nft {

struct RuleFree {
  void operator()(nftnl_rule* rule) const;
};
using RulePtr = std::unique_ptr<nftnl_rule, RuleFree>;

// `mark` is the masquerade bit (TableOptions::masquerade_mark).
RulePtr build_rule(const Rule& rule, const std::string& table, const std::string& chain, std::uint32_t mark);

}  // namespace skiff::proxy::nft
