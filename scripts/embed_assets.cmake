# cmake -DASSET_DIR=src/server/assets -DOUTPUT=server_assets.cpp -P embed_assets.cmake
# Writes the server's static files (stylesheet, fonts and their licence) as byte strings, so that
# the binary serves them itself with no data files beside it and the build needs no network.
file(GLOB_RECURSE files RELATIVE "${ASSET_DIR}" "${ASSET_DIR}/*")
list(SORT files)
# The content type of each extension served; files of any other (README.md) are not served.
set(type_css "text/css; charset=utf-8")
set(type_woff2 "font/woff2")
set(type_txt "text/plain; charset=utf-8")
set(data "")
set(table "")
set(index 0)
foreach(name IN LISTS files)
  get_filename_component(extension "${name}" LAST_EXT)
  string(SUBSTRING "${extension}" 1 -1 extension)
  set(type "${type_${extension}}")
  if(type STREQUAL "")
    continue()  # README.md and the like: for the repository, not served
  endif()
  file(READ "${ASSET_DIR}/${name}" hex HEX)
  # Every byte as \xNN: no escape can run into the next character.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  string(APPEND data "const char k${index}[] = \"${escaped}\";\n")
  string(APPEND table "    {\"${name}\", \"${type}\", std::string_view(k${index}, sizeof k${index} - 1)},\n")
  math(EXPR index "${index} + 1")
endforeach()
set(out "// Generated from ${ASSET_DIR} by scripts/embed_assets.cmake. Do not edit.\n#include \"server/assets.hpp\"\n\nnamespace consolida::server::assets {\nnamespace {\n${data}}  // namespace\n\nstd::span<const Asset> all() {\n  static const Asset kAll[] = {\n${table}  };\n  return kAll;\n}\n\n}  // namespace consolida::server::assets\n")
file(WRITE "${OUTPUT}.tmp" "${out}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
