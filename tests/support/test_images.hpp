// The images Docker tests run (skiff/busybox:1, skiff/pause:1), imported into dockerd by
// scripts/images.sh once per test process, whoever runs the test.
#pragma once

namespace skiff::test {

// Throws std::runtime_error with the script's output when it fails.
void import_test_images();

}  // namespace skiff::test
