// SHA-256 in lower-case hex: the identity of an uploaded or consolidated file, and of tokens.
#pragma once

#include <string>
#include <string_view>

namespace consolida {

std::string sha256_hex(std::string_view bytes);
// Read in blocks, never whole; empty if the file cannot be read.
std::string sha256_hex_file(const std::string& path);

}  // namespace consolida
