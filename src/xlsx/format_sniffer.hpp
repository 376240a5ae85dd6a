#pragma once

#include "consolida/xlsx.hpp"
#include "xlsx/zip_archive.hpp"

namespace consolida::xlsx {

// What kind of zip package this is (xlsx, xlsm, xlsb, ods, other).
FileKind classify_zip(const ZipArchive& archive);

// The refusal for a file that is not a readable xlsx; kind must not be xlsx/xlsm.
Error refusal_for(FileKind kind);

}  // namespace consolida::xlsx
