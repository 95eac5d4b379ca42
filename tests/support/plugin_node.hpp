// The installed testing kit's skiffd.hpp, under the name in-tree tests include.
#pragma once

#include "skiff/testing/skiffd.hpp"
