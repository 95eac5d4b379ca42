// Ordering a table change into one transaction's phases (see nft_plan.hpp).
#include "nft_plan.hpp"

#include <algorithm>

namespace skiff::proxy::nft {

namespace {

std::pair<SetId, std::uint8_t> set_of(const Element& element) { return {element.key.set, element.key.shard}; }

// Interval maps take boundaries in ascending order, a range's end before the next one's start
// at the same value (as nft sends them); in another order the kernel misses shared boundaries.
std::vector<const Element*> in_interval_order(std::vector<const Element*> elements) {
  std::sort(elements.begin(), elements.end(), [](const Element* a, const Element* b) {
    if (a->key.bytes != b->key.bytes) return a->key.bytes < b->key.bytes;
    return a->key.interval_end && !b->key.interval_end;
  });
  return elements;
}

std::vector<ElementKey> range_keys(const PortObjects& objects) {
  std::vector<ElementKey> keys;
  for (const auto& element : objects.elements)
    if (element.key.set == SetId::endpoint_ranges) keys.push_back(element.key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

const PortObjects& Plan::keep(PortObjects objects) {
  objects_.push_back(std::move(objects));
  return objects_.back();
}

void Plan::add_port(std::string_view owner, PortObjects after) {
  const PortObjects& kept = keep(std::move(after));
  for (const auto& chain : kept.chains) created_.push_back({&chain, owner});
  for (const auto& element : kept.elements) element_adds_[set_of(element)].push_back(&element);
}

// Rendering lists endpoint chains first and the chains that jump to them last: delete backwards.
void Plan::remove_port(std::string_view owner, PortObjects before) {
  const PortObjects& kept = keep(std::move(before));
  for (auto it = kept.chains.rbegin(); it != kept.chains.rend(); ++it) deleted_.push_back({&*it, owner});
  for (const auto& element : kept.elements) element_deletes_[set_of(element)].push_back(&element);
}

void Plan::change_port(std::string_view owner, PortObjects before, PortObjects after) {
  const PortObjects& old = keep(std::move(before));
  const PortObjects& now = keep(std::move(after));
  change_chains(owner, old, now);
  change_elements(old, now);
}

void Plan::change_chains(std::string_view owner, const PortObjects& old, const PortObjects& now) {
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
}

void Plan::change_elements(const PortObjects& old, const PortObjects& now) {
  std::map<ElementKey, const Element*> old_elements;
  for (const auto& element : old.elements) old_elements.emplace(element.key, &element);
  // A moved range boundary would briefly overlap a range still there: all ranges go and come.
  bool ranges_move = range_keys(old) != range_keys(now);
  for (const auto& element : now.elements) {
    if (ranges_move && element.key.set == SetId::endpoint_ranges) {
      element_adds_[set_of(element)].push_back(&element);
      continue;
    }
    auto it = old_elements.find(element.key);
    if (it != old_elements.end() && *it->second == element) {
      old_elements.erase(it);
      continue;
    }
    element_adds_[set_of(element)].push_back(&element);
  }
  for (auto [key, element] : old_elements) element_deletes_[set_of(*element)].push_back(element);
}

void Plan::add_shared(Element element) {
  const PortObjects& kept = keep(PortObjects{{}, {std::move(element)}});
  element_adds_[set_of(kept.elements[0])].push_back(&kept.elements[0]);
}

void Plan::delete_shared(Element element) {
  const PortObjects& kept = keep(PortObjects{{}, {std::move(element)}});
  element_deletes_[set_of(kept.elements[0])].push_back(&kept.elements[0]);
}

void Plan::write(NftBatch& batch) const {
  for (const auto& ref : created_) batch.add_chain(*ref.chain, ref.owner);
  for (const auto& ref : rewritten_) batch.flush_chain(ref.chain->name, ref.owner);
  for (const auto& ref : created_) batch.add_rules(*ref.chain, ref.owner);
  for (const auto& ref : rewritten_) batch.add_rules(*ref.chain, ref.owner);
  for (const auto& [set, elements] : element_deletes_) batch.delete_elements(in_interval_order(elements));
  for (const auto& [set, elements] : element_adds_) batch.add_elements(in_interval_order(elements));
  for (const auto& ref : deleted_) batch.delete_chain(ref.chain->name, ref.owner);
}

bool Plan::empty() const {
  if (!created_.empty() || !rewritten_.empty() || !deleted_.empty()) return false;
  return element_adds_.empty() && element_deletes_.empty();
}

}  // namespace skiff::proxy::nft
