// Hand-made pods for the controller-manager's unit tests: a few lines say what matters.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::test {

using Clock = sdk::WallClock;

inline std::string ago(Clock::time_point now, std::chrono::seconds age) { return sdk::format_rfc3339(now - age); }

class PodBuilder {
 public:
  explicit PodBuilder(const std::string& name) {
    pod_.mutable_metadata()->set_name(name);
    pod_.mutable_metadata()->set_namespace_("default");
    pod_.mutable_metadata()->set_uid("uid-" + name);
  }
  PodBuilder& node(const std::string& name) {
    pod_.mutable_spec()->set_node_name(name);
    return *this;
  }
  PodBuilder& phase(const std::string& phase) {
    pod_.mutable_status()->set_phase(phase);
    return *this;
  }
  PodBuilder& ready_since(const std::string& time) {
    auto* c = pod_.mutable_status()->add_conditions();
    c->set_type("Ready");
    c->set_status("True");
    c->set_last_transition_time(time);
    return *this;
  }
  PodBuilder& not_ready() {
    auto* c = pod_.mutable_status()->add_conditions();
    c->set_type("Ready");
    c->set_status("False");
    return *this;
  }
  PodBuilder& created(const std::string& time) {
    pod_.mutable_metadata()->set_creation_timestamp(time);
    return *this;
  }
  PodBuilder& restarts(std::initializer_list<int> counts) {
    int i = 0;
    for (int n : counts) {
      auto* s = pod_.mutable_status()->add_container_statuses();
      s->set_name("c" + std::to_string(i++));
      s->set_restart_count(n);
    }
    return *this;
  }
  PodBuilder& annotation(const std::string& key, const std::string& value) {
    (*pod_.mutable_metadata()->mutable_annotations())[key] = value;
    return *this;
  }
  PodBuilder& label(const std::string& key, const std::string& value) {
    (*pod_.mutable_metadata()->mutable_labels())[key] = value;
    return *this;
  }
  PodBuilder& ip(const std::string& ip) {
    pod_.mutable_status()->set_pod_ip(ip);
    return *this;
  }
  PodBuilder& hostname(const std::string& hostname, const std::string& subdomain) {
    pod_.mutable_spec()->set_hostname(hostname);
    pod_.mutable_spec()->set_subdomain(subdomain);
    return *this;
  }
  PodBuilder& deleting() {
    pod_.mutable_metadata()->set_deletion_timestamp("2026-01-01T00:00:00Z");
    return *this;
  }
  PodBuilder& container_port(const std::string& name, int port, const std::string& protocol = "TCP") {
    if (pod_.spec().containers().empty()) pod_.mutable_spec()->add_containers()->set_name("app");
    auto* p = pod_.mutable_spec()->mutable_containers(0)->add_ports();
    p->set_name(name);
    p->set_container_port(port);
    p->set_protocol(protocol);
    return *this;
  }
  PodBuilder& toleration(const std::string& key, const std::string& op, const std::string& effect,
                         std::optional<long> seconds = std::nullopt, const std::string& value = "") {
    auto* t = pod_.mutable_spec()->add_tolerations();
    t->set_key(key);
    t->set_operator_(op);
    t->set_effect(effect);
    t->set_value(value);
    if (seconds) t->set_toleration_seconds(*seconds);
    return *this;
  }
  api::core::v1::Pod build() const { return pod_; }
  std::shared_ptr<const api::core::v1::Pod> ptr() const { return std::make_shared<api::core::v1::Pod>(pod_); }

 private:
  api::core::v1::Pod pod_;
};

}  // namespace skiff::test
