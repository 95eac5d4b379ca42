// JetStream over a libnats connection (the NatsBus's): see skiff/sdk/jetstream.hpp.
#pragma once

#include <nats/nats.h>

#include <memory>

#include "skiff/sdk/jetstream.hpp"

namespace skiff::sdk {

// The JetStream lives no longer than the connection.
std::unique_ptr<JetStream> make_nats_jetstream(natsConnection* connection);

}  // namespace skiff::sdk
