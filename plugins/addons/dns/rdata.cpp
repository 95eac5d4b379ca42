// Fixed RDATA layouts (RFC 1035 §3.3, RFC 2782, RFC 3596) written field by field.
#include "rdata.hpp"

#include "knot.hpp"

#include <algorithm>

namespace skiff::dns {

namespace {

void append_u16(Rdata& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void append_u32(Rdata& out, std::uint32_t value) {
  append_u16(out, static_cast<std::uint16_t>(value >> 16));
  append_u16(out, static_cast<std::uint16_t>(value & 0xffff));
}

}  // namespace

Rdata address_rdata(const IpAddress& address) {
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    return Rdata(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  auto bytes = address.to_v6().to_bytes();
  return Rdata(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::uint16_t address_type(const IpAddress& address) { return address.is_v4() ? KNOT_RRTYPE_A : KNOT_RRTYPE_AAAA; }

Rdata name_rdata(std::string_view target) { return Rdata(target); }

Rdata srv_rdata(std::uint16_t priority, std::uint16_t weight, std::uint16_t port, std::string_view target) {
  Rdata out;
  append_u16(out, priority);
  append_u16(out, weight);
  append_u16(out, port);
  out.append(target);
  return out;
}

Rdata soa_rdata(const SoaFields& soa) {
  Rdata out = soa.primary + soa.mailbox;
  for (auto value : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum}) append_u32(out, value);
  return out;
}

Rdata txt_rdata(std::string_view text) {
  Rdata out;
  auto size = std::min<std::size_t>(text.size(), 255);
  out.push_back(static_cast<char>(size));
  out.append(text.substr(0, size));
  return out;
}

std::string_view srv_target(std::string_view rdata) { return rdata.size() > 6 ? rdata.substr(6) : std::string_view{}; }

}  // namespace skiff::dns
