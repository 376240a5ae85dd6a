#include "common/digest.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <stdexcept>

#include "common/text.hpp"

namespace consolida {
namespace {

// OpenSSL's SHA-256 (hardware instructions where present), its algorithm looked up once: every
// input of a regional run is hashed, and a lookup per file cost as much as the hashing.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_, algorithm(), nullptr) != 1) throw std::runtime_error("SHA-256 non disponibile");
  }
  ~Sha256() { EVP_MD_CTX_free(context_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t n) { EVP_DigestUpdate(context_, data, n); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_, digest, &size);
    return to_hex(digest, size);
  }

 private:
  static const EVP_MD* algorithm() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
  }
  EVP_MD_CTX* context_;
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 engine;
  engine.update(bytes.data(), bytes.size());
  return engine.hex();
}

std::string sha256_hex_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  Sha256 engine;
  char buffer[1 << 15];
  ssize_t got = 0;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) engine.update(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  if (got < 0) return {};
  return engine.hex();
}

}  // namespace consolida
