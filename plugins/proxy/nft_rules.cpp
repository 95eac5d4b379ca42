// Rules of the proxy's vocabulary built from libnftnl expressions (see nft_rules.hpp).
#include "nft_rules.hpp"

#include <arpa/inet.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <netinet/ip_icmp.h>

#include <optional>
#include <stdexcept>

namespace skiff::proxy::nft {

void RuleFree::operator()(nftnl_rule* rule) const { nftnl_rule_free(rule); }

namespace {

// nft's register choice: the first value in reg 1 (the same bytes as NFT_REG32_00), fields of a
// concatenation in the next 32-bit ones; a key or data spanning registers is contiguous.
constexpr std::uint32_t kReg = NFT_REG32_00;
constexpr std::uint32_t kRegSecond = NFT_REG32_01;
constexpr std::uint32_t kRegThird = NFT_REG32_02;
constexpr std::uint32_t kRegFourth = NFT_REG32_03;
constexpr std::uint32_t kIpv4SourceOffset = 12;
constexpr std::uint32_t kIpv4DestinationOffset = 16;
constexpr std::uint32_t kDestinationPortOffset = 2;

// Builds one rule expression by expression.
class RuleWriter {
 public:
  RuleWriter(const std::string& table, const std::string& chain) : rule_(nftnl_rule_alloc()) {
    if (!rule_) throw std::bad_alloc();
    nftnl_rule_set_u32(rule_.get(), NFTNL_RULE_FAMILY, NFPROTO_IPV4);
    nftnl_rule_set_str(rule_.get(), NFTNL_RULE_TABLE, table.c_str());
    nftnl_rule_set_str(rule_.get(), NFTNL_RULE_CHAIN, chain.c_str());
  }

  nftnl_expr* add(const char* name) {
    nftnl_expr* expr = nftnl_expr_alloc(name);
    if (!expr) throw std::bad_alloc();
    nftnl_rule_add_expr(rule_.get(), expr);
    return expr;
  }

  void payload(std::uint32_t base, std::uint32_t offset, std::uint32_t len, std::uint32_t reg) {
    nftnl_expr* e = add("payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg);
  }

  void meta_load(std::uint32_t key, std::uint32_t reg) {
    nftnl_expr* e = add("meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
  }

  void meta_store(std::uint32_t key, std::uint32_t reg) {
    nftnl_expr* e = add("meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, reg);
  }

  void cmp(std::uint32_t op, const void* data, std::uint32_t len) {
    nftnl_expr* e = add("cmp");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
  }

  void cmp_u32(std::uint32_t op, std::uint32_t value) { cmp(op, &value, sizeof value); }
  void cmp_u8(std::uint32_t op, std::uint8_t value) { cmp(op, &value, sizeof value); }

  // reg = (reg & mask) ^ xor, on 32 bits.
  void bitwise(std::uint32_t mask, std::uint32_t xor_value) {
    nftnl_expr* e = add("bitwise");
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof mask);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof mask);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor_value, sizeof xor_value);
  }

  void immediate(std::uint32_t reg, const void* data, std::uint32_t len) {
    nftnl_expr* e = add("immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
    nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
  }

  void verdict(int code, const std::string& chain = {}) {
    nftnl_expr* e = add("immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, static_cast<std::uint32_t>(code));
    if (!chain.empty()) nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain.c_str());
  }

  // A lookup of the key in `sreg`…; a match (verdict maps: their verdict; data maps: the data
  // in `dreg`…) or the rule stops here.
  void lookup(SetId set, std::uint32_t sreg = kReg, std::optional<std::uint32_t> dreg = std::nullopt,
              std::uint32_t shard = 0) {
    nftnl_expr* e = add("lookup");
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set_name(set, shard).c_str());
    if (dreg) nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, *dreg);
  }

  void dynset(std::uint32_t op, std::uint32_t sreg_key, std::uint32_t seconds) {
    nftnl_expr* e = add("dynset");
    nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, op);
    nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, sreg_key);
    nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set_name(SetId::affinity).c_str());
    nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, std::uint64_t{seconds} * 1000);
  }

  void dnat_from(std::uint32_t address_reg, std::uint32_t port_reg) {
    nftnl_expr* e = add("nat");
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, address_reg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, port_reg);
  }

  void fib_local(std::uint32_t address_flag, bool local = true) {
    nftnl_expr* e = add("fib");
    nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, address_flag);
    nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
    nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, kReg);
    cmp_u32(local ? NFT_CMP_EQ : NFT_CMP_NEQ, RTN_LOCAL);
  }

  void source_in(const sdk::Ipv4Cidr& cidr, bool inside) {
    payload(NFT_PAYLOAD_NETWORK_HEADER, kIpv4SourceOffset, 4, kReg);
    if (cidr.prefix < 32) bitwise(htonl(cidr.mask()), 0);
    cmp_u32(inside ? NFT_CMP_EQ : NFT_CMP_NEQ, htonl(cidr.network));
  }

  void l4proto_is(Protocol protocol) {
    meta_load(NFT_META_L4PROTO, kReg);
    cmp_u8(NFT_CMP_EQ, static_cast<std::uint8_t>(protocol));
  }

  void set_mark_bits(std::uint32_t keep, std::uint32_t flip) {
    meta_load(NFT_META_MARK, kReg);
    bitwise(keep, flip);
    meta_store(NFT_META_MARK, kReg);
  }

  // The endpoint in two registers, as nat reads it: address, then port (2 bytes, which the
  // kernel pads with zeros to the register, as nft's own inet_service fields are).
  void endpoint(const Endpoint& ep, std::uint32_t reg) {
    std::uint32_t address = htonl(ep.ip);
    std::uint16_t port = htons(ep.port);
    immediate(reg, &address, sizeof address);
    immediate(reg + 1, &port, sizeof port);
  }

  // port number . ip saddr . endpoint ip . endpoint port, in `reg` and the three next.
  void affinity_key(std::uint32_t port_number, const Endpoint& ep, std::uint32_t reg) {
    immediate(reg, &port_number, sizeof port_number);
    payload(NFT_PAYLOAD_NETWORK_HEADER, kIpv4SourceOffset, 4, reg + 1);
    endpoint(ep, reg + 2);
  }

  RulePtr take() { return std::move(rule_); }

 private:
  RulePtr rule_;
};

struct Writer {
  RuleWriter& w;
  std::uint32_t mark;

  void operator()(const MarkForMasquerade& r) {
    using When = MarkForMasquerade::When;
    if (r.when == When::source_outside || r.when == When::source_in) w.source_in(r.source, r.when == When::source_in);
    if (r.when == When::source_local) w.fib_local(NFTA_FIB_F_SADDR);
    w.set_mark_bits(~mark, mark);
  }

  void operator()(const GotoChain& r) {
    if (r.when == GotoChain::When::source_in) w.source_in(r.source, true);
    if (r.when == GotoChain::When::source_local) w.fib_local(NFTA_FIB_F_SADDR);
    w.verdict(NFT_GOTO, r.chain);
  }

  void operator()(const JumpChain& r) {
    if (r.new_only) {
      nftnl_expr* e = w.add("ct");
      nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
      nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, kReg);
      w.bitwise(NF_CT_STATE_BIT(IP_CT_NEW), 0);
      w.cmp_u32(NFT_CMP_NEQ, 0);
    }
    w.verdict(NFT_JUMP, r.chain);
  }

  // Registers: 00 the random number (network order, as interval trees compare), 01-02 the endpoint.
  void operator()(const DnatFromRanges& r) {
    nftnl_expr* e = w.add("numgen");
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, kBlockWidth);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_OFFSET, r.block * kBlockWidth);
    e = w.add("byteorder");
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
    w.lookup(SetId::endpoint_ranges, kReg, kRegSecond, r.block % kRangeShards);
    w.dnat_from(kRegSecond, kRegThird);
  }

  // Registers 00-03: the affinity key, whose last two are the endpoint nat reads.
  void operator()(const DnatRemembered& r) {
    w.affinity_key(r.port_number, r.endpoint, kReg);
    w.lookup(SetId::affinity);
    w.dynset(NFT_DYNSET_OP_UPDATE, kReg, r.seconds);  // restarts the timeout
    w.dnat_from(kRegThird, kRegFourth);
  }

  void operator()(const DnatPicked& r) {
    if (r.remaining > 1) {
      nftnl_expr* e = w.add("numgen");
      nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, kReg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
      nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, r.remaining);
      w.cmp_u32(NFT_CMP_EQ, 0);
    }
    if (r.affinity_seconds > 0) {
      w.affinity_key(r.port_number, r.endpoint, kReg);
      w.dynset(NFT_DYNSET_OP_UPDATE, kReg, r.affinity_seconds);
    } else {
      w.endpoint(r.endpoint, kRegThird);
    }
    w.dnat_from(kRegThird, kRegFourth);
  }

  // ip daddr . meta l4proto . th dport, or (local destinations) meta l4proto . th dport.
  void service_key(bool node_ports) {
    if (node_ports) {
      w.fib_local(NFTA_FIB_F_DADDR);
      w.meta_load(NFT_META_L4PROTO, kReg);
      w.payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDestinationPortOffset, 2, kRegSecond);
    } else {
      w.payload(NFT_PAYLOAD_NETWORK_HEADER, kIpv4DestinationOffset, 4, kReg);
      w.meta_load(NFT_META_L4PROTO, kRegSecond);
      w.payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDestinationPortOffset, 2, kRegThird);
    }
  }

  void operator()(const DispatchServices& r) {
    service_key(r.node_ports);
    w.lookup(r.node_ports ? SetId::service_nodeports : SetId::service_ips, kReg, NFT_REG_VERDICT);
  }

  void operator()(const RejectWithoutEndpoints& r) {
    if (r.tcp_reset) w.l4proto_is(Protocol::tcp);
    service_key(r.node_ports);
    w.lookup(r.node_ports ? SetId::no_endpoint_nodeports : SetId::no_endpoint_services);
    nftnl_expr* e = w.add("reject");
    nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, r.tcp_reset ? NFT_REJECT_TCP_RST : NFT_REJECT_ICMP_UNREACH);
    nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, r.tcp_reset ? 0 : ICMP_PORT_UNREACH);
  }

  void operator()(const RejectServiceRange& r) {
    w.payload(NFT_PAYLOAD_NETWORK_HEADER, kIpv4DestinationOffset, 4, kReg);
    if (r.range.prefix < 32) w.bitwise(htonl(r.range.mask()), 0);
    w.cmp_u32(NFT_CMP_EQ, htonl(r.range.network));
    w.fib_local(NFTA_FIB_F_DADDR, false);
    if (r.tcp_reset) w.l4proto_is(Protocol::tcp);
    nftnl_expr* e = w.add("reject");
    nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, r.tcp_reset ? NFT_REJECT_TCP_RST : NFT_REJECT_ICMP_UNREACH);
    nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, r.tcp_reset ? 0 : ICMP_PORT_UNREACH);
  }

  void operator()(const MasqueradeMarked&) {
    w.meta_load(NFT_META_MARK, kReg);
    w.bitwise(mark, 0);
    w.cmp_u32(NFT_CMP_EQ, mark);
    w.set_mark_bits(~0u, mark);  // clear the bit: a packet is masqueraded once
    nftnl_expr* e = w.add("masq");
    nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
  }

  void operator()(const MasqueradeHairpin&) {
    // Only connections the proxy DNATed: the node's (or a pod's) own traffic to its own
    // address is no hairpin, and masquerading it would take a source from `lo`.
    nftnl_expr* ct = w.add("ct");
    nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
    nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, kReg);
    w.bitwise(IPS_DST_NAT, 0);
    w.cmp_u32(NFT_CMP_NEQ, 0);
    w.payload(NFT_PAYLOAD_NETWORK_HEADER, kIpv4SourceOffset, 4, kReg);
    w.payload(NFT_PAYLOAD_NETWORK_HEADER, kIpv4DestinationOffset, 4, kRegSecond);
    w.lookup(SetId::hairpin);
    nftnl_expr* e = w.add("masq");
    nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
  }

  void operator()(const DispatchFirewall&) {
    service_key(false);
    w.lookup(SetId::firewall_ips, kReg, NFT_REG_VERDICT);
  }

  void operator()(const ReturnIfSource& r) {
    w.source_in(r.source, true);
    w.verdict(NFT_RETURN);
  }

  void operator()(const Drop&) { w.verdict(NF_DROP); }
};

}  // namespace

RulePtr build_rule(const Rule& rule, const std::string& table, const std::string& chain, std::uint32_t mark) {
  RuleWriter writer(table, chain);
  std::visit(Writer{writer, mark}, rule);
  return writer.take();
}

}  // namespace skiff::proxy::nft
