// Writes one response with libknot: the query's header and question (its case kept), records
// section by section with name compression, TC when they do not fit, and the OPT record.
#pragma once

#include <cstdint>
#include <vector>

#include "dns_message.hpp"

namespace skiff::dns {

class ResponseBuilder {
 public:
  // `limit`: the most the response may hold; `our_payload`: the UDP size our OPT announces.
  ResponseBuilder(const Query& query, std::uint16_t limit, std::uint16_t our_payload);
  ~ResponseBuilder();
  ResponseBuilder(const ResponseBuilder&) = delete;
  ResponseBuilder& operator=(const ResponseBuilder&) = delete;

  void set_rcode(std::uint16_t rcode);  // extended codes (BADVERS) go partly into OPT
  void set_authoritative();
  void set_recursion_available();

  // Sections must come in order. Answer and authority records that do not fit set TC and end
  // the message (what is written stays); additional ones that do not fit are left out (RFC
  // 2181 §9). `hint`: KNOT_COMPR_HINT_QNAME when the owner is the question's name, so it is
  // written as a pointer to the question and keeps the client's case. Returns whether it fit.
  bool put(knot_section_t section, const knot_rrset_t& rrset, std::uint16_t hint = KNOT_COMPR_HINT_NONE,
           std::uint16_t rotate = 0);

  bool truncated() const { return truncated_; }
  std::uint16_t rcode() const { return rcode_; }
  std::vector<std::uint8_t> finish();

 private:
  std::vector<std::uint8_t> buffer_;
  PacketPtr packet_;
  knot_rrset_t opt_;
  bool edns_ = false;
  std::uint16_t reserved_ = 0;
  bool truncated_ = false;
  std::uint16_t rcode_ = KNOT_RCODE_NOERROR;
  knot_section_t section_ = KNOT_ANSWER;
};

}  // namespace skiff::dns
