#include "xlsx/zip_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "xlsx/text_util.hpp"

namespace consolida::xlsx {
namespace {

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSig = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::size_t kInputChunk = 256 * 1024;

std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t le64(const unsigned char* p) {
  return static_cast<std::uint64_t>(le32(p)) | (static_cast<std::uint64_t>(le32(p + 4)) << 32);
}

Error corrupt(std::string it, std::string en) {
  return Error(ErrorCode::corrupt_archive, std::move(it), std::move(en));
}

std::string mib(std::uint64_t bytes) {
  return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// Inflates with ISA-L (igzip): three times zlib's speed with the CRC-32 computed as it goes, and
// a large .ods is inflated twice (opening, then streaming a sheet).
class ZipEntryStream final : public ByteSource {
 public:
  ZipEntryStream(ZipArchive& archive, const ZipEntry& entry, std::uint64_t data_offset)
      : archive_(archive), entry_(entry), next_in_offset_(data_offset),
        remaining_in_(entry.compressed_size) {
    if (entry_.method == 8) {
      inflater_ = std::make_unique<inflate_state>();
      isal_inflate_init(inflater_.get());
      inflater_->crc_flag = ISAL_GZIP_NO_HDR;  // gzip's CRC-32 is the zip one
      if (!archive_.in_memory()) input_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kInputChunk, std::max<std::uint64_t>(remaining_in_, 1))));
    }
  }

  std::optional<std::uint64_t> size_hint() const override { return entry_.uncompressed_size; }

  std::size_t read(char* buffer, std::size_t n) override {
    if (finished_ || n == 0) return 0;
    const std::size_t produced = entry_.method == 0 ? read_stored(buffer, n) : read_deflated(buffer, n);
    account(produced);
    if (ended_) {
      // Size and CRC are judged once every byte has been accounted for.
      finished_ = true;
      verify();
    }
    return produced;
  }

 private:
  std::size_t read_stored(char* buffer, std::size_t n) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining_in_));
    if (want == 0) {
      ended_ = true;
      return 0;
    }
    const std::size_t got = archive_.read_at(next_in_offset_, buffer, want);
    if (got == 0) throw truncated();
    stored_crc_ = crc32_gzip_refl(stored_crc_, reinterpret_cast<const unsigned char*>(buffer), got);
    next_in_offset_ += got;
    remaining_in_ -= got;
    consumed_in_ += got;
    return got;
  }

  std::size_t read_deflated(char* buffer, std::size_t n) {
    inflate_state& state = *inflater_;
    state.next_out = reinterpret_cast<std::uint8_t*>(buffer);
    state.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 30));
    const std::uint32_t out_before = state.avail_out;
    while (state.avail_out == out_before) {
      // With the input all fed, ISA-L may still hold output: it is asked again until it ends.
      if (state.avail_in == 0 && remaining_in_ > 0) {
        std::size_t got = 0;
        if (archive_.in_memory()) {
          // Inflate straight from the image: no copy of the compressed bytes.
          got = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_in_, 1u << 30));
          state.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(archive_.image().data() + next_in_offset_));
        } else {
          const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(input_.size(), remaining_in_));
          got = archive_.read_at(next_in_offset_, input_.data(), want);
          if (got == 0) throw truncated();
          state.next_in = reinterpret_cast<std::uint8_t*>(input_.data());
        }
        next_in_offset_ += got;
        remaining_in_ -= got;
        state.avail_in = static_cast<std::uint32_t>(got);
      }
      const std::uint32_t in_before = state.avail_in;
      const std::uint32_t out_left = state.avail_out;
      const int rc = isal_inflate(&state);
      consumed_in_ += in_before - state.avail_in;
      if (rc < 0) throw damaged_deflate(rc);
      if (state.block_state == ISAL_BLOCK_FINISH) {
        ended_ = true;
        break;
      }
      if (state.avail_in == in_before && state.avail_out == out_left) {
        // No progress: with nothing more to feed the data ends early, else it cannot be read.
        if (state.avail_in == 0) throw truncated();
        throw corrupt("dati compressi danneggiati", "corrupt compressed data");
      }
    }
    return out_before - state.avail_out;
  }

  // Called for every chunk handed to the caller: CRC, size, ratio and budget checks.
  void account(std::size_t produced) {
    out_total_ += produced;
    const Limits& limits = archive_.limits();
    if (out_total_ > entry_.uncompressed_size) {
      throw corrupt("la parte è più grande della dimensione dichiarata nell'archivio (" +
                        std::to_string(entry_.uncompressed_size) + " byte): archivio manomesso o danneggiato",
                    "the part is larger than its declared size (" + std::to_string(entry_.uncompressed_size) +
                        " bytes): tampered or corrupt archive");
    }
    if (out_total_ > limits.max_part_bytes) {
      throw Error(ErrorCode::limit_exceeded,
                  "parte troppo grande una volta decompressa (oltre " + mib(limits.max_part_bytes) + ")",
                  "part too large when uncompressed (over " + mib(limits.max_part_bytes) + ")");
    }
    if (out_total_ > limits.ratio_check_after_bytes &&
        out_total_ / std::max<std::uint64_t>(consumed_in_, 1) > limits.max_compression_ratio) {
      throw Error(ErrorCode::limit_exceeded,
                  "rapporto di compressione sospetto (oltre " + std::to_string(limits.max_compression_ratio) +
                      ":1): possibile \"zip bomb\", file rifiutato",
                  "suspicious compression ratio (over " + std::to_string(limits.max_compression_ratio) +
                      ":1): possible zip bomb, file refused");
    }
    InflateBudget& budget = archive_.budget();
    budget.used += produced;
    if (budget.used > limits.max_total_bytes) {
      throw Error(ErrorCode::limit_exceeded,
                  "contenuto decompresso complessivo troppo grande (oltre " + mib(limits.max_total_bytes) + ")",
                  "total uncompressed content too large (over " + mib(limits.max_total_bytes) + ")");
    }
  }

  void verify() const {
    if (out_total_ != entry_.uncompressed_size) {
      throw corrupt("la parte è più corta della dimensione dichiarata: archivio troncato o danneggiato",
                    "the part is shorter than its declared size: truncated or corrupt archive");
    }
    if ((inflater_ ? inflater_->crc : stored_crc_) != entry_.crc32) {
      throw corrupt("CRC errato: il contenuto non corrisponde al controllo di integrità (file danneggiato)",
                    "bad CRC: content does not match its checksum (corrupt file)");
    }
  }

  // What ISA-L found wrong, in words rather than its code.
  static Error damaged_deflate(int rc) {
    const char* it = rc == ISAL_INVALID_BLOCK ? " (blocco non valido)" : rc == ISAL_INVALID_SYMBOL ? " (simbolo non valido)"
                     : rc == ISAL_INVALID_LOOKBACK ? " (distanza non valida)" : "";
    const char* en = rc == ISAL_INVALID_BLOCK ? " (invalid block)" : rc == ISAL_INVALID_SYMBOL ? " (invalid symbol)"
                     : rc == ISAL_INVALID_LOOKBACK ? " (invalid distance)" : "";
    return corrupt(std::string("dati compressi danneggiati") + it, std::string("corrupt compressed data") + en);
  }

  Error truncated() const {
    return corrupt("archivio troncato: i dati compressi finiscono prima del previsto",
                   "truncated archive: compressed data ends early");
  }

  ZipArchive& archive_;
  ZipEntry entry_;
  std::uint64_t next_in_offset_;
  std::uint64_t remaining_in_;
  std::uint64_t consumed_in_ = 0;
  std::uint64_t out_total_ = 0;
  std::uint32_t stored_crc_ = 0;  // of a stored entry; ISA-L keeps a deflated one's
  bool ended_ = false;     // the data is exhausted; verify() is due
  bool finished_ = false;  // verified; every further read returns 0
  std::unique_ptr<inflate_state> inflater_;  // large (tens of KB): on the heap
  std::vector<char> input_;
};

}  // namespace

std::size_t MemorySource::read(char* buffer, std::size_t n) {
  const std::size_t take = std::min(n, data_.size() - pos_);
  std::memcpy(buffer, data_.data() + pos_, take);
  pos_ += take;
  return take;
}

OpenedFile open_regular_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const std::string reason = std::strerror(errno);
    throw Error(ErrorCode::io, "impossibile aprire il file (" + reason + ")", "cannot open file (" + reason + ")");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCode::io, "non è un file regolare", "not a regular file");
  }
  return {fd, static_cast<std::uint64_t>(st.st_size)};
}

ZipArchive::ZipArchive(const std::string& path, const Limits& limits) : limits_(limits) {
  const OpenedFile file = open_regular_file(path);
  fd_ = file.fd;
  file_size_ = file.size;
  try {
    check_file_size();
    read_central_directory();
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

ZipArchive::ZipArchive(ZipImage image, const Limits& limits)
    : image_(std::move(image.bytes)), file_size_(image_.size()), limits_(limits) {
  check_file_size();
  read_central_directory();
}

ZipArchive::~ZipArchive() {
  if (fd_ >= 0) ::close(fd_);
}

bool ZipArchive::starts_like_zip(std::string_view head) {
  return head.starts_with(std::string_view("PK\x03\x04", 4)) || head.starts_with(std::string_view("PK\x05\x06", 4));
}

void ZipArchive::check_file_size() const {
  if (file_size_ > limits_.max_file_bytes) {
    throw Error(ErrorCode::limit_exceeded, "file troppo grande (oltre " + mib(limits_.max_file_bytes) + ")",
                "file too large (over " + mib(limits_.max_file_bytes) + ")");
  }
}

std::size_t ZipArchive::read_at(std::uint64_t offset, char* out, std::size_t n) const {
  // Nothing to read is answered before memcpy: an empty archive's central directory is a
  // zero-length buffer whose data() is null, and memcpy from or to null is undefined even for
  // 0 bytes (UBSan stops there).
  if (n == 0 || offset >= file_size_) return 0;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, file_size_ - offset));
  if (fd_ < 0) {
    std::memcpy(out, image_.data() + offset, n);
    return n;
  }
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(ErrorCode::io, "errore di lettura del file", "error reading the file");
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void ZipArchive::pread_exact(std::uint64_t offset, void* out, std::size_t n, const char* what_it,
                             const char* what_en) const {
  if (offset > file_size_ || n > file_size_ - offset) {
    throw corrupt(std::string("archivio troncato: ") + what_it + " oltre la fine del file",
                  std::string("truncated archive: ") + what_en + " past the end of the file");
  }
  if (read_at(offset, static_cast<char*>(out), n) != n) {
    throw Error(ErrorCode::io, "errore di lettura del file", "error reading the file");
  }
}

void ZipArchive::read_central_directory() {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  const std::size_t tail_size = static_cast<std::size_t>(std::min<std::uint64_t>(file_size_, 22 + 65535));
  if (tail_size < 22) {
    throw corrupt("archivio zip troppo corto o troncato", "zip archive too short or truncated");
  }
  std::vector<unsigned char> tail(tail_size);
  pread_exact(file_size_ - tail_size, tail.data(), tail_size, "coda", "tail");
  std::size_t eocd = std::string::npos;
  for (std::size_t i = tail_size - 22 + 1; i-- > 0;) {
    if (le32(&tail[i]) == kEndOfCentralDirSig) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) {
    throw corrupt("archivio zip troncato o danneggiato: manca la directory centrale (il file è stato copiato solo in parte?)",
                  "truncated or corrupt zip archive: central directory missing (was the file only partly copied?)");
  }
  const unsigned char* e = &tail[eocd];
  std::uint64_t entry_count = le16(e + 10);
  std::uint64_t cd_size = le32(e + 12);
  std::uint64_t cd_offset = le32(e + 16);
  const std::uint64_t eocd_pos = file_size_ - tail_size + eocd;

  if (entry_count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    if (eocd_pos < 20) throw corrupt("record zip64 mancante", "missing zip64 record");
    unsigned char locator[20];
    pread_exact(eocd_pos - 20, locator, sizeof locator, "record zip64", "zip64 record");
    if (le32(locator) != kZip64LocatorSig) throw corrupt("record zip64 mancante", "missing zip64 record");
    const std::uint64_t z64_pos = le64(locator + 8);
    unsigned char z64[56];
    pread_exact(z64_pos, z64, sizeof z64, "record zip64", "zip64 record");
    if (le32(z64) != kZip64EndSig) throw corrupt("record zip64 non valido", "invalid zip64 record");
    entry_count = le64(z64 + 32);
    cd_size = le64(z64 + 40);
    cd_offset = le64(z64 + 48);
  }
  if (entry_count > limits_.max_zip_entries) {
    throw Error(ErrorCode::limit_exceeded,
                "l'archivio contiene troppe parti (" + std::to_string(entry_count) + ")",
                "the archive holds too many parts (" + std::to_string(entry_count) + ")");
  }
  if (cd_offset > file_size_ || cd_size > file_size_ - cd_offset) {
    throw corrupt("archivio troncato: la directory centrale è oltre la fine del file",
                  "truncated archive: central directory past the end of the file");
  }
  if (cd_size < entry_count * 46) {
    throw corrupt("directory centrale dell'archivio incoerente", "inconsistent central directory");
  }
  std::vector<unsigned char> cd(static_cast<std::size_t>(cd_size));
  pread_exact(cd_offset, cd.data(), cd.size(), "directory centrale", "central directory");

  std::size_t p = 0;
  entries_.reserve(static_cast<std::size_t>(entry_count));
  for (std::uint64_t i = 0; i < entry_count; ++i) {
    if (p + 46 > cd.size() || le32(&cd[p]) != kCentralHeaderSig) {
      throw corrupt("directory centrale dell'archivio danneggiata", "corrupt central directory");
    }
    const unsigned char* h = &cd[p];
    ZipEntry entry;
    entry.flags = le16(h + 8);
    entry.method = le16(h + 10);
    entry.crc32 = le32(h + 16);
    entry.compressed_size = le32(h + 20);
    entry.uncompressed_size = le32(h + 24);
    const std::size_t name_len = le16(h + 28);
    const std::size_t extra_len = le16(h + 30);
    const std::size_t comment_len = le16(h + 32);
    entry.local_header_offset = le32(h + 42);
    if (p + 46 + name_len + extra_len + comment_len > cd.size()) {
      throw corrupt("directory centrale dell'archivio danneggiata", "corrupt central directory");
    }
    entry.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
    std::replace(entry.name.begin(), entry.name.end(), '\\', '/');
    while (!entry.name.empty() && entry.name.front() == '/') entry.name.erase(0, 1);

    // zip64 extended information: only the fields that were saturated are present, in order.
    const unsigned char* extra = h + 46 + name_len;
    for (std::size_t q = 0; q + 4 <= extra_len;) {
      const std::uint16_t id = le16(extra + q);
      const std::uint16_t len = le16(extra + q + 2);
      if (q + 4 + len > extra_len) break;
      if (id == 0x0001) {
        const unsigned char* f = extra + q + 4;
        std::size_t left = len;
        auto take = [&](std::uint64_t& field) {
          if (left >= 8) {
            field = le64(f);
            f += 8;
            left -= 8;
          }
        };
        if (entry.uncompressed_size == 0xFFFFFFFF) take(entry.uncompressed_size);
        if (entry.compressed_size == 0xFFFFFFFF) take(entry.compressed_size);
        if (entry.local_header_offset == 0xFFFFFFFF) take(entry.local_header_offset);
      }
      q += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;

    // A name given twice is refused: Python's zipfile (so openpyxl) reads the last copy, a
    // first-wins lookup the first, so one file could show a person one value and validation
    // another. Names that differ only in case count too: OPC part names ignore case, and so
    // does find().
    const std::size_t index = entries_.size();
    const auto [folded, added] = by_folded_name_.emplace(ascii_lower(entry.name), index);
    if (!added) {
      const std::string& first = entries_[folded->second].name;
      const bool same = first == entry.name;
      Error error = corrupt("l'archivio contiene la parte " + entry.name + " due volte" +
                                (same ? "" : " (anche come " + first + ": i nomi delle parti non distinguono maiuscole e minuscole)") +
                                ": file manomesso o danneggiato, programmi diversi ne leggerebbero copie diverse; salvarlo di nuovo con Excel",
                            "the archive holds the part " + entry.name + " twice" +
                                (same ? "" : " (also as " + first + ": part names ignore case)") +
                                ": tampered or corrupt file, different programs would read different copies; save it again with Excel");
      error.set_part(entry.name);
      throw error;
    }
    by_name_.emplace(entry.name, index);
    entries_.push_back(std::move(entry));
  }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) return &entries_[it->second];
  if (auto it = by_folded_name_.find(ascii_lower(name)); it != by_folded_name_.end()) return &entries_[it->second];
  return nullptr;
}

std::unique_ptr<ByteSource> ZipArchive::open(const ZipEntry& entry) {
  auto fail = [&](Error error) -> Error {
    error.set_part(entry.name);
    return error;
  };
  if (entry.encrypted()) {
    throw fail(Error(ErrorCode::encrypted, "la parte è cifrata (archivio protetto da password)",
                     "the part is encrypted (password-protected archive)"));
  }
  if (entry.method != 0 && entry.method != 8) {
    throw fail(Error(ErrorCode::unsupported_format,
                     "metodo di compressione non supportato (" + std::to_string(entry.method) +
                         "): salvare di nuovo il file con Excel",
                     "unsupported compression method (" + std::to_string(entry.method) +
                         "): save the file again with Excel"));
  }
  if (entry.uncompressed_size > limits_.max_part_bytes) {
    throw fail(Error(ErrorCode::limit_exceeded,
                     "parte troppo grande una volta decompressa (" + mib(entry.uncompressed_size) +
                         ", limite " + mib(limits_.max_part_bytes) + ")",
                     "part too large when uncompressed (" + mib(entry.uncompressed_size) + ", limit " +
                         mib(limits_.max_part_bytes) + ")"));
  }
  if (entry.uncompressed_size > limits_.ratio_check_after_bytes &&
      entry.uncompressed_size / std::max<std::uint64_t>(entry.compressed_size, 1) > limits_.max_compression_ratio) {
    throw fail(Error(ErrorCode::limit_exceeded,
                     "rapporto di compressione dichiarato sospetto (" +
                         std::to_string(entry.uncompressed_size / std::max<std::uint64_t>(entry.compressed_size, 1)) +
                         ":1): possibile \"zip bomb\", file rifiutato",
                     "suspicious declared compression ratio (" +
                         std::to_string(entry.uncompressed_size / std::max<std::uint64_t>(entry.compressed_size, 1)) +
                         ":1): possible zip bomb, file refused"));
  }
  if (entry.method == 0 && entry.compressed_size != entry.uncompressed_size) {
    throw fail(corrupt("dimensioni incoerenti per una parte non compressa", "inconsistent sizes for a stored part"));
  }
  unsigned char local[30];
  try {
    pread_exact(entry.local_header_offset, local, sizeof local, "intestazione locale", "local header");
  } catch (Error& error) {
    throw fail(std::move(error));
  }
  if (le32(local) != kLocalHeaderSig) {
    throw fail(corrupt("intestazione locale della parte non valida", "invalid local header for the part"));
  }
  const std::uint64_t data_offset = entry.local_header_offset + 30 + le16(local + 26) + le16(local + 28);
  if (data_offset > file_size_ || entry.compressed_size > file_size_ - data_offset) {
    throw fail(corrupt("archivio troncato: i dati della parte finiscono oltre la fine del file",
                       "truncated archive: the part's data runs past the end of the file"));
  }
  return std::make_unique<ZipEntryStream>(*this, entry, data_offset);
}

std::string ZipArchive::read_all(const ZipEntry& entry) {
  auto source = open(entry);
  // The declared size is only a hint from the file: grow as data really arrives.
  std::string out;
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(entry.uncompressed_size, 1u << 20)) + 1);
  std::size_t filled = 0;
  try {
    while (true) {
      if (filled == out.size()) out.resize(out.size() * 2);
      const std::size_t got = source->read(out.data() + filled, out.size() - filled);
      if (got == 0) break;
      filled += got;
    }
  } catch (Error& error) {
    error.set_part(entry.name);
    throw;
  }
  out.resize(filled);
  return out;
}

}  // namespace consolida::xlsx
