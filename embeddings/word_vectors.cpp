#include "embeddings/word_vectors.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>

#include "core/error.hpp"
#include "core/files.hpp"

namespace rnmt {
namespace {

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > begin) fields.push_back(line.substr(begin, i - begin));
  }
  return fields;
}

bool parse_integer(std::string_view text, int64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// "count dimension": a word2vec header.
bool parse_header(std::string_view line, int64_t& count, int64_t& dimension) {
  const auto fields = split_spaces(line);
  return fields.size() == 2 && parse_integer(fields[0], count) &&
         parse_integer(fields[1], dimension) && count >= 0 && dimension > 0;
}

// 'text', for messages (one append at a time: GCC 12 warns wrongly about "'" + std::string).
std::string quoted(std::string_view text) {
  std::string out = "'";
  out.append(text);
  out += '\'';
  return out;
}

struct Reader {
  const std::string& path;
  WordVectors& out;

  [[noreturn]] void fail(int64_t line, const std::string& what) const {
    throw Error(path + ":" + std::to_string(line) + ": " + what);
  }

  void add(std::string word, const float* values, int64_t line) {
    for (int64_t d = 0; d < out.dimension; ++d) {
      if (!std::isfinite(values[d]))
        fail(line, "value " + std::to_string(d + 1) + " of '" + word + "' is not finite");
    }
    out.rows.emplace(word, static_cast<int64_t>(out.words.size()));
    out.words.push_back(std::move(word));
    out.values.insert(out.values.end(), values, values + out.dimension);
  }

  // One "word v1 .. vD" line; the first one fixes D when it is not known yet.
  void text_line(std::string_view line, int64_t number, std::vector<float>& row) {
    const auto fields = split_spaces(line);
    if (fields.empty()) fail(number, "an empty line");
    const auto values = static_cast<int64_t>(fields.size()) - 1;
    if (out.dimension == 0) {
      if (values == 0) fail(number, "a word without values");
      out.dimension = values;
    }
    if (values != out.dimension) {
      fail(number, "expected " + std::to_string(out.dimension) + " values after '" +
                       std::string(fields[0]) + "', found " + std::to_string(values));
    }
    row.resize(static_cast<size_t>(values));
    for (int64_t d = 0; d < values; ++d) {
      const std::string_view f = fields[static_cast<size_t>(d + 1)];
      const auto [end, error] = std::from_chars(f.data(), f.data() + f.size(), row[d]);
      if (error != std::errc() || end != f.data() + f.size())
        fail(number, quoted(f) + " is not a number");
    }
    add(std::string(fields[0]), row.data(), number);
  }
};

// Whether what follows a word2vec header is text lines: binary records hold raw float bytes, which
// are never a whole line of D numbers. `sample` is the start of the body.
bool looks_like_text(const std::string& sample, int64_t dimension) {
  const size_t end = sample.find('\n');
  if (end == std::string::npos) return sample.empty();
  std::string_view line = std::string_view(sample).substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a CR LF file
  const auto fields = split_spaces(line);
  if (static_cast<int64_t>(fields.size()) != dimension + 1) return false;
  float value = 0;
  for (size_t i = 1; i < fields.size(); ++i) {
    const auto [stop, error] =
        std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), value);
    if (error != std::errc() || stop != fields[i].data() + fields[i].size()) return false;
  }
  return true;
}

// Records after the header: "word " then D float32 values, each record perhaps after a newline.
void read_binary(std::istream& in, int64_t count, Reader& reader) {
  std::vector<float> row(static_cast<size_t>(reader.out.dimension));
  const auto row_bytes = static_cast<std::streamsize>(row.size() * sizeof(float));
  std::string word;
  for (int64_t record = 1; record <= count; ++record) {
    word.clear();
    int c;
    while ((c = in.get()) == '\n' || c == ' ') {
    }
    for (; c != EOF && c != ' '; c = in.get()) word.push_back(static_cast<char>(c));
    if (word.empty() || c == EOF)
      reader.fail(record + 1, "record " + std::to_string(record) + " has no word and vector");
    if (!in.read(reinterpret_cast<char*>(row.data()), row_bytes))  // little-endian, as written
      reader.fail(record + 1, "the vector of record " + std::to_string(record) + " ends early");
    reader.add(word, row.data(), record + 1);
  }
  int c;
  while ((c = in.get()) == '\n' || c == ' ') {
  }
  if (c != EOF) reader.fail(count + 2, "more records than the header's " + std::to_string(count));
}

}  // namespace

WordVectors read_word_vectors(const std::string& path, WordVectorFormat format) {
  std::ifstream in = open_input_file(path, "word vectors");
  WordVectors out;
  Reader reader{path, out};
  std::string line;
  if (!read_text_line(in, line)) throw Error(path + ": no word vectors");
  int64_t count = 0, dimension = 0;
  const bool header = parse_header(line, count, dimension);
  if (format == WordVectorFormat::word2vec && !header)
    reader.fail(1, "expected a word2vec header 'count dimension'");
  if (format == WordVectorFormat::glove && header)
    reader.fail(1, "a 'count dimension' header: this is a word2vec file, not GloVe");
  std::vector<float> row;
  int64_t number = 1;
  if (header) {
    out.dimension = dimension;
    const std::streampos body = in.tellg();
    std::string sample(size_t{1} << 16, '\0');
    in.read(sample.data(), static_cast<std::streamsize>(sample.size()));
    sample.resize(static_cast<size_t>(in.gcount()));
    in.clear();
    in.seekg(body);
    if (!looks_like_text(sample, dimension)) {
      read_binary(in, count, reader);
      return out;
    }
  } else {
    reader.text_line(line, number, row);
  }
  while (read_text_line(in, line)) reader.text_line(line, ++number, row);
  if (header && static_cast<int64_t>(out.words.size()) != count) {
    throw Error(path + ": the header announces " + std::to_string(count) +
                " vectors, the file has " + std::to_string(out.words.size()));
  }
  if (out.words.empty()) throw Error(path + ": no word vectors");
  return out;
}

}  // namespace rnmt
