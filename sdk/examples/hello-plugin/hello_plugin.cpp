// hello: the smallest useful Skiff plugin. Answers Ping on
// skiff.<cluster>.node.<node>.plugin.<instance>.greet with a greeting.
#include <spdlog/spdlog.h>

#include <skiff/kernel/v1/kernel.pb.h>
#include <skiff/sdk/bus_proto.hpp>
#include <skiff/sdk/plugin.hpp>

namespace {

using namespace skiff::sdk;

class HelloPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "hello";
    m.kind = "example";
    m.version = "1.0.0";
    m.description = "Greets whoever pings it over the bus";
    m.provides = {{"greeting", false}};
    m.config = {{"greeting", ConfigType::String, "Hello", "the word to greet with"}};
    return m;
  }

  explicit HelloPlugin(Context& context) : context_(context) {}

  void start() override {
    greeting_ = context_.config().get_string("greeting");
    subscription_ = serve_proto<skiff::kernel::v1::Ping>(
        context_.bus(), context_.subjects().plugin(context_.name(), "greet"), "hello",
        [this](const skiff::kernel::v1::Ping& ping, const Request&) {
          skiff::kernel::v1::Pong pong;
          pong.set_message(greeting_ + ", " + ping.message() + "!");
          pong.set_served_by(context_.node().node + "/" + context_.name());
          return pong;
        });
    context_.log().info("serving {}", context_.subjects().plugin(context_.name(), "greet"));
  }

  void stop() override { subscription_.cancel(); }

 private:
  Context& context_;
  std::string greeting_;
  Subscription subscription_;
};

}  // namespace

SKIFF_PLUGIN(HelloPlugin)
