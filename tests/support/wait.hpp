// The installed testing kit's wait.hpp, under the name in-tree tests include.
#pragma once

#include "skiff/testing/wait.hpp"
