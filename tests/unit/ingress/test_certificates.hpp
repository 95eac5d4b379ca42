// Self-signed certificates for the TLS tests, made by the openssl command in a temp directory.
#pragma once

#include <string>

#include "ingress_values.hpp"

namespace skiff::ingress::test {

// A P-256 certificate for `host` (subject CN and subjectAltName), made in `directory`.
TlsCertificate make_certificate(const std::string& directory, const std::string& host);

}  // namespace skiff::ingress::test
