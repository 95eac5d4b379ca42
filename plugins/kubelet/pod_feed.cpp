#include "pod_feed.hpp"

#include <spdlog/logger.h>

namespace skiff::kubelet {

using namespace std::chrono_literals;

PodFeed::PodFeed(sdk::Bus& bus, const sdk::Subjects& subjects, const std::vector<std::string>& nodes, spdlog::logger& log) {
  sdk::InformerOptions options;
  if (nodes.size() == 1) options.list.field_selector = "spec.nodeName=" + nodes.front();
  informer_ = std::make_unique<sdk::Informer<api::core::v1::Pod>>(bus, subjects, sdk::api_source(bus, subjects), options, &log);
  informer_->add_handlers([this](const PodPtr& pod) { dispatch(pod, false); },
                          [this](const PodPtr& old, const PodPtr& pod) {
                            if (old->spec().node_name() != pod->spec().node_name()) dispatch(old, true);
                            dispatch(pod, false);
                          },
                          [this](const PodPtr& pod) { dispatch(pod, true); });
}

PodFeed::~PodFeed() { stop(); }

void PodFeed::subscribe(const std::string& node, Handler handler) { handlers_[node] = std::move(handler); }

void PodFeed::start() {
  informer_->start();
  if (!informer_->wait_for_sync(60s)) throw sdk::Error(sdk::Status::Unavailable("kubelet: the pod list did not arrive"));
}

void PodFeed::stop() { informer_->stop(); }

void PodFeed::dispatch(const PodPtr& pod, bool deleted) const {
  auto it = handlers_.find(pod->spec().node_name());
  if (it != handlers_.end()) it->second(pod, deleted);
}

}  // namespace skiff::kubelet
