// gzip (RFC 1952) for HTTP bodies: the apiserver's large answers, the Web UI's files.
#pragma once

#include <string>
#include <string_view>

namespace skiff::sdk {

// `level` 1 (fastest, what Kubernetes' apiserver uses for answers) to 9 (smallest, for files
// compressed once). Empty when zlib fails.
std::string gzip(std::string_view bytes, int level = 1);

}  // namespace skiff::sdk
