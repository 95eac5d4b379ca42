// libnats' error text for a status: its last error is more specific than the status text.
#pragma once

#include <nats/nats.h>

#include <string>

namespace skiff::sdk {

inline std::string nats_error(natsStatus status) {
  std::string text = natsStatus_GetText(status);
  const char* last = nats_GetLastError(nullptr);
  if (!last || !*last) return text;
  std::string detail = last;
  if (detail.front() == '(') {  // minus its "(conn.c:123): " prefix
    auto end = detail.find("): ");
    if (end != std::string::npos) detail = detail.substr(end + 3);
  }
  return detail.empty() || detail == text ? text : text + ": " + detail;
}

}  // namespace skiff::sdk
