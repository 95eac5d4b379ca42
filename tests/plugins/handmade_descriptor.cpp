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
#elif defined(TEST_LAYOUT_1)
  d.layout = 1;  // as built by the first SDK: no config rules
  d.struct_size = SKIFF_DESCRIPTOR_SIZE_LAYOUT1;
#elif defined(TEST_SHORT_FUTURE_LAYOUT)
  d.layout = 99;  // claims a newer layout, yet lacks fields this kernel knows
  d.struct_size = SKIFF_DESCRIPTOR_SIZE_LAYOUT1;
#endif
  return d;
}

// A newer SDK's descriptor: this kernel's fields, then some it has never heard of.
struct FutureDescriptor {
  skiff_plugin_descriptor known;
  const char* appended_name;
  void (*appended_callback)(void);
};

FutureDescriptor make_future() {
  FutureDescriptor f{make(), "appended", nullptr};
  f.known.layout = 99;
  f.known.struct_size = sizeof f;
  return f;
}

#if defined(TEST_FUTURE_LAYOUT)
const FutureDescriptor future = make_future();
const skiff_plugin_descriptor& descriptor = future.known;
#else
const skiff_plugin_descriptor descriptor = make();
#endif

}  // namespace

extern "C" __attribute__((visibility("default"))) const skiff_plugin_descriptor* skiff_plugin_entry(void) {
  return &descriptor;
}
