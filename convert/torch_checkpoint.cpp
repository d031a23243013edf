#include "convert/torch_checkpoint.hpp"

#include <cstring>
#include <fstream>

#include "convert/float16.hpp"
#include "core/error.hpp"

namespace rnmt {
namespace {

// A storage's element type: its size in bytes and how one becomes a float.
struct ElementType {
  size_t size = 0;
  float (*to_float)(const unsigned char*) = nullptr;
};

float from_float32(const unsigned char* p) {
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
float from_float64(const unsigned char* p) {
  double v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<float>(v);
}
float from_bfloat16(const unsigned char* p) {
  const uint32_t bits = static_cast<uint32_t>(p[0] | (p[1] << 8)) << 16;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}
float from_float16(const unsigned char* p) {
  return float16_to_float(static_cast<uint16_t>(p[0] | (p[1] << 8)));
}

ElementType element_type(const std::string& storage_type) {
  if (storage_type == "FloatStorage") return {4, from_float32};
  if (storage_type == "DoubleStorage") return {8, from_float64};
  if (storage_type == "HalfStorage") return {2, from_float16};
  if (storage_type == "BFloat16Storage") return {2, from_bfloat16};
  return {};
}

[[noreturn]] void refuse_legacy(const std::string& path) {
  throw Error(path +
              ": a torch file of the format before torch 1.6, which rnmt does not read; re-save "
              "it in the current one with python3 -c \"import torch; torch.save(torch.load('" +
              path +
              "', map_location='cpu'), 'resaved.pt')\" (where the program that wrote it "
              "is installed) and convert resaved.pt");
}

}  // namespace

TorchCheckpoint::TorchCheckpoint(const std::string& path) {
  {
    std::ifstream in(path, std::ios::binary);
    char head[2] = {};
    in.read(head, 2);
    if (in && static_cast<unsigned char>(head[0]) == 0x80) refuse_legacy(path);  // a pickle
  }
  zip_ = std::make_unique<ZipArchive>(path, "torch checkpoint");
  // The pickle is <name>/data.pkl, where <name> is whatever the saving program chose.
  for (const std::string& n : zip_->names()) {
    const size_t slash = n.find('/');
    if (slash != std::string::npos && n.substr(slash + 1) == "data.pkl") {
      prefix_ = n.substr(0, slash + 1);
      break;
    }
  }
  if (prefix_.empty()) throw Error(path + ": a zip archive without a torch pickle (data.pkl)");
  const std::string byteorder = prefix_ + "byteorder";
  if (zip_->has(byteorder) && zip_->entry(byteorder) != "little")
    throw Error(path + ": its tensors are big-endian; rnmt reads little-endian ones");
  pickle_ = read_pickle(zip_->entry(prefix_ + "data.pkl"), path);
}

TorchCheckpoint::~TorchCheckpoint() = default;

std::vector<float> TorchCheckpoint::floats(const PickleNode& tensor,
                                           const std::string& what) const {
  if (tensor.kind != PickleKind::tensor)
    throw Error(path() + ": " + what + " is a " + pickle_kind_name(tensor.kind) + ", not a tensor");
  const PickleNode& storage = *tensor.items.at(0);
  const ElementType type = element_type(storage.storage_type);
  if (!type.to_float)
    throw Error(path() + ": " + what + " holds " + storage.storage_type +
                " values; rnmt reads float32, float16, bfloat16 and float64 ones");
  const std::string bytes = zip_->entry(prefix_ + "data/" + storage.text);
  const auto stored = static_cast<int64_t>(bytes.size() / type.size);
  // The elements it reads: offset + sum(index_i * stride_i), every one inside the storage.
  int64_t count = 1, last = tensor.offset;
  bool fits = tensor.offset >= 0;
  for (size_t d = 0; d < tensor.shape.size(); ++d) {
    const int64_t n = tensor.shape[d], s = tensor.stride[d];
    fits = fits && n >= 0 && s >= 0 && n < (int64_t{1} << 40) && s < (int64_t{1} << 40);
    if (!fits) break;
    count *= n;
    fits = count < (int64_t{1} << 40);
    if (n > 0) last += (n - 1) * s;
  }
  if (!fits || (count > 0 && last >= stored))
    throw Error(path() + ": " + what + " does not fit in its storage");
  std::vector<float> out(static_cast<size_t>(count));
  std::vector<int64_t> index(tensor.shape.size(), 0);
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = tensor.offset;
    for (size_t d = 0; d < index.size(); ++d) at += index[d] * tensor.stride[d];
    out[static_cast<size_t>(i)] = type.to_float(data + static_cast<size_t>(at) * type.size);
    for (size_t d = index.size(); d-- > 0;) {  // the next index, last dimension fastest
      if (++index[d] < tensor.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace rnmt
