#pragma once
#include <fstream>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace rnmt {

// A file opened for reading. A missing or unreadable file, or a directory, is an Error naming it,
// with `what` (the kind of file: "recipe", "model", ...) before its path when given:
// "cannot open model 'x'", "recipe 'd/' is a directory, not a file".
std::ifstream open_input_file(const std::string& path, const std::string& what = "");

// The whole of a file's bytes, with open_input_file's errors.
std::string read_whole_file(const std::string& path, const std::string& what);

// std::getline for text files from anywhere: a line ending in CR LF is read as ending in LF (the CR
// is dropped); a CR elsewhere is an ordinary character. Every command reads its lines this way.
bool read_text_line(std::istream& in, std::string& line);

// Replaces `path` with `bytes` so that a crash at any moment leaves either the old file or the new
// one, never a mix: a temporary file beside it ("PATH.tmp"), flushed to disk (fsync), renamed over
// it. A failed write (full disk, file-size limit) removes the temporary file and is an Error with
// the system's reason; the old file stays as it was. A special file (see below) is written in
// place.
void write_file_atomically(const std::string& path, std::string_view bytes);
// The same for a file made of several pieces in order, written from where they are (a checkpoint
// is written without first gathering its hundreds of megabytes into one string).
void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces);

// A file as stage fingerprints know it: "PATH:SIZE:MODIFIED" (PATH:missing when absent), so that a
// changed file changes what depends on it.
std::string file_identity(const std::string& path);

// Whether `path` (links followed) exists and is neither a regular file nor a directory: a device
// such as /dev/null, a FIFO or a socket. Outputs write such files in place: renaming a finished
// file over one would replace it (as root, /dev/null itself).
bool is_special_file(const std::string& path);

}  // namespace rnmt
