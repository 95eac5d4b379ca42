#include "prober.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace skiff::kubelet {

namespace core = api::core::v1;
namespace net = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

int resolve_port(const api::meta::v1::IntOrString& port, const core::Container& container) {
  if (port.type() == 0) return port.int_val();
  for (const auto& p : container.ports())
    if (p.name() == port.str_val()) return p.container_port();
  return std::atoi(port.str_val().c_str());
}

bool http_get(const core::HTTPGetAction& action, const core::Container& container, const std::string& ip,
              std::chrono::seconds timeout) {
  std::string host = action.host().empty() ? ip : action.host();
  int port = resolve_port(action.port(), container);
  if (host.empty() || port <= 0) return false;
  net::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  bool ok = false;
  boost::beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, action.path().empty() ? "/" : action.path(), 11};
  req.set(http::field::host, host + ":" + std::to_string(port));
  req.set(http::field::user_agent, "kube-probe/1.33");
  for (const auto& h : action.http_headers()) req.set(h.name(), h.value());
  http::response<http::string_body> res;
  boost::system::error_code address_error;
  auto address = net::ip::make_address(host, address_error);
  if (address_error) return false;
  stream.async_connect(net::ip::tcp::endpoint(address, static_cast<unsigned short>(port)), [&](boost::system::error_code ec) {
    if (ec) return;
    http::async_write(stream, req, [&](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      http::async_read(stream, buffer, res, [&](boost::system::error_code ec, std::size_t) {
        ok = !ec && res.result_int() >= 200 && res.result_int() < 400;
      });
    });
  });
  io.run();
  return ok;
}

bool tcp_connect(const core::TCPSocketAction& action, const core::Container& container, const std::string& ip,
                 std::chrono::seconds timeout) {
  std::string host = action.host().empty() ? ip : action.host();
  int port = resolve_port(action.port(), container);
  boost::system::error_code address_error;
  auto address = net::ip::make_address(host, address_error);
  if (address_error || port <= 0) return false;
  net::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  bool ok = false;
  stream.async_connect(net::ip::tcp::endpoint(address, static_cast<unsigned short>(port)),
                       [&](boost::system::error_code ec) { ok = !ec; });
  io.run();
  return ok;
}

bool exec_command(const google::protobuf::RepeatedPtrField<std::string>& command, const std::string& container_id,
                  const sdk::RuntimeClient& runtime, std::chrono::seconds timeout) {
  runtime::v1::ExecRequest request;
  request.set_container_id(container_id);
  for (const auto& part : command) request.add_command(part);
  try {
    return runtime.exec(request, [](const runtime::v1::Chunk&) { return true; }, "",
                        std::chrono::duration_cast<std::chrono::milliseconds>(timeout)) == 0;
  } catch (const sdk::Error&) {
    return false;
  }
}

}  // namespace

bool run_probe(const core::Probe& probe, const core::Container& container, const std::string& ip,
               const std::string& container_id, const sdk::RuntimeClient& runtime) {
  std::chrono::seconds timeout(probe.timeout_seconds() > 0 ? probe.timeout_seconds() : 1);
  if (probe.has_exec()) return exec_command(probe.exec().command(), container_id, runtime, timeout);
  if (probe.has_http_get()) return http_get(probe.http_get(), container, ip, timeout);
  if (probe.has_tcp_socket()) return tcp_connect(probe.tcp_socket(), container, ip, timeout);
  return true;  // grpc: not supported; counted as passing rather than killing the container
}

bool run_handler(const core::LifecycleHandler& handler, const core::Container& container, const std::string& ip,
                 const std::string& container_id, const sdk::RuntimeClient& runtime, std::chrono::seconds timeout) {
  if (handler.has_exec()) return exec_command(handler.exec().command(), container_id, runtime, timeout);
  if (handler.has_http_get()) return http_get(handler.http_get(), container, ip, timeout);
  if (handler.has_tcp_socket()) return tcp_connect(handler.tcp_socket(), container, ip, timeout);
  if (handler.has_sleep()) std::this_thread::sleep_for(std::min(timeout, std::chrono::seconds(handler.sleep().seconds())));
  return true;
}

Prober::Prober(std::function<void(const std::string&)> changed)
    : changed_(std::move(changed)) {
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { loop(); });
}

Prober::~Prober() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void Prober::track(const std::string& uid, const std::string& ip, const sdk::RuntimeClient& runtime,
                   const std::vector<Target>& containers) {
  std::lock_guard lock(mutex_);
  std::map<Key, bool> keep;
  for (const auto& target : containers) {
    const auto& spec = *target.spec;
    for (auto [kind, has, probe] : {std::tuple{ProbeKind::Startup, spec.has_startup_probe(), &spec.startup_probe()},
                                    std::tuple{ProbeKind::Liveness, spec.has_liveness_probe(), &spec.liveness_probe()},
                                    std::tuple{ProbeKind::Readiness, spec.has_readiness_probe(), &spec.readiness_probe()}}) {
      if (!has) continue;
      Key key{uid, spec.name(), kind};
      keep[key] = true;
      auto it = probes_.find(key);
      if (it != probes_.end() && it->second.container_id == target.container_id) {
        it->second.ip = ip;
        it->second.runtime = &runtime;
        continue;
      }
      // A new container (or a restart): the probe starts over after its initial delay.
      State s;
      s.probe = *probe;
      s.spec = spec;
      s.container_id = target.container_id;
      s.ip = ip;
      s.runtime = &runtime;
      auto since_start = std::chrono::system_clock::now() - target.started_at;
      auto delay = std::chrono::seconds(probe->initial_delay_seconds()) - since_start;
      s.next = Clock::now() + std::max<std::chrono::system_clock::duration>(delay, std::chrono::seconds(0));
      probes_[key] = s;
    }
  }
  for (auto it = probes_.begin(); it != probes_.end();) {
    if (std::get<0>(it->first) == uid && !keep.count(it->first) && !it->second.running) it = probes_.erase(it);
    else ++it;
  }
  wake_.notify_all();
}

void Prober::forget(const std::string& uid) {
  std::lock_guard lock(mutex_);
  for (auto it = probes_.begin(); it != probes_.end();) {
    if (std::get<0>(it->first) == uid && !it->second.running) it = probes_.erase(it);
    else ++it;
  }
}

bool Prober::passed(const Key& key, const std::string& container_id) const {
  auto it = probes_.find(key);
  return it != probes_.end() && it->second.container_id == container_id && it->second.passed;
}

bool Prober::started(const std::string& uid, const core::Container& spec, const std::string& container_id) const {
  std::lock_guard lock(mutex_);
  return !spec.has_startup_probe() || passed(Key{uid, spec.name(), ProbeKind::Startup}, container_id);
}

bool Prober::ready(const std::string& uid, const core::Container& spec, const std::string& container_id) const {
  std::lock_guard lock(mutex_);
  if (spec.has_startup_probe() && !passed(Key{uid, spec.name(), ProbeKind::Startup}, container_id)) return false;
  return !spec.has_readiness_probe() || passed(Key{uid, spec.name(), ProbeKind::Readiness}, container_id);
}

bool Prober::failed(const std::string& uid, const std::string& container, const std::string& container_id) const {
  std::lock_guard lock(mutex_);
  for (auto kind : {ProbeKind::Startup, ProbeKind::Liveness}) {
    auto it = probes_.find(Key{uid, container, kind});
    if (it != probes_.end() && it->second.container_id == container_id && it->second.gave_up) return true;
  }
  return false;
}

void Prober::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto now = Clock::now();
    auto next_wake = now + std::chrono::milliseconds(500);
    Key due;
    bool found = false;
    for (auto& [key, s] : probes_) {
      if (s.running || s.gave_up) continue;
      // Liveness and readiness wait until the startup probe (if any) passed.
      if (std::get<2>(key) != ProbeKind::Startup) {
        auto startup = probes_.find(Key{std::get<0>(key), std::get<1>(key), ProbeKind::Startup});
        if (startup != probes_.end() && !startup->second.passed) continue;
      }
      if (s.next <= now) {
        due = key;
        found = true;
        break;
      }
      next_wake = std::min(next_wake, s.next);
    }
    if (!found) {
      wake_.wait_until(lock, next_wake);
      continue;
    }
    State& s = probes_[due];
    s.running = true;
    State copy = s;
    lock.unlock();
    bool ok = run_probe(copy.probe, copy.spec, copy.ip, copy.container_id, *copy.runtime);
    lock.lock();
    auto it = probes_.find(due);
    if (it == probes_.end()) continue;
    State& st = it->second;
    st.running = false;
    if (st.container_id != copy.container_id) continue;  // restarted meanwhile: that result is stale
    int success_threshold = std::max(1, st.probe.success_threshold());
    int failure_threshold = st.probe.failure_threshold() > 0 ? st.probe.failure_threshold() : 3;
    bool before = st.passed, gave_up_before = st.gave_up;
    if (ok) {
      st.failures = 0;
      if (++st.successes >= success_threshold) st.passed = true;
    } else {
      st.successes = 0;
      if (++st.failures >= failure_threshold) {
        st.passed = false;
        if (std::get<2>(due) != ProbeKind::Readiness) st.gave_up = true;  // liveness/startup: restart it
      }
    }
    st.next = Clock::now() + std::chrono::seconds(st.probe.period_seconds() > 0 ? st.probe.period_seconds() : 10);
    bool changed = before != st.passed || gave_up_before != st.gave_up;
    if (changed) {
      std::string uid = std::get<0>(due);
      lock.unlock();
      changed_(uid);
      lock.lock();
    }
  }
}

}  // namespace skiff::kubelet
