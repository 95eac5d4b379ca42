// A perfectly good shared library that is not a Skiff plugin.
extern "C" __attribute__((visibility("default"))) int answer(void) { return 42; }
