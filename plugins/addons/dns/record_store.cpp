// Adding and subtracting one source's records; a name's ancestors count it while it has any.
#include "record_store.hpp"

#include "knot.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <tuple>

namespace skiff::dns {

OwnedRdataset::~OwnedRdataset() { knot_rdataset_clear(&set_, nullptr); }

OwnedRdataset::OwnedRdataset(OwnedRdataset&& other) noexcept : set_(other.set_) { knot_rdataset_init(&other.set_); }

OwnedRdataset& OwnedRdataset::operator=(OwnedRdataset&& other) noexcept {
  if (this != &other) {
    knot_rdataset_clear(&set_, nullptr);
    set_ = other.set_;
    knot_rdataset_init(&other.set_);
  }
  return *this;
}

void OwnedRdataset::assign(const std::vector<std::string_view>& rdatas) {
  knot_rdataset_clear(&set_, nullptr);
  for (auto rdata : rdatas) {
    // knot_rdata_t is a length followed by the bytes; built in a buffer of its exact size.
    std::vector<std::uint8_t> buffer(knot_rdata_size(static_cast<std::uint16_t>(rdata.size())));
    auto* record = reinterpret_cast<knot_rdata_t*>(buffer.data());
    knot_rdata_init(record, static_cast<std::uint16_t>(rdata.size()), reinterpret_cast<const std::uint8_t*>(rdata.data()));
    if (knot_rdataset_add(&set_, record, nullptr) != KNOT_EOK) throw std::bad_alloc();
  }
}

const TypeRecords* NameNode::find(std::uint16_t type) const {
  for (const auto& records : types) {
    if (records.type == type) return &records;
  }
  return nullptr;
}

const NameNode* RecordStore::find(std::string_view owner) const {
  auto found = nodes_.find(owner);
  return found == nodes_.end() ? nullptr : &found->second;
}

const std::vector<Record>* RecordStore::records_of(const std::string& source) const {
  auto found = by_source_.find(source);
  return found == by_source_.end() ? nullptr : &found->second;
}

void RecordStore::replace(const std::string& source, std::vector<Record> records) {
  std::sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
    return std::tie(a.owner, a.type, a.rdata) < std::tie(b.owner, b.type, b.rdata);
  });
  records.erase(std::unique(records.begin(), records.end()), records.end());
  auto previous = by_source_.find(source);
  if (previous != by_source_.end()) {
    if (previous->second == records) return;  // nothing changed: the common resync case
    // Add before subtracting so names kept by both versions never look empty in between.
    for (const auto& record : records) add(record);
    for (const auto& record : previous->second) subtract(record);
  } else {
    for (const auto& record : records) add(record);
  }
  if (records.empty()) {
    by_source_.erase(source);
  } else {
    by_source_[source] = std::move(records);
  }
}

void RecordStore::add(const Record& record) {
  auto [node, created] = nodes_.try_emplace(record.owner);
  bool had_records = node->second.has_records();
  auto& types = node->second.types;
  auto records = std::find_if(types.begin(), types.end(), [&](const TypeRecords& t) { return t.type == record.type; });
  if (records == types.end()) {
    types.push_back(TypeRecords{record.type, {}, {}});
    records = types.end() - 1;
  }
  auto entry = std::find_if(records->entries.begin(), records->entries.end(),
                            [&](const TypeRecords::Entry& e) { return e.rdata == record.rdata; });
  if (entry != records->entries.end()) {
    ++entry->sources;
    return;
  }
  records->entries.push_back({record.rdata, 1});
  rebuild(*records);
  if (!had_records) count_ancestors(record.owner, +1);
}

void RecordStore::subtract(const Record& record) {
  auto node = nodes_.find(record.owner);
  if (node == nodes_.end()) return;
  auto& types = node->second.types;
  auto records = std::find_if(types.begin(), types.end(), [&](const TypeRecords& t) { return t.type == record.type; });
  if (records == types.end()) return;
  auto entry = std::find_if(records->entries.begin(), records->entries.end(),
                            [&](const TypeRecords::Entry& e) { return e.rdata == record.rdata; });
  if (entry == records->entries.end() || --entry->sources > 0) return;
  records->entries.erase(entry);
  if (!records->entries.empty()) {
    rebuild(*records);
    return;
  }
  types.erase(records);
  if (node->second.has_records()) return;
  count_ancestors(record.owner, -1);
  if (node->second.names_below == 0) nodes_.erase(node);
}

void RecordStore::rebuild(TypeRecords& records) {
  std::vector<std::string_view> rdatas;
  rdatas.reserve(records.entries.size());
  for (const auto& entry : records.entries) rdatas.push_back(entry.rdata);
  records.wire.assign(rdatas);
}

// Every proper ancestor of `owner`, up to the root, exists while it has a name with records below.
void RecordStore::count_ancestors(std::string_view owner, int delta) {
  if (owner.size() <= 1) return;  // the root has no ancestors
  for (std::string_view ancestor = strip_labels(owner, 1); !ancestor.empty(); ancestor = strip_labels(ancestor, 1)) {
    if (delta > 0) {
      ++nodes_[WireName(ancestor)].names_below;
    } else {
      auto node = nodes_.find(ancestor);
      if (node != nodes_.end() && --node->second.names_below == 0 && !node->second.has_records()) nodes_.erase(node);
    }
    if (ancestor.size() == 1) break;  // the root
  }
}

}  // namespace skiff::dns
