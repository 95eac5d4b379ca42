// The installed testing kit's temp_dir.hpp, under the name in-tree tests include.
#pragma once

#include "skiff/testing/temp_dir.hpp"
