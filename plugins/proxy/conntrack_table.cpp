// NFCT_Q_DUMP to find, NFCT_Q_DESTROY on a second handle to delete.
#include "conntrack_table.hpp"

#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "skiff/sdk/status.hpp"

namespace skiff::proxy {
namespace {

struct Match {
  const std::vector<FlowFilter>* filters;
  std::vector<std::unique_ptr<nf_conntrack, void (*)(nf_conntrack*)>> found;
};

bool matches(const FlowFilter& filter, std::uint32_t destination, std::uint16_t port, std::uint32_t reply_source) {
  if (filter.original_port != port) return false;
  if (filter.original_destination && filter.original_destination != destination) return false;
  return !filter.reply_source || filter.reply_source == reply_source;
}

int on_entry(enum nf_conntrack_msg_type, nf_conntrack* entry, void* data) {
  auto* match = static_cast<Match*>(data);
  if (nfct_get_attr_u8(entry, ATTR_L4PROTO) != IPPROTO_UDP) return NFCT_CB_CONTINUE;
  std::uint32_t destination = ntohl(nfct_get_attr_u32(entry, ATTR_ORIG_IPV4_DST));
  std::uint16_t port = ntohs(nfct_get_attr_u16(entry, ATTR_ORIG_PORT_DST));
  std::uint32_t reply_source = ntohl(nfct_get_attr_u32(entry, ATTR_REPL_IPV4_SRC));
  for (const auto& filter : *match->filters)
    if (matches(filter, destination, port, reply_source)) {
      match->found.emplace_back(nfct_clone(entry), nfct_destroy);
      break;
    }
  return NFCT_CB_CONTINUE;
}

nfct_handle* open_or_throw() {
  nfct_handle* handle = nfct_open(CONNTRACK, 0);
  if (!handle)
    throw sdk::Error(sdk::Status::Internal(std::string("cannot open conntrack netlink: ") + std::strerror(errno) +
                                           " (the proxy needs root, or CAP_NET_ADMIN)"));
  return handle;
}

}  // namespace

ConntrackTable::ConntrackTable() : dump_(open_or_throw()) {
  try {
    destroy_ = open_or_throw();
  } catch (...) {
    nfct_close(dump_);
    throw;
  }
}

ConntrackTable::~ConntrackTable() {
  nfct_close(dump_);
  nfct_close(destroy_);
}

std::size_t ConntrackTable::remove_udp(const std::vector<FlowFilter>& filters) {
  if (filters.empty()) return 0;
  Match match{&filters, {}};
  nfct_callback_register(dump_, NFCT_T_ALL, on_entry, &match);
  std::uint32_t family = AF_INET;
  int result = nfct_query(dump_, NFCT_Q_DUMP, &family);
  nfct_callback_unregister(dump_);
  if (result < 0)
    throw sdk::Error(sdk::Status::Internal(std::string("conntrack dump failed: ") + std::strerror(errno)));
  std::size_t removed = 0;
  for (const auto& entry : match.found)
    if (nfct_query(destroy_, NFCT_Q_DESTROY, entry.get()) == 0) ++removed;  // else gone meanwhile
  return removed;
}

}  // namespace skiff::proxy
