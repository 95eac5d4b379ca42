// The out-of-tree hello plugin (built against the installed SDK) loads into skiffd and answers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiffd_process.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"
#include "data_dir.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

TEST(ExamplePlugin, BuiltOutOfTreeItLoadsAndAnswersABusRequest) {
  std::string plugin_dir = SKIFF_EXAMPLE_BUILD_DIR;
  ASSERT_TRUE(std::filesystem::exists(plugin_dir + "/hello.so")) << "the example_build test must run first";
  // It links the installed SDK, not the build tree's: proof that the install is complete.
  test::TempDir dir;
  std::string data = dir.file("data");
  test::SkiffdProcess skiffd({"--profile", SKIFF_EXAMPLE_SOURCE_DIR "/hello.yaml", "--plugin-path", plugin_dir,
                              "--data-dir", data},
                             dir.file("skiffd.log"));
  ASSERT_TRUE(test::wait_until([&] { return skiffd.output_contains(" ready: "); }, 20s)) << skiffd.output();

  kernel::ConnectionInfo info = kernel::read_connection_info(data);
  auto bus = sdk::connect_bus(sdk::BusOptions::from_yaml(info.bus_yaml));
  kernel::v1::Ping ping;
  ping.set_message("sailor");
  auto pong = sdk::call<kernel::v1::Pong>(*bus, sdk::Subjects(info.cluster, info.node).plugin("hello", "greet"), ping, 5s);
  EXPECT_EQ(pong.message(), "Ahoy, sailor!");
  EXPECT_EQ(pong.served_by(), "hello-node/hello");
  EXPECT_EQ(skiffd.terminate(), 0) << skiffd.output();
}

}  // namespace
