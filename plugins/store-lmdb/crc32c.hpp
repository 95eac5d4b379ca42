// CRC32C (Castagnoli), the checksum that frames each write-ahead log record.
#pragma once

#include <cstdint>
#include <string_view>

namespace skiff::store {

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace skiff::store
