// Renders a Summary in the Prometheus text format, family by family.
#include "resource_metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "metrics_exposition.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace stats = api::stats::v1alpha1;

namespace {

struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;  // in label-name order
  double value = 0;
  std::optional<std::int64_t> millis;  // the sample's timestamp
};

struct Family {
  std::string name, help, type;
  std::vector<Sample> samples;
};


std::optional<std::int64_t> millis_of(const std::string& rfc3339) {
  auto t = sdk::parse_rfc3339(rfc3339);
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

double seconds_of(const std::string& rfc3339) {
  auto t = sdk::parse_rfc3339(rfc3339);
  return t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0;
}

std::string render(std::vector<Family> families) {
  std::sort(families.begin(), families.end(), [](const Family& a, const Family& b) { return a.name < b.name; });
  std::string out;
  for (auto& f : families) {
    std::sort(f.samples.begin(), f.samples.end(), [](const Sample& a, const Sample& b) { return a.labels < b.labels; });
    out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& s : f.samples) {
      out += f.name;
      if (!s.labels.empty()) {
        out += "{";
        for (std::size_t i = 0; i < s.labels.size(); ++i)
          out += (i ? "," : "") + s.labels[i].first + "=\"" + escaped_label_value(s.labels[i].second) + "\"";
        out += "}";
      }
      out += " " + go_float(s.value);
      if (s.millis) out += " " + std::to_string(*s.millis);
      out += "\n";
    }
  }
  return out;
}

double seconds(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e9; }

}  // namespace

std::string go_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto scientific = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string text(buffer, scientific.ptr);
  int exponent = std::atoi(text.c_str() + text.find('e') + 1);
  if (value != 0 && (exponent < -4 || exponent >= 6)) return text;  // Go's rule for shortest 'g'
  auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return std::string(buffer, fixed.ptr);
}

std::string render_resource_metrics(const stats::Summary& summary, bool scrape_error) {
  Family container_cpu{"container_cpu_usage_seconds_total",
                       "[STABLE] Cumulative cpu time consumed by the container in core-seconds", "counter", {}};
  Family container_memory{"container_memory_working_set_bytes", "[STABLE] Current working set of the container in bytes",
                          "gauge", {}};
  Family container_start{"container_start_time_seconds", "[STABLE] Start time of the container since unix epoch in seconds",
                         "gauge", {}};
  Family pod_cpu{"pod_cpu_usage_seconds_total", "[STABLE] Cumulative cpu time consumed by the pod in core-seconds", "counter", {}};
  Family pod_memory{"pod_memory_working_set_bytes", "[STABLE] Current working set of the pod in bytes", "gauge", {}};
  for (const auto& pod : summary.pods()) {
    const auto& ref = pod.pod_ref();
    for (const auto& c : pod.containers()) {
      std::vector<std::pair<std::string, std::string>> labels{{"container", c.name()}, {"namespace", ref.namespace_()}, {"pod", ref.name()}};
      if (c.has_cpu()) container_cpu.samples.push_back({labels, seconds(c.cpu().usage_core_nano_seconds()), millis_of(c.cpu().time())});
      if (c.has_memory())
        container_memory.samples.push_back({labels, static_cast<double>(c.memory().working_set_bytes()), millis_of(c.memory().time())});
      if (!c.start_time().empty())
        container_start.samples.push_back({labels, seconds_of(c.start_time()), millis_of(c.start_time())});
    }
    std::vector<std::pair<std::string, std::string>> labels{{"namespace", ref.namespace_()}, {"pod", ref.name()}};
    if (pod.has_cpu()) pod_cpu.samples.push_back({labels, seconds(pod.cpu().usage_core_nano_seconds()), millis_of(pod.cpu().time())});
    if (pod.has_memory())
      pod_memory.samples.push_back({labels, static_cast<double>(pod.memory().working_set_bytes()), millis_of(pod.memory().time())});
  }
  std::vector<Family> families{container_cpu, container_memory, container_start, pod_cpu, pod_memory};
  const auto& node = summary.node();
  if (node.has_cpu())
    families.push_back({"node_cpu_usage_seconds_total", "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
                        "counter", {{{}, seconds(node.cpu().usage_core_nano_seconds()), millis_of(node.cpu().time())}}});
  if (node.has_memory())
    families.push_back({"node_memory_working_set_bytes", "[STABLE] Current working set of the node in bytes", "gauge",
                        {{{}, static_cast<double>(node.memory().working_set_bytes()), millis_of(node.memory().time())}}});
  const char* error_help = "1 if there was an error while getting container metrics, 0 otherwise";
  families.push_back({"resource_scrape_error", std::string("[STABLE] ") + error_help, "gauge", {{{}, scrape_error ? 1.0 : 0.0, {}}}});
  families.push_back({"scrape_error", std::string("[ALPHA] (Deprecated since 1.29.0) ") + error_help, "gauge",
                      {{{}, scrape_error ? 1.0 : 0.0, {}}}});
  return render(std::move(families));
}

std::string render_cadvisor_metrics(const stats::Summary& summary) {
  Family cpu{"container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", "counter", {}};
  Family working_set{"container_memory_working_set_bytes", "Current working set in bytes.", "gauge", {}};
  Family rss{"container_memory_rss", "Size of RSS in bytes.", "gauge", {}};
  Family usage{"container_memory_usage_bytes",
               "Current memory usage in bytes, including all memory regardless of when it was accessed", "gauge", {}};
  Family fs{"container_fs_usage_bytes", "Number of bytes that are consumed by the container on this filesystem.", "gauge", {}};
  Family rx{"container_network_receive_bytes_total", "Cumulative count of bytes received", "counter", {}};
  Family tx{"container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", "counter", {}};
  for (const auto& pod : summary.pods()) {
    const auto& ref = pod.pod_ref();
    for (const auto& c : pod.containers()) {
      std::vector<std::pair<std::string, std::string>> labels{{"container", c.name()}, {"namespace", ref.namespace_()}, {"pod", ref.name()}};
      auto at = millis_of(c.cpu().time());
      cpu.samples.push_back({labels, seconds(c.cpu().usage_core_nano_seconds()), at});
      working_set.samples.push_back({labels, static_cast<double>(c.memory().working_set_bytes()), at});
      rss.samples.push_back({labels, static_cast<double>(c.memory().rss_bytes()), at});
      usage.samples.push_back({labels, static_cast<double>(c.memory().usage_bytes()), at});
      if (c.has_rootfs()) fs.samples.push_back({labels, static_cast<double>(c.rootfs().used_bytes()), at});
    }
    for (const auto& i : pod.network().interfaces()) {
      std::vector<std::pair<std::string, std::string>> labels{
          {"container", "POD"}, {"interface", i.name()}, {"namespace", ref.namespace_()}, {"pod", ref.name()}};
      auto at = millis_of(pod.network().time());
      rx.samples.push_back({labels, static_cast<double>(i.rx_bytes()), at});
      tx.samples.push_back({labels, static_cast<double>(i.tx_bytes()), at});
    }
  }
  return render({cpu, working_set, rss, usage, fs, rx, tx});
}

}  // namespace skiff::kubelet
