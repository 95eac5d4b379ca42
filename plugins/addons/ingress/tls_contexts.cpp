// Server contexts from PEM, their reuse across route tables, and SNI selection.
#include "tls_contexts.hpp"

#include <openssl/ssl.h>
#include <stdexcept>

namespace skiff::ingress {

namespace ssl = boost::asio::ssl;

namespace {

std::string pem_key(const TlsCertificate& certificate) { return certificate.certificate_pem + certificate.private_key_pem; }

int on_server_name(SSL* connection, int* alert, void* arg) {
  const char* name = SSL_get_servername(connection, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  const auto* lookup = static_cast<const ServerNameLookup*>(arg);
  if (SslContextPtr context = (*lookup)(name)) {
    // SSL_set_SSL_CTX takes its own reference, so a table swapped meanwhile cannot free it.
    SSL_set_SSL_CTX(connection, context->native_handle());
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

SslContextPtr make_empty_server_context() {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  return context;
}

SslContextPtr make_server_context(const TlsCertificate& certificate) {
  auto context = make_empty_server_context();
  boost::system::error_code error;
  context->use_certificate_chain(boost::asio::buffer(certificate.certificate_pem), error);
  if (error) throw std::runtime_error("the certificate PEM was refused (" + error.message() + "): give a PEM chain, leaf first");
  context->use_private_key(boost::asio::buffer(certificate.private_key_pem), ssl::context::pem, error);
  if (error) throw std::runtime_error("the private key PEM was refused (" + error.message() + "): give the unencrypted PEM key the certificate was made for");
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error("the private key does not match the certificate: give the key the certificate was made for");
  }
  return context;
}

TlsContexts::TlsContexts(const std::vector<const TlsCertificate*>& certificates, const TlsContexts* previous) {
  for (const TlsCertificate* certificate : certificates) {
    std::string key = pem_key(*certificate);
    if (by_pem_.contains(key)) continue;
    if (previous != nullptr) {
      if (auto reused = previous->by_pem_.find(key); reused != previous->by_pem_.end()) {
        by_pem_.emplace(key, reused->second);
        continue;
      }
    }
    try {
      by_pem_.emplace(key, make_server_context(*certificate));
    } catch (const std::exception& error) {
      problems_.push_back(error.what());
    }
  }
}

SslContextPtr TlsContexts::find(const TlsCertificate& certificate) const {
  auto found = by_pem_.find(pem_key(certificate));
  return found == by_pem_.end() ? nullptr : found->second;
}

void install_server_name_callback(ssl::context& context, const ServerNameLookup* lookup) {
  SSL_CTX_set_tlsext_servername_callback(context.native_handle(), on_server_name);
  SSL_CTX_set_tlsext_servername_arg(context.native_handle(), const_cast<ServerNameLookup*>(lookup));
}

}  // namespace skiff::ingress
