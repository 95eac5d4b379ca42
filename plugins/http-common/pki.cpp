// Certificates with the extensions clients check: CA:TRUE on the CA, SANs and serverAuth on the leaf.
#include "pki.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace skiff::http_common {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("certificate generation failed: ") + what);
}

Key new_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("certificate generation failed: cannot create an EC key");
  return Key(key, EVP_PKEY_free);
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("certificate generation failed: bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert make_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key, long days) {
  Cert cert(X509_new(), X509_free);
  check(X509_set_version(cert.get(), 2), "version");
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  check(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name), "issuer");
  check(X509_set_pubkey(cert.get(), key), "public key");
  X509* signer = issuer ? issuer : cert.get();
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (!issuer) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  }
  return cert;
}

void write_pem(const std::string& path, const std::function<int(FILE*)>& writer, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + path);
  fchmod(fd, mode);
  FILE* file = fdopen(fd, "w");
  bool ok = writer(file) == 1;
  fclose(file);
  if (!ok) throw std::runtime_error("cannot write " + path);
}

Cert read_certificate(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) return Cert(nullptr, X509_free);
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return Cert(cert, X509_free);
}

Key read_key(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) return Key(nullptr, EVP_PKEY_free);
  EVP_PKEY* key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return Key(key, EVP_PKEY_free);
}

// Does the certificate name every DNS name and IP asked for?
bool covers(X509* cert, const CertificateRequest& request) {
  for (const auto& d : request.dns_names)
    if (X509_check_host(cert, d.c_str(), d.size(), 0, nullptr) != 1) return false;
  for (const auto& ip : request.ips)
    if (X509_check_ip_asc(cert, ip.c_str(), 0) != 1) return false;
  return true;
}

void issue_server_certificate(const TlsFiles& files, const CertificateRequest& request, X509* ca, EVP_PKEY* ca_key) {
  Key server_key = new_key();
  Cert server = make_certificate(server_key.get(), "skiff-" + request.server_name, ca, ca_key, 825);
  std::string san;
  for (const auto& d : request.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : request.ips) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  add_extension(server.get(), ca, NID_subject_alt_name, san);
  add_extension(server.get(), ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(server.get(), ca, NID_ext_key_usage, "serverAuth");
  add_extension(server.get(), ca, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(server.get(), ca_key, EVP_sha256()) > 0 ? 1 : 0, "signing the server certificate");
  write_pem(files.server_key, [&](FILE* f) { return PEM_write_PrivateKey(f, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr); }, 0600);
  write_pem(files.server_cert, [&](FILE* f) { return PEM_write_X509(f, server.get()); }, 0644);
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TlsFiles ensure_certificates(const CertificateRequest& request) {
  const std::string& dir = request.dir;
  TlsFiles files{dir + "/ca.crt", dir + "/ca.key", dir + "/" + request.server_name + ".crt",
                 dir + "/" + request.server_name + ".key"};
  namespace fs = std::filesystem;
  if (fs::exists(files.ca_cert) && fs::exists(files.ca_key)) {
    Cert ca = read_certificate(files.ca_cert);
    Key ca_key = read_key(files.ca_key);
    if (!ca || !ca_key) throw std::runtime_error("cannot read the CA in " + dir + "; remove ca.crt and ca.key to have new ones made");
    Cert server = read_certificate(files.server_cert);
    // The same CA (kubeconfigs and pods keep trusting it); a new server certificate when the
    // names asked for grew (the Service's address, a new listen address).
    if (!server || !fs::exists(files.server_key) || !covers(server.get(), request))
      issue_server_certificate(files, request, ca.get(), ca_key.get());
    return files;
  }
  fs::create_directories(dir);

  Key ca_key = new_key();
  Cert ca = make_certificate(ca_key.get(), request.ca_name, nullptr, nullptr, 3650);
  check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0 ? 1 : 0, "signing the CA");
  write_pem(files.ca_key, [&](FILE* f) { return PEM_write_PrivateKey(f, ca_key.get(), nullptr, nullptr, 0, nullptr, nullptr); }, 0600);
  write_pem(files.ca_cert, [&](FILE* f) { return PEM_write_X509(f, ca.get()); }, 0644);
  issue_server_certificate(files, request, ca.get(), ca_key.get());
  return files;
}

}  // namespace skiff::http_common
