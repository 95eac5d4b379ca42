// The access log's line: method, host, target, status, bytes, upstream, durations, request id.
#include <sstream>

#include "proxy_observer.hpp"

namespace skiff::ingress {

std::string access_log_line(const RequestRecord& record) {
  std::ostringstream line;
  line << record.method << ' ' << (record.host.empty() ? "-" : record.host) << ' ' << record.target << ' '
       << record.status << ' ' << record.response_body_bytes << "B upstream=" << (record.upstream.empty() ? "-" : record.upstream);
  if (record.backend) {
    line << " ingress=" << record.backend->ingress_namespace << '/' << record.backend->ingress_name
         << " service=" << record.backend->service << ':' << record.backend->service_port;
  }
  line << " duration=" << record.duration.count() / 1000.0 << "ms";
  if (record.upstream_latency) line << " upstream_latency=" << record.upstream_latency->count() / 1000.0 << "ms";
  line << " id=" << record.request_id;
  return line.str();
}

}  // namespace skiff::ingress
