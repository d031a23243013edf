#pragma once
// numpy's array files: .npy (a header, a Python dict literal giving the element type, the order
// and the shape, then the raw elements) and .npz, a zip archive of .npy files, which is how Marian
// saves a model (one array per parameter, and its configuration as the text of the array
// "special:model.yml").
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "convert/zip_archive.hpp"

namespace rnmt {

struct NpyArray {
  std::string type;  // numpy's descr without the byte order: "f4", "f2", "f8", "i1", "u1", ...
  std::vector<int64_t> shape;
  std::string data;  // the elements' bytes, little-endian, row-major
};

// One .npy file's bytes; an Error naming `what` for anything malformed, Fortran order, a
// big-endian type, or elements that do not fill the shape exactly.
NpyArray read_npy(std::string_view bytes, const std::string& what);

// An array's elements as float32 (f4, f2, f8); an Error naming `what` for other types.
std::vector<float> npy_floats(const NpyArray& array, const std::string& what);

class NpzFile {
 public:
  explicit NpzFile(const std::string& path);  // an Error naming the path when not a zip archive

  const std::string& path() const { return zip_->path(); }
  std::vector<std::string> names() const;  // its arrays' names (entries without ".npy")
  bool has(const std::string& name) const;
  NpyArray array(const std::string& name) const;  // an Error naming the file and array
  // A text stored as an array of bytes (i1, u1 or S1 elements), as Marian stores its
  // configuration; trailing NULs dropped.
  std::string text(const std::string& name) const;

 private:
  std::unique_ptr<ZipArchive> zip_;
};

}  // namespace rnmt
