// OpenSSL server contexts made from PEM certificates, one per distinct certificate, and the SNI
// callback that hands a handshake the context of the host it names.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingress_values.hpp"

namespace skiff::ingress {

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// A TLS server context holding `certificate`; throws std::runtime_error naming what OpenSSL
// refused (a bad PEM, a key not matching the certificate).
SslContextPtr make_server_context(const TlsCertificate& certificate);

// A context with no certificate yet, for listeners without a default certificate.
SslContextPtr make_empty_server_context();

// The contexts of a set of certificates; contexts of certificates seen before are reused.
class TlsContexts {
 public:
  TlsContexts() = default;
  TlsContexts(const std::vector<const TlsCertificate*>& certificates, const TlsContexts* previous);

  // Null when `certificate` was not given or OpenSSL refused it.
  SslContextPtr find(const TlsCertificate& certificate) const;
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::map<std::string, SslContextPtr> by_pem_;  // certificate PEM + key PEM
  std::vector<std::string> problems_;
};

// The context a handshake naming `server_name` should switch to, or null to keep the default.
using ServerNameLookup = std::function<SslContextPtr(const std::string& server_name)>;

// Installs the SNI callback on `context`; `lookup` must outlive it.
void install_server_name_callback(boost::asio::ssl::context& context, const ServerNameLookup* lookup);

}  // namespace skiff::ingress
