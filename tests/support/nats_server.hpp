// The installed testing kit's nats_server.hpp, under the name in-tree tests include.
#pragma once

#include "skiff/testing/nats_server.hpp"
