#pragma once
// A zip archive read with Debian's libzip: the container of the files torch.save writes and of
// numpy's .npz files (Marian's models).
#include <memory>
#include <string>
#include <vector>

struct zip;

namespace rnmt {

class ZipArchive {
 public:
  // Opens `path`; an Error "PATH: not a KIND (a zip archive): why" when it cannot.
  ZipArchive(const std::string& path, const std::string& kind);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::string& path() const { return path_; }
  std::vector<std::string> names() const;  // its entries, in the archive's order
  bool has(const std::string& name) const;
  std::string entry(const std::string& name) const;  // an entry's bytes; an Error when damaged

 private:
  std::string path_;
  struct Closer {
    void operator()(zip* archive) const;
  };
  std::unique_ptr<zip, Closer> zip_;
};

}  // namespace rnmt
