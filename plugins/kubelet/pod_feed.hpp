// The pods of this process's kubelets, from one informer: a single watch subscription parses
// each pod change once and hands it to the kubelet of the pod's node. With one kubelet the
// informer lists and caches only that node's pods; with many (hollow nodes) it takes every
// pod and dispatches — instead of N subscriptions each parsing every change.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/informer.hpp"

namespace spdlog {
class logger;
}

namespace skiff::kubelet {

class PodFeed {
 public:
  using PodPtr = std::shared_ptr<const api::core::v1::Pod>;
  // `deleted`: the pod is gone from the API (or from this node).
  using Handler = std::function<void(const PodPtr& pod, bool deleted)>;

  // `nodes`: the node names this process serves.
  PodFeed(sdk::Bus& bus, const sdk::Subjects& subjects, const std::vector<std::string>& nodes, spdlog::logger& log);
  ~PodFeed();

  // Before start(): the handler of one node's pods.
  void subscribe(const std::string& node, Handler handler);
  // Lists, then follows the watch; throws when the list does not arrive.
  void start();
  void stop();
  std::size_t size() const { return informer_->size(); }
  // A pod from the cache (nullptr when not known): what the log shipper reads labels from.
  PodPtr get(const std::string& ns, const std::string& name) const { return informer_->get(ns, name); }

 private:
  void dispatch(const PodPtr& pod, bool deleted) const;

  std::unique_ptr<sdk::Informer<api::core::v1::Pod>> informer_;
  std::unordered_map<std::string, Handler> handlers_;
};

}  // namespace skiff::kubelet
