// Which nodes' skiffd stopped cleanly (they announce it on the bus as they leave): for
// machines you run yourself, that is a machine shut down — expected back — not one gone.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::cloud_local {

class CleanStops {
 public:
  CleanStops() = default;
  // Listens on every node's `kernel.stopped` until destroyed.
  CleanStops(sdk::Bus& bus, const sdk::Subjects& subjects);
  CleanStops(const CleanStops&) = delete;
  CleanStops& operator=(const CleanStops&) = delete;

  void stopped(const std::string& node);
  void running(const std::string& node);  // it answers again: forgotten
  bool stopped_cleanly(const std::string& node) const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> nodes_;
  sdk::Subscription subscription_;  // last: cancelled before the set goes
};

}  // namespace skiff::cloud_local
