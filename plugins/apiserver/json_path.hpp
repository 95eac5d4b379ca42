// The JSONPath subset CRD printer columns and scale paths use: `.a.b`, `['a.b']`, `[0]`, `[*]`
// and `[?(@.type=="Ready")]` filters, evaluated against an object's JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace skiff::apiserver {

class JsonPath {
 public:
  // Throws std::invalid_argument naming what is wrong with `path` (for CRD validation).
  explicit JsonPath(std::string_view path);
  // Every value the path reaches, in order; none when it reaches nothing.
  std::vector<const boost::json::value*> find(const boost::json::value& root) const;

 private:
  struct Step {
    enum Kind { Field, Index, All, Filter } kind = Field;
    std::string name;                // Field; Filter: the compared field path, dotted
    long index = 0;                  // Index
    boost::json::value filter_value; // Filter: what the field must equal
    bool filter_not = false;         // Filter: != instead of ==
  };
  std::vector<Step> steps_;
};

// A value as kubectl prints a cell: strings bare, everything else as JSON.
std::string json_cell_text(const boost::json::value& value);

}  // namespace skiff::apiserver
