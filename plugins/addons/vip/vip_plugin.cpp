// vip: a virtual IP on the masters' LAN that one live master answers, as kube-vip's ARP mode
// does: the masters elect a holder through a Lease; the holder adds the address to its
// interface and announces it with gratuitous ARPs; losing the lease or stopping removes it.
#include <atomic>
#include <memory>

#include <spdlog/logger.h>

#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/leader_election.hpp"
#include "skiff/sdk/plugin.hpp"
#include "vip_interface.hpp"
#include "vip_settings.hpp"

namespace skiff::vip {
namespace {

using namespace skiff::sdk;

class VipPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "vip";
    m.kind = "addon";
    m.version = "0.1.0";
    m.description = "A virtual IP answered by one live master (leader election on a Lease, gratuitous ARP)";
    m.config = config_table();
    return m;
  }

  explicit VipPlugin(Context& context) : context_(context) {}

  void start() override {
    settings_ = read_settings(context_.config());
    interface_ = std::make_unique<VipInterface>(settings_.interface, settings_.ip, settings_.prefix);
    // What a crash of this skiffd left: the address is this master's only while it holds the lease.
    interface_->remove();
    // A request may not outlast the renew deadline: a holder cut off must step down in time.
    api_ = std::make_unique<ApiClient>(context_.bus(), context_.subjects(), settings_.renew_deadline);
    LeaderElectionOptions election;
    election.name = settings_.lease_name;
    election.identity = context_.node().node + "_" + context_.name();
    election.lease_duration = settings_.lease_duration;
    election.renew_deadline = settings_.renew_deadline;
    election.retry_period = settings_.retry_period;
    elector_ = std::make_unique<LeaderElector>(*api_, election, [this] { take(); }, [this] { give_up(); }, &context_.log());
    elector_->start();
    context_.log().info("{} on {}: standing by for the lease kube-system/{}", settings_.address, settings_.interface,
                        settings_.lease_name);
  }

  void stop() override {
    if (elector_) elector_->stop();  // gives the address up and releases the lease if held
    elector_.reset();
    if (interface_) interface_->remove();
  }

  Health health() override {
    if (!elector_) return Health::failing("not started");
    if (!holding_) return Health::ok("standing by (another master holds " + settings_.address + ")");
    if (!announced_) return Health::degraded("holding " + settings_.address + " but the gratuitous ARP failed");
    return Health::ok("holding " + settings_.address + " on " + settings_.interface);
  }

 private:
  // On the elector's thread: nothing may escape, or the thread ends the process.
  void take() {
    try {
      interface_->add();
      holding_ = true;
      context_.log().info("took {} on {} (lease kube-system/{})", settings_.address, settings_.interface,
                          settings_.lease_name);
    } catch (const std::exception& e) {
      context_.log().error("could not add {} to {}: {}", settings_.address, settings_.interface, e.what());
      return;
    }
    try {
      interface_->announce(static_cast<int>(settings_.garp_count), settings_.garp_interval);
      announced_ = true;
    } catch (const std::exception& e) {
      announced_ = false;
      context_.log().warn("{}; neighbours find the address when their ARP cache expires", e.what());
    }
  }

  void give_up() {
    holding_ = false;
    try {
      interface_->remove();
      context_.log().info("gave up {} on {}", settings_.address, settings_.interface);
    } catch (const std::exception& e) {
      context_.log().error("could not remove {} from {}: {}", settings_.address, settings_.interface, e.what());
    }
  }

  Context& context_;
  Settings settings_;
  std::unique_ptr<VipInterface> interface_;
  std::unique_ptr<ApiClient> api_;
  std::unique_ptr<LeaderElector> elector_;
  std::atomic<bool> holding_{false};
  std::atomic<bool> announced_{false};
};

}  // namespace
}  // namespace skiff::vip

SKIFF_PLUGIN(skiff::vip::VipPlugin)
