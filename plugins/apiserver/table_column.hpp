// One column of a kubectl table and one row of cells, shared by the per-kind printers.
#pragma once

#include <vector>

#include <boost/json/value.hpp>

namespace skiff::apiserver {

struct TableColumn {
  const char* name;
  const char* type;
  int priority;
  const char* description;
};

using TableRow = std::vector<boost::json::value>;

}  // namespace skiff::apiserver
