// Netlink messages of one nftables transaction, built with libnftnl (see nft_batch.hpp).
#include "nft_batch.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "nft_rules.hpp"

namespace skiff::proxy::nft {

namespace {

// Headroom for the largest message (an element list is capped at 64 KiB by its attribute).
constexpr std::size_t kMessageRoom = 128 * 1024;
// Elements per message: at most ~110 bytes each with the longest chain names, well under 64 KiB.
constexpr std::size_t kElementsPerMessage = 256;

template <typename T, void (*Free)(const T*)>
struct Deleter {
  void operator()(T* object) const { Free(object); }
};
using TablePtr = std::unique_ptr<nftnl_table, Deleter<nftnl_table, nftnl_table_free>>;
using ChainPtr = std::unique_ptr<nftnl_chain, Deleter<nftnl_chain, nftnl_chain_free>>;
using SetPtr = std::unique_ptr<nftnl_set, Deleter<nftnl_set, nftnl_set_free>>;

template <typename Ptr, typename T>
Ptr allocated(T* object) {
  if (!object) throw std::bad_alloc();
  return Ptr(object);
}

std::string with_owner(std::string what, std::string_view owner) {
  if (!owner.empty()) what += " (service port " + std::string(owner) + ")";
  return what;
}

// A chain comment as nft writes it: one udata TLV, type comment, NUL-terminated.
std::vector<char> comment_udata(const std::string& comment) {
  std::string text = comment.substr(0, 250);
  std::vector<char> udata{static_cast<char>(NFTNL_UDATA_CHAIN_COMMENT), static_cast<char>(text.size() + 1)};
  udata.insert(udata.end(), text.begin(), text.end());
  udata.push_back('\0');
  return udata;
}

}  // namespace

NftBatch::NftBatch(std::string table, std::uint32_t masquerade_mark)
    : table_(std::move(table)), mark_(masquerade_mark), buffer_(kMessageRoom) {
  nlmsghdr* begin = nftnl_batch_begin(reserve(0), 0);
  used_ += begin->nlmsg_len;
}

char* NftBatch::reserve(std::size_t bytes) {
  std::size_t needed = used_ + std::max(bytes, kMessageRoom);
  if (buffer_.size() < needed) buffer_.resize(std::max(needed, buffer_.size() * 2));
  return buffer_.data() + used_;
}

void NftBatch::commit(nlmsghdr* header, std::string note) {
  if (finished_) throw std::logic_error("NftBatch: message added after finish()");
  last_offset_ = used_;
  used_ += header->nlmsg_len;
  notes_.push_back(std::move(note));
}

std::string NftBatch::note(std::size_t index) const {
  if (index == 0) return "the transaction's commit";
  if (index <= notes_.size()) return notes_[index - 1];
  return "the end of the transaction";
}

void NftBatch::add_table() {
  auto table = allocated<TablePtr>(nftnl_table_alloc());
  nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, table_.c_str());
  nlmsghdr* h = nftnl_table_nlmsg_build_hdr(reserve(0), NFT_MSG_NEWTABLE, NFPROTO_IPV4, NLM_F_CREATE, 0);
  nftnl_table_nlmsg_build_payload(h, table.get());
  commit(h, "create table ip " + table_);
}

void NftBatch::delete_table() {
  auto table = allocated<TablePtr>(nftnl_table_alloc());
  nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, table_.c_str());
  nlmsghdr* h = nftnl_table_nlmsg_build_hdr(reserve(0), NFT_MSG_DELTABLE, NFPROTO_IPV4, 0, 0);
  nftnl_table_nlmsg_build_payload(h, table.get());
  commit(h, "delete table ip " + table_);
}

void NftBatch::add_set(SetId id, std::uint32_t shard) {
  const SetShape& s = shape(id);
  auto set = allocated<SetPtr>(nftnl_set_alloc());
  std::string name = set_name(id, shard);
  nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, table_.c_str());
  nftnl_set_set_str(set.get(), NFTNL_SET_NAME, name.c_str());
  nftnl_set_set_u32(set.get(), NFTNL_SET_FAMILY, NFPROTO_IPV4);
  nftnl_set_set_u32(set.get(), NFTNL_SET_KEY_TYPE, s.key_type);
  nftnl_set_set_u32(set.get(), NFTNL_SET_KEY_LEN, s.key_len);
  nftnl_set_set_u32(set.get(), NFTNL_SET_ID, ++set_ids_);
  std::uint32_t flags = 0;
  if (s.data == SetShape::Data::verdict) {
    flags |= NFT_SET_MAP;
    nftnl_set_set_u32(set.get(), NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
    nftnl_set_set_u32(set.get(), NFTNL_SET_DATA_LEN, 0);
  } else if (s.data == SetShape::Data::endpoint) {
    flags |= NFT_SET_MAP | NFT_SET_INTERVAL;
    nftnl_set_set_u32(set.get(), NFTNL_SET_DATA_TYPE, kEndpointDataType);
    nftnl_set_set_u32(set.get(), NFTNL_SET_DATA_LEN, kEndpointDataLen);
  }
  if (id == SetId::affinity) {  // filled from the packet path, entries expire
    flags |= NFT_SET_TIMEOUT | NFT_SET_EVAL;
    nftnl_set_set_u32(set.get(), NFTNL_SET_DESC_SIZE, kAffinitySetSize);
  }
  nftnl_set_set_u32(set.get(), NFTNL_SET_FLAGS, flags);
  nlmsghdr* h = nftnl_set_nlmsg_build_hdr(reserve(0), NFT_MSG_NEWSET, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_EXCL, 0);
  nftnl_set_nlmsg_build_payload(h, set.get());
  commit(h, "create set " + name);
}

void NftBatch::add_chain(const Chain& c, std::string_view owner) {
  auto chain = allocated<ChainPtr>(nftnl_chain_alloc());
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TABLE, table_.c_str());
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_NAME, c.name.c_str());
  nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
  if (c.hook) {
    nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_HOOKNUM, c.hook->number);
    nftnl_chain_set_s32(chain.get(), NFTNL_CHAIN_PRIO, c.hook->priority);
    nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TYPE, c.hook->type == Hook::Type::nat ? "nat" : "filter");
  }
  if (!c.comment.empty()) {
    auto udata = comment_udata(c.comment);
    nftnl_chain_set_data(chain.get(), NFTNL_CHAIN_USERDATA, udata.data(), static_cast<std::uint32_t>(udata.size()));
  }
  nlmsghdr* h = nftnl_chain_nlmsg_build_hdr(reserve(0), NFT_MSG_NEWCHAIN, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_EXCL, 0);
  nftnl_chain_nlmsg_build_payload(h, chain.get());
  commit(h, with_owner("create chain " + c.name, owner));
}

void NftBatch::add_rules(const Chain& c, std::string_view owner) {
  for (std::size_t i = 0; i < c.rules.size(); ++i) {
    RulePtr rule = build_rule(c.rules[i], table_, c.name, mark_);
    nlmsghdr* h = nftnl_rule_nlmsg_build_hdr(reserve(0), NFT_MSG_NEWRULE, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_APPEND, 0);
    nftnl_rule_nlmsg_build_payload(h, rule.get());
    commit(h, with_owner("add rule " + std::to_string(i + 1) + " to chain " + c.name, owner));
  }
}

// DELRULE naming a chain and no rule handle removes every rule of the chain.
void NftBatch::flush_chain(const std::string& name, std::string_view owner) {
  nftnl_rule* raw = nftnl_rule_alloc();
  if (!raw) throw std::bad_alloc();
  RulePtr rule(raw);
  nftnl_rule_set_u32(raw, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
  nftnl_rule_set_str(raw, NFTNL_RULE_TABLE, table_.c_str());
  nftnl_rule_set_str(raw, NFTNL_RULE_CHAIN, name.c_str());
  nlmsghdr* h = nftnl_rule_nlmsg_build_hdr(reserve(0), NFT_MSG_DELRULE, NFPROTO_IPV4, 0, 0);
  nftnl_rule_nlmsg_build_payload(h, raw);
  commit(h, with_owner("flush chain " + name, owner));
}

void NftBatch::delete_chain(const std::string& name, std::string_view owner) {
  auto chain = allocated<ChainPtr>(nftnl_chain_alloc());
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TABLE, table_.c_str());
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_NAME, name.c_str());
  nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
  nlmsghdr* h = nftnl_chain_nlmsg_build_hdr(reserve(0), NFT_MSG_DELCHAIN, NFPROTO_IPV4, 0, 0);
  nftnl_chain_nlmsg_build_payload(h, chain.get());
  commit(h, with_owner("delete chain " + name, owner));
}

void NftBatch::add_elements(std::span<const Element* const> elements) {
  element_messages(NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL, elements);
}

void NftBatch::delete_elements(std::span<const Element* const> elements) {
  element_messages(NFT_MSG_DELSETELEM, 0, elements);
}

namespace {

nftnl_set_elem* element_object(const Element& e, bool adding) {
  nftnl_set_elem* elem = nftnl_set_elem_alloc();
  if (!elem) throw std::bad_alloc();
  nftnl_set_elem_set(elem, NFTNL_SET_ELEM_KEY, e.key.bytes.data(), e.key.len);
  if (e.key.interval_end) nftnl_set_elem_set_u32(elem, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
  if (!adding) return elem;
  if (!e.target.empty()) {
    nftnl_set_elem_set_u32(elem, NFTNL_SET_ELEM_VERDICT, static_cast<std::uint32_t>(NFT_GOTO));
    nftnl_set_elem_set_str(elem, NFTNL_SET_ELEM_CHAIN, e.target.c_str());
  }
  if (e.endpoint) {
    auto data = endpoint_data(*e.endpoint);
    nftnl_set_elem_set(elem, NFTNL_SET_ELEM_DATA, data.data(), static_cast<std::uint32_t>(data.size()));
  }
  return elem;
}

}  // namespace

void NftBatch::element_messages(std::uint16_t type, std::uint16_t flags, std::span<const Element* const> elements) {
  if (elements.empty()) return;
  std::string name = set_name(elements[0]->key.set, elements[0]->key.shard);
  bool adding = type == NFT_MSG_NEWSETELEM;
  for (std::size_t first = 0; first < elements.size(); first += kElementsPerMessage) {
    auto chunk = elements.subspan(first, std::min(kElementsPerMessage, elements.size() - first));
    auto set = allocated<SetPtr>(nftnl_set_alloc());
    nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, table_.c_str());
    nftnl_set_set_str(set.get(), NFTNL_SET_NAME, name.c_str());
    nftnl_set_set_u32(set.get(), NFTNL_SET_FAMILY, NFPROTO_IPV4);
    for (const Element* e : chunk) nftnl_set_elem_add(set.get(), element_object(*e, adding));
    nlmsghdr* h = nftnl_set_elem_nlmsg_build_hdr(reserve(0), type, NFPROTO_IPV4, flags, 0);
    nftnl_set_elems_nlmsg_build_payload(h, set.get());
    if (h->nlmsg_len > 65000) throw std::logic_error("NftBatch: an element message outgrew its 64 KiB attribute");
    std::string what = adding ? "add " : "delete ";
    what += chunk.size() == 1 ? "element " + describe(chunk[0]->key)
                              : std::to_string(chunk.size()) + " elements (" + describe(chunk[0]->key) + " …)";
    commit(h, what + (adding ? " to " : " from ") + name);
  }
}

void NftBatch::finish() {
  if (finished_) return;
  // The last message's ack (the kernel answers in message order) says the whole batch was read.
  if (!notes_.empty()) reinterpret_cast<nlmsghdr*>(buffer_.data() + last_offset_)->nlmsg_flags |= NLM_F_ACK;
  nlmsghdr* end = nftnl_batch_end(reserve(0), 0);
  used_ += end->nlmsg_len;
  finished_ = true;
}

}  // namespace skiff::proxy::nft
