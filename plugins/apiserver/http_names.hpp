// The shared HTTP server's names (plugins/http-common) as the apiserver's code uses them.
#pragma once

#include "byte_stream.hpp"
#include "http_server.hpp"
#include "pki.hpp"

namespace skiff::apiserver {

using http_common::ByteStream;
using http_common::CertificateRequest;
using http_common::ensure_certificates;
using http_common::HeaderList;
using http_common::HttpHandler;
using http_common::HttpRequest;
using http_common::HttpResponder;
using http_common::HttpServer;
using http_common::HttpServerOptions;
using http_common::read_exactly;
using http_common::read_file;
using http_common::TlsFiles;
using http_common::url_decode;

}  // namespace skiff::apiserver
