// The responses the proxy writes itself: errors with a short text body, and the 308 to https.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

namespace skiff::ingress {

using SimpleResponse = boost::beast::http::response<boost::beast::http::string_body>;

// `status` with "<code> <reason>: <detail>\n" as a text/plain body.
SimpleResponse error_response(boost::beast::http::status status, const std::string& detail, unsigned version,
                              bool keep_alive);

// 308 Permanent Redirect to `location`.
SimpleResponse redirect_response(const std::string& location, unsigned version, bool keep_alive);

}  // namespace skiff::ingress
