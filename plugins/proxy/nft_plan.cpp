// Ordering a table change into one transaction's phases (see nft_plan.hpp).
#include "nft_plan.hpp"

#include <map>

namespace skiff::proxy::nft {

namespace {

std::size_t index(SetId set) { return static_cast<std::size_t>(set); }

}  // namespace

const PortObjects& Plan::keep(PortObjects objects) {
  objects_.push_back(std::move(objects));
  return objects_.back();
}

void Plan::add_port(std::string_view owner, PortObjects after) {
  const PortObjects& kept = keep(std::move(after));
  for (const auto& chain : kept.chains) created_.push_back({&chain, owner});
  for (const auto& element : kept.elements) element_adds_[index(element.key.set)].push_back(&element);
}

// Rendering lists endpoint chains first and the chains that jump to them last: delete backwards.
void Plan::remove_port(std::string_view owner, PortObjects before) {
  const PortObjects& kept = keep(std::move(before));
  for (auto it = kept.chains.rbegin(); it != kept.chains.rend(); ++it) deleted_.push_back({&*it, owner});
  for (const auto& element : kept.elements) element_deletes_[index(element.key.set)].push_back(&element);
}

void Plan::change_port(std::string_view owner, PortObjects before, PortObjects after) {
  const PortObjects& old = keep(std::move(before));
  const PortObjects& now = keep(std::move(after));
  std::map<std::string_view, const Chain*> old_chains;
  for (const auto& chain : old.chains) old_chains.emplace(chain.name, &chain);
  for (const auto& chain : now.chains) {
    auto it = old_chains.find(chain.name);
    if (it == old_chains.end())
      created_.push_back({&chain, owner});
    else if (*it->second != chain)
      rewritten_.push_back({&chain, owner});
    if (it != old_chains.end()) old_chains.erase(it);
  }
  for (auto it = old.chains.rbegin(); it != old.chains.rend(); ++it)
    if (old_chains.contains(it->name)) deleted_.push_back({&*it, owner});

  std::map<ElementKey, const Element*> old_elements;
  for (const auto& element : old.elements) old_elements.emplace(element.key, &element);
  for (const auto& element : now.elements) {
    auto it = old_elements.find(element.key);
    if (it != old_elements.end() && it->second->target == element.target) {
      old_elements.erase(it);
      continue;
    }
    element_adds_[index(element.key.set)].push_back(&element);
  }
  for (auto [key, element] : old_elements) element_deletes_[index(key.set)].push_back(element);
}

void Plan::write(NftBatch& batch) const {
  for (const auto& ref : created_) batch.add_chain(*ref.chain, ref.owner);
  for (const auto& ref : rewritten_) batch.flush_chain(ref.chain->name, ref.owner);
  for (const auto& ref : created_) batch.add_rules(*ref.chain, ref.owner);
  for (const auto& ref : rewritten_) batch.add_rules(*ref.chain, ref.owner);
  for (SetId set : kAllSets) batch.delete_elements(set, element_deletes_[index(set)]);
  for (SetId set : kAllSets) batch.add_elements(set, element_adds_[index(set)]);
  for (const auto& ref : deleted_) batch.delete_chain(ref.chain->name, ref.owner);
}

bool Plan::empty() const {
  if (!created_.empty() || !rewritten_.empty() || !deleted_.empty()) return false;
  for (SetId set : kAllSets)
    if (!element_adds_[index(set)].empty() || !element_deletes_[index(set)].empty()) return false;
  return true;
}

}  // namespace skiff::proxy::nft
