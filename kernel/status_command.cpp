// Reads the running node's status over its bus, using the connection file in its data dir.
#include <chrono>
#include <iostream>

#include <google/protobuf/util/json_util.h>

#include "commands.hpp"
#include "data_dir.hpp"
#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/subjects.hpp"
#include "table_printer.hpp"

namespace skiff::kernel {

int status_command(const std::string& data_dir, bool json) {
  try {
    ConnectionInfo info = read_connection_info(data_dir);
    sdk::BusOptions options = sdk::BusOptions::from_yaml(info.bus_yaml);
    options.connection_name = "skiffd status";
    sdk::BusPtr bus = sdk::connect_bus(options);
    sdk::Subjects subjects(info.cluster, info.node);
    auto status = sdk::call<kernel::v1::NodeStatus>(*bus, subjects.kernel_status(), kernel::v1::StatusRequest(),
                                                    std::chrono::milliseconds(5000));
    if (json) {
      std::string text;
      google::protobuf::util::JsonPrintOptions print;
      print.add_whitespace = true;
      print.always_print_primitive_fields = true;
      (void)google::protobuf::util::MessageToJsonString(status, &text, print);
      std::cout << text;
      return 0;
    }
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    auto uptime = std::chrono::milliseconds((now_ms - status.started_at_unix_ms()) / 1000 * 1000);
    std::cout << "node " << status.node() << " (cluster " << status.cluster() << "), skiffd " << status.kernel_version()
              << ", pid " << status.pid() << ", up " << sdk::format_duration(uptime) << ", bus " << status.bus_url()
              << "\n\n";
    if (status.plugins().empty()) {
      std::cout << "No plugins running.\n";
      return 0;
    }
    TablePrinter table({"PLUGIN", "KIND", "VERSION", "ISOLATION", "STATE", "HEALTH", "RESTARTS", "PID", "MESSAGE"});
    for (const auto& p : status.plugins())
      table.add({p.name(), p.kind(), p.version(), p.isolation(), p.state(), p.health(), std::to_string(p.restarts()),
                 p.pid() > 0 ? std::to_string(p.pid()) : std::string("-"), p.message().empty() ? std::string("-") : p.message()});
    table.print(std::cout);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "skiffd status: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::kernel
