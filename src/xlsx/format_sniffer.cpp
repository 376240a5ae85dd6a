// Recognises what a file really is from its bytes, so that a wrong format gets a precise,
// actionable refusal instead of "corrupt zip".
#include "xlsx/format_sniffer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "xlsx/text_util.hpp"

namespace consolida::xlsx {
namespace {

constexpr std::array<unsigned char, 8> kOleMagic = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
constexpr std::size_t kOleScanLimit = 64u << 20;

std::string utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

class Fd {
 public:
  explicit Fd(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// OLE compound files hold either a legacy workbook or an encrypted OOXML package; the stream
// names in the directory tell which. Scanning for the UTF-16 names avoids a full CFB parser.
// next_chunk fills a buffer from the start of the file and returns the bytes given (0 at the end).
template <typename NextChunk>
FileKind classify_ole(NextChunk next_chunk) {
  // Stream names are compared case-insensitively: some writers store "WORKBOOK".
  const std::string encrypted = utf16le("encryptedpackage");
  const std::string workbook = utf16le("workbook");
  const std::string book = utf16le("book");
  std::string window;
  std::vector<char> chunk(1u << 20);
  std::size_t total = 0;
  bool saw_workbook = false;
  while (total < kOleScanLimit) {
    const std::size_t got = next_chunk(chunk.data(), chunk.size());
    if (got == 0) break;
    total += got;
    for (std::size_t i = 0; i < got; ++i) window += ascii_lower(chunk[i]);
    if (window.find(encrypted) != std::string::npos) return FileKind::encrypted_ooxml;
    if (window.find(workbook) != std::string::npos || window.find(book) != std::string::npos) saw_workbook = true;
    window.erase(0, window.size() > encrypted.size() ? window.size() - encrypted.size() : 0);
  }
  return saw_workbook ? FileKind::xls : FileKind::ole_other;
}

bool is_ole(std::string_view head) { return head.size() >= 8 && std::memcmp(head.data(), kOleMagic.data(), 8) == 0; }

FileKind classify_text(std::string_view head) {
  if (head.starts_with("%PDF")) return FileKind::pdf;
  std::string_view rest = head;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
  rest = trim(rest);
  if (!rest.empty() && rest.front() == '<') return FileKind::html;
  const bool printable = std::all_of(head.begin(), head.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 || c == '\n' || c == '\r' || c == '\t';
  });
  return printable ? FileKind::csv_or_text : FileKind::unknown;
}

}  // namespace

FileKind classify_zip(const ZipArchive& archive) {
  if (archive.find("mimetype")) return FileKind::ods;  // OpenDocument packages start with it; xlsx never has one
  if (archive.find("xl/workbook.bin")) return FileKind::xlsb;
  bool has_workbook = false;
  bool has_vba = false;
  for (const ZipEntry& entry : archive.entries()) {
    const std::string lower = ascii_lower(entry.name);
    if (lower.ends_with("workbook.xml") || lower.ends_with("/workbook.xml")) has_workbook = true;
    if (lower.ends_with("vbaproject.bin")) has_vba = true;
  }
  if (!has_workbook && !archive.find("_rels/.rels")) return FileKind::zip_other;
  if (!has_workbook && (archive.find("word/document.xml") || archive.find("ppt/presentation.xml"))) {
    return FileKind::zip_other;
  }
  return has_vba ? FileKind::xlsm : FileKind::xlsx;
}

FileKind sniff_file(const std::string& path) {
  Fd fd(path);
  if (fd.get() < 0) return FileKind::unknown;
  std::array<char, 512> head{};
  const ssize_t got = ::read(fd.get(), head.data(), head.size());
  if (got <= 0) return FileKind::empty;
  const std::string_view bytes(head.data(), static_cast<std::size_t>(got));
  if (is_ole(bytes)) {
    ::lseek(fd.get(), 0, SEEK_SET);
    return classify_ole([&](char* out, std::size_t n) {
      const ssize_t read = ::read(fd.get(), out, n);
      return read > 0 ? static_cast<std::size_t>(read) : std::size_t{0};
    });
  }
  if (ZipArchive::starts_like_zip(bytes)) {
    try {
      ZipArchive archive(path, Limits{});
      return classify_zip(archive);
    } catch (const Error&) {
      return FileKind::xlsx;  // a damaged zip: opening it will say what is wrong
    }
  }
  return classify_text(bytes);
}

FileKind sniff_bytes(std::string_view bytes) {
  if (bytes.empty()) return FileKind::empty;
  if (is_ole(bytes)) {
    std::size_t pos = 0;
    return classify_ole([&](char* out, std::size_t n) {
      const std::size_t take = std::min(n, bytes.size() - pos);
      std::memcpy(out, bytes.data() + pos, take);
      pos += take;
      return take;
    });
  }
  if (ZipArchive::starts_like_zip(bytes)) {
    try {
      ZipArchive archive(ZipImage{std::string(bytes)}, Limits{});
      return classify_zip(archive);
    } catch (const Error&) {
      return FileKind::xlsx;
    }
  }
  return classify_text(bytes.substr(0, 512));
}

Error refusal_for(FileKind kind) {
  switch (kind) {
    case FileKind::xls:
      return Error(ErrorCode::unsupported_format,
                   "file .xls (Excel 97-2003): salvarlo come .xlsx (in Excel: File > Salva con nome > Cartella di lavoro di Excel)",
                   ".xls file (Excel 97-2003): save it as .xlsx (in Excel: File > Save As > Excel Workbook)");
    case FileKind::xlsb:
      return Error(ErrorCode::unsupported_format,
                   "file .xlsb (cartella di lavoro binaria di Excel): salvarlo come .xlsx",
                   ".xlsb file (Excel binary workbook): save it as .xlsx");
    case FileKind::ods:
      return Error(ErrorCode::unsupported_format,
                   "file .ods (LibreOffice/OpenOffice): salvarlo come .xlsx (File > Salva con nome > Excel 2007-365)",
                   ".ods file (LibreOffice/OpenOffice): save it as .xlsx (File > Save As > Excel 2007-365)");
    case FileKind::encrypted_ooxml:
      return Error(ErrorCode::encrypted,
                   "file protetto da password: togliere la password (in Excel: File > Informazioni > Proteggi cartella di lavoro > "
                   "Crittografa con password, lasciando vuoto) e salvarlo di nuovo",
                   "password-protected file: remove the password (in Excel: File > Info > Protect Workbook > Encrypt with "
                   "Password, leave it empty) and save it again");
    case FileKind::ole_other:
      return Error(ErrorCode::unsupported_format,
                   "documento Office 97-2003 che non è un foglio di calcolo (ad es. .doc): caricare il modello .xlsx compilato",
                   "Office 97-2003 document that is not a spreadsheet (e.g. .doc): upload the filled-in .xlsx template");
    case FileKind::zip_other:
      return Error(ErrorCode::unsupported_format,
                   "archivio zip che non è una cartella di lavoro Excel (.xlsx): ad es. un documento Word o una cartella compressa",
                   "zip archive that is not an Excel workbook (.xlsx): e.g. a Word document or a compressed folder");
    case FileKind::csv_or_text:
      return Error(ErrorCode::unsupported_format,
                   "file di testo (ad es. CSV), non una cartella di lavoro: aprirlo in Excel e salvarlo come .xlsx",
                   "text file (e.g. CSV), not a workbook: open it in Excel and save it as .xlsx");
    case FileKind::html:
      return Error(ErrorCode::unsupported_format,
                   "file HTML/XML con estensione da foglio di calcolo (ad es. un'esportazione web o \"Foglio di calcolo XML 2003\"): "
                   "aprirlo in Excel e salvarlo come .xlsx",
                   "HTML/XML file with a spreadsheet extension (e.g. a web export or \"XML Spreadsheet 2003\"): open it in "
                   "Excel and save it as .xlsx");
    case FileKind::pdf:
      return Error(ErrorCode::unsupported_format, "file PDF: caricare il foglio di calcolo .xlsx, non la sua stampa",
                   "PDF file: upload the .xlsx spreadsheet, not a print of it");
    case FileKind::empty:
      return Error(ErrorCode::unsupported_format, "file vuoto (0 byte)", "empty file (0 bytes)");
    case FileKind::unknown:
    case FileKind::xlsx:
    case FileKind::xlsm:
      break;
  }
  return Error(ErrorCode::unsupported_format, "formato non riconosciuto: non è una cartella di lavoro .xlsx",
               "unrecognised format: not an .xlsx workbook");
}

}  // namespace consolida::xlsx
