#include "convert/npz.hpp"

#include <cstring>

#include "convert/float16.hpp"
#include "core/error.hpp"

namespace rnmt {
namespace {

// The value after 'key': in the header's dict literal, from its first non-space character.
std::string_view value_of(std::string_view header, std::string_view key, const std::string& what) {
  std::string quoted(1, '\'');  // built by appends: GCC 12 sees a false -Wrestrict in a + b + c
  quoted.append(key).push_back('\'');
  size_t at = header.find(quoted);
  if (at == std::string_view::npos) throw Error(what + ": the .npy header has no " + quoted);
  at = header.find_first_not_of(' ', at + quoted.size());
  if (at == std::string_view::npos || header[at] != ':')
    throw Error(what + ": the .npy header's " + quoted + " has no value");
  at = header.find_first_not_of(' ', at + 1);
  if (at == std::string_view::npos) throw Error(what + ": the .npy header ends at " + quoted);
  return header.substr(at);
}

size_t element_size(const std::string& type) {
  if (type.size() < 2) return 0;
  const char kind = type[0];
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'S' && kind != 'b') return 0;
  size_t size = 0;
  for (size_t i = 1; i < type.size(); ++i) {
    if (type[i] < '0' || type[i] > '9' || size > 1000) return 0;
    size = size * 10 + static_cast<size_t>(type[i] - '0');
  }
  return size;
}

}  // namespace

NpyArray read_npy(std::string_view bytes, const std::string& what) {
  // magic, version, header length (2 bytes in version 1, 4 in versions 2 and 3)
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    throw Error(what + ": not a .npy array");
  const auto major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) throw Error(what + ": .npy version " + std::to_string(major));
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t start = 8 + length_bytes;
  if (bytes.size() < start) throw Error(what + ": the .npy header is cut short");
  size_t header_length = 0;
  for (size_t i = 0; i < length_bytes; ++i)
    header_length |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  if (bytes.size() - start < header_length) throw Error(what + ": the .npy header is cut short");
  const std::string_view header = bytes.substr(start, header_length);

  NpyArray a;
  std::string_view descr = value_of(header, "descr", what);
  const size_t close = descr.size() > 1 ? descr.find('\'', 1) : std::string_view::npos;
  if (descr[0] != '\'' || close == std::string_view::npos || close < 3)
    throw Error(what + ": the .npy descr is not a simple type");
  const std::string type(descr.substr(1, close - 1));
  const char order = type[0];
  if (order == '>') throw Error(what + ": big-endian elements (" + type + ")");
  if (order != '<' && order != '|') throw Error(what + ": unsupported type " + type);
  a.type = type.substr(1);
  const size_t size = element_size(a.type);
  if (size == 0) throw Error(what + ": unsupported type " + type);

  const std::string_view fortran = value_of(header, "fortran_order", what);
  if (fortran.substr(0, 4) == "True")
    throw Error(what + ": elements in Fortran order, which rnmt does not read");
  if (fortran.substr(0, 5) != "False") throw Error(what + ": fortran_order is not True or False");

  std::string_view shape = value_of(header, "shape", what);
  if (shape[0] != '(') throw Error(what + ": the .npy shape is not a tuple");
  const size_t end = shape.find(')');
  if (end == std::string_view::npos) throw Error(what + ": the .npy shape is not closed");
  shape = shape.substr(1, end - 1);
  int64_t count = 1;
  for (size_t at = 0; at < shape.size();) {
    at = shape.find_first_not_of(" ,", at);
    if (at == std::string_view::npos) break;
    int64_t n = 0;
    size_t digits = 0;
    for (; at < shape.size() && shape[at] >= '0' && shape[at] <= '9'; ++at, ++digits) {
      n = n * 10 + (shape[at] - '0');
      if (n > (int64_t{1} << 40)) throw Error(what + ": an .npy dimension is too large");
    }
    if (digits == 0) throw Error(what + ": the .npy shape holds something other than sizes");
    a.shape.push_back(n);
    if (n > 0 && count > (int64_t{1} << 40) / n)  // before multiplying: no overflow
      throw Error(what + ": the .npy array is too large");
    count *= n;
  }
  const size_t data_start = start + header_length;
  if (bytes.size() - data_start != static_cast<size_t>(count) * size)
    throw Error(what + ": " + std::to_string(bytes.size() - data_start) + " bytes of elements, " +
                "not the " + std::to_string(static_cast<size_t>(count) * size) +
                " its shape and type need");
  a.data = std::string(bytes.substr(data_start));
  return a;
}

std::vector<float> npy_floats(const NpyArray& a, const std::string& what) {
  const size_t size = element_size(a.type);
  const size_t count = size ? a.data.size() / size : 0;
  std::vector<float> out(count);
  const char* p = a.data.data();
  if (a.type == "f4") {
    if (count > 0) std::memcpy(out.data(), p, count * 4);  // an empty array has no buffer
  } else if (a.type == "f8") {
    for (size_t i = 0; i < count; ++i) {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      out[i] = static_cast<float>(v);
    }
  } else if (a.type == "f2") {
    for (size_t i = 0; i < count; ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      out[i] = float16_to_float(h);
    }
  } else {
    throw Error(what + " holds " + a.type + " elements, not floating-point numbers");
  }
  return out;
}

NpzFile::NpzFile(const std::string& path)
    : zip_(std::make_unique<ZipArchive>(path, "numpy .npz file")) {}

std::vector<std::string> NpzFile::names() const {
  std::vector<std::string> out;
  for (const std::string& n : zip_->names())
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".npy") == 0)
      out.push_back(n.substr(0, n.size() - 4));
  return out;
}

bool NpzFile::has(const std::string& name) const {
  return zip_->has(name + ".npy");
}

NpyArray NpzFile::array(const std::string& name) const {
  return read_npy(zip_->entry(name + ".npy"), path() + ": " + name);
}

std::string NpzFile::text(const std::string& name) const {
  const NpyArray a = array(name);
  if (a.type != "i1" && a.type != "u1" && a.type != "S1")
    throw Error(path() + ": " + name + " holds " + a.type + " elements, not text");
  std::string t = a.data;
  while (!t.empty() && t.back() == '\0') t.pop_back();
  return t;
}

}  // namespace rnmt
