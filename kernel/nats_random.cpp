// Why skiffd defines OpenSSL's RAND_bytes: libnats seeds the random prefix of its inbox names
// (its NUID) with RAND_bytes when it is built with TLS, as Debian's is, so every process that
// opens a bus connection initialises OpenSSL's random generator — providers, configuration,
// DRBG — about 2 MB of RSS, even when the bus does not use TLS. The executable's definition
// takes precedence over libcrypto's for every caller that binds through the dynamic linker
// (libnats, and OpenSSL's own legacy callers), and draws from the kernel's getrandom(2), the
// same source OpenSSL's generator seeds itself from. TLS (the bus's, the API's) still
// initialises OpenSSL when it is configured; its own generator serves libssl's handshakes.
#include <sys/random.h>

#include <cerrno>
#include <cstddef>

extern "C" int RAND_bytes(unsigned char* buffer, int count) {
  std::size_t filled = 0;
  while (count > 0 && filled < static_cast<std::size_t>(count)) {
    ssize_t got = getrandom(buffer + filled, static_cast<std::size_t>(count) - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return 0;  // OpenSSL's convention for failure.
    }
    filled += static_cast<std::size_t>(got);
  }
  return 1;
}
