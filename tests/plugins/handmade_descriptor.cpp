// Plugins that lie about their descriptor, written by hand as a foreign toolchain might.
#include <cstdint>

#include "skiff/abi/plugin_abi.h"

namespace {

int32_t create(const skiff_host*, void**, char*, size_t) { return 1; }
int32_t start(void*, char*, size_t) { return 1; }
int32_t stop(void*, char*, size_t) { return 0; }
int32_t health(void*, char*, size_t) { return 0; }
void destroy(void*) {}

skiff_plugin_descriptor make() {
  skiff_plugin_descriptor d{};
  d.struct_size = sizeof d;
  d.magic = SKIFF_DESCRIPTOR_MAGIC;
  d.layout = SKIFF_DESCRIPTOR_LAYOUT;
  d.api_min = SKIFF_API_VERSION_MIN;
  d.api_max = SKIFF_API_VERSION_MAX;
  d.name = TEST_PLUGIN_NAME;
  d.kind = "test";
  d.version = "0.0.1";
  d.create = create;
  d.start = start;
  d.stop = stop;
  d.health = health;
  d.destroy = destroy;
#if defined(TEST_SMALL_DESCRIPTOR)
  d.struct_size = 8;
#elif defined(TEST_UNKNOWN_LAYOUT)
  d.layout = 99;
#endif
  return d;
}

const skiff_plugin_descriptor descriptor = make();

}  // namespace

extern "C" __attribute__((visibility("default"))) const skiff_plugin_descriptor* skiff_plugin_entry(void) {
  return &descriptor;
}
