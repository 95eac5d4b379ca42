// The difference between the objects a table holds and those it should hold, as the ordered
// phases of one transaction: new chains, flushed chains, rules, element deletions, element
// additions, chain deletions — so that nothing is referenced before it exists or after it goes.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nft_batch.hpp"
#include "nft_render.hpp"

namespace skiff::proxy::nft {

class Plan {
 public:
  // `owner` (a service port's key) must outlive the plan; it names the port in errors.
  void add_port(std::string_view owner, PortObjects after);
  void remove_port(std::string_view owner, PortObjects before);
  void change_port(std::string_view owner, PortObjects before, PortObjects after);
  // Elements several ports share (hairpin), whose count the programmer keeps.
  void add_shared(Element element);
  void delete_shared(Element element);

  void write(NftBatch& batch) const;
  bool empty() const;

 private:
  struct ChainRef {
    const Chain* chain;
    std::string_view owner;
  };
  const PortObjects& keep(PortObjects objects);
  void change_chains(std::string_view owner, const PortObjects& old, const PortObjects& now);
  void change_elements(const PortObjects& old, const PortObjects& now);

  std::deque<PortObjects> objects_;  // what the references below point into
  std::vector<ChainRef> created_;
  std::vector<ChainRef> rewritten_;
  std::vector<ChainRef> deleted_;  // in deletion order: chains that jump to others go first
  using SetRef = std::pair<SetId, std::uint8_t>;  // kind, shard
  std::map<SetRef, std::vector<const Element*>> element_adds_;
  std::map<SetRef, std::vector<const Element*>> element_deletes_;
};

}  // namespace skiff::proxy::nft
