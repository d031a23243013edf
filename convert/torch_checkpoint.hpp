#pragma once
// A file torch.save wrote (torch 1.6 and later): a zip archive (read with libzip) of a pickle,
// `<name>/data.pkl`, and one entry per tensor storage, `<name>/data/<key>`, raw little-endian.
// Files of older torch versions (a bare pickle stream) are refused with how to re-save them.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convert/pickle.hpp"
#include "convert/zip_archive.hpp"

namespace rnmt {

class TorchCheckpoint {
 public:
  // Opens `path` and reads its pickle; an Error naming the path when it is not such a file.
  explicit TorchCheckpoint(const std::string& path);
  ~TorchCheckpoint();
  TorchCheckpoint(const TorchCheckpoint&) = delete;
  TorchCheckpoint& operator=(const TorchCheckpoint&) = delete;

  const std::string& path() const { return zip_->path(); }
  const PickleNode& root() const { return *pickle_.root; }

  // A tensor's values as float32 in row-major order of its shape (float32, float16, bfloat16
  // and float64 storages); an Error naming `what` for anything else or a tensor that does not
  // fit in its storage.
  std::vector<float> floats(const PickleNode& tensor, const std::string& what) const;

 private:
  std::string prefix_;  // the archive's top folder, with its '/'
  std::unique_ptr<ZipArchive> zip_;
  Pickle pickle_;
};

}  // namespace rnmt
