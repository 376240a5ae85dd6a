// Secrets for the server: random tokens, slow password hashes, hashes of tokens at rest.
#pragma once

#include <string>
#include <string_view>

namespace consolida::server {

// `bytes` random bytes from the operating system's generator, as hex.
std::string random_hex(std::size_t bytes);
// PBKDF2-HMAC-SHA256 of the password with a hex salt, 32 bytes, as hex.
std::string pbkdf2_hex(std::string_view password, const std::string& salt_hex, int iterations);
// Equal strings, compared in a time that does not depend on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace consolida::server
