#include "convert/zip_archive.hpp"

#include <zip.h>

#include "core/error.hpp"

namespace rnmt {

void ZipArchive::Closer::operator()(zip* archive) const {
  zip_discard(archive);
}

ZipArchive::ZipArchive(const std::string& path, const std::string& kind) : path_(path) {
  int code = 0;
  zip_.reset(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!zip_) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw Error(path + ": not a " + kind + " (a zip archive): " + why);
  }
}

ZipArchive::~ZipArchive() = default;

std::vector<std::string> ZipArchive::names() const {
  std::vector<std::string> out;
  const zip_int64_t count = zip_get_num_entries(zip_.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i)
    if (const char* name = zip_get_name(zip_.get(), static_cast<zip_uint64_t>(i), 0))
      out.emplace_back(name);
  return out;
}

bool ZipArchive::has(const std::string& name) const {
  return zip_name_locate(zip_.get(), name.c_str(), 0) >= 0;
}

std::string ZipArchive::entry(const std::string& name) const {
  const zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), 0);
  if (index < 0) throw Error(path_ + ": no entry " + name + " in the archive");
  zip_stat_t stat;
  if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE))
    throw Error(path_ + ": cannot read the size of " + name);
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
      zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0), zip_fclose);
  if (!file) throw Error(path_ + ": cannot open " + name + ": " + zip_strerror(zip_.get()));
  std::string bytes(static_cast<size_t>(stat.size), '\0');
  if (zip_fread(file.get(), bytes.data(), stat.size) != static_cast<zip_int64_t>(stat.size))
    throw Error(path_ + ": " + name + " is damaged: " + zip_file_strerror(file.get()));
  return bytes;
}

}  // namespace rnmt
