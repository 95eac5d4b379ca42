// The zone's records by owner name, each set kept ready in libknot's wire form, with what
// every source (a Service, a pod) contributed so that one source is replaced without a
// rebuild, and a count of names below each name so empty non-terminals are known to exist.
#pragma once

#include "knot.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns_name.hpp"
#include "rdata.hpp"

namespace skiff::dns {

struct Record {
  WireName owner;
  std::uint16_t type = 0;
  Rdata rdata;
  friend bool operator==(const Record&, const Record&) = default;
};

// A knot_rdataset_t that frees what it holds.
class OwnedRdataset {
 public:
  OwnedRdataset() { knot_rdataset_init(&set_); }
  ~OwnedRdataset();
  OwnedRdataset(OwnedRdataset&& other) noexcept;
  OwnedRdataset& operator=(OwnedRdataset&& other) noexcept;
  OwnedRdataset(const OwnedRdataset&) = delete;
  OwnedRdataset& operator=(const OwnedRdataset&) = delete;

  // Replaces the content with these RDATA (deduplicated, canonically sorted by libknot).
  void assign(const std::vector<std::string_view>& rdatas);
  const knot_rdataset_t& get() const { return set_; }

 private:
  knot_rdataset_t set_;
};

// All records of one type at one name.
struct TypeRecords {
  std::uint16_t type = 0;
  struct Entry {
    Rdata rdata;
    std::uint32_t sources = 0;  // how many sources contributed this exact record
  };
  std::vector<Entry> entries;
  OwnedRdataset wire;
};

struct NameNode {
  std::vector<TypeRecords> types;
  std::uint32_t names_below = 0;  // names with records strictly below this one

  const TypeRecords* find(std::uint16_t type) const;
  bool has_records() const { return !types.empty(); }
};

class RecordStore {
 public:
  // Replaces everything `source` contributed with `records` (none: the source is gone).
  void replace(const std::string& source, std::vector<Record> records);
  void remove(const std::string& source) { replace(source, {}); }

  // The node of a lowercase wire name: present when the name has records or names below it.
  const NameNode* find(std::string_view owner) const;
  const std::vector<Record>* records_of(const std::string& source) const;

  std::size_t name_count() const { return nodes_.size(); }
  std::size_t source_count() const { return by_source_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  using Nodes = std::unordered_map<WireName, NameNode, Hash, std::equal_to<>>;

  void add(const Record& record);
  void subtract(const Record& record);
  void rebuild(TypeRecords& records);
  void count_ancestors(std::string_view owner, int delta);

  Nodes nodes_;
  std::unordered_map<std::string, std::vector<Record>> by_source_;
};

}  // namespace skiff::dns
