// numpy's .npy and .npz files (Marian's model format), read as numpy wrote them
// (tests/data/npz/make_arrays.py), and what rnmt refuses in them, by name.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <utility>

#include "convert/npz.hpp"
#include "core/error.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {
const std::string kNpz = std::string(RNMT_TEST_DATA) + "/npz/";
}  // namespace

TEST_CASE("npz arrays read as numpy wrote them", "[convert]") {
  const NpzFile npz(kNpz + "arrays.npz");
  CHECK(npz.names() ==
        std::vector<std::string>{"matrix", "half", "double", "scalar", "special:model.yml"});
  CHECK(npz.has("matrix"));
  CHECK_FALSE(npz.has("absent"));
  const NpyArray matrix = npz.array("matrix");
  CHECK(matrix.type == "f4");
  CHECK(matrix.shape == std::vector<int64_t>{3, 4});
  const std::vector<float> m = npy_floats(matrix, "matrix");
  REQUIRE(m.size() == 12);
  for (size_t i = 0; i < m.size(); ++i) CHECK(m[i] == static_cast<float>(i) / 8);  // row-major
  CHECK(npy_floats(npz.array("half"), "half") ==
        std::vector<float>{1.5f, -2.25f, 65504.0f, 5.9604645e-08f});  // 6e-8: a subnormal half
  CHECK(npy_floats(npz.array("double"), "double") == std::vector<float>{0.1f, 1e-30f});
  // an empty array: no elements, no floats (the fuzzer's find, fuzz/regressions/npy)
  const NpyArray empty =
      read_npy(std::string("\x93NUMPY\x01\x00\x46\x00", 10) +
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 74), }" +
                   std::string(9, ' ') + "\n",
               "empty");
  CHECK(empty.shape == std::vector<int64_t>{0, 74});
  CHECK(npy_floats(empty, "empty").empty());
  // dimensions whose product overflows: too large, found before multiplying (the fuzzer's find)
  CHECK_THROWS_WITH(
      read_npy(std::string("\x93NUMPY\x01\x00\x4e\x00", 10) +
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (4444444444, 4444444444), }" +
                   "\n",
               "huge"),
      Contains("huge: the .npy array is too large"));
  const NpyArray scalar = npz.array("scalar");
  CHECK(scalar.shape.empty());
  CHECK(npy_floats(scalar, "scalar") == std::vector<float>{7.5f});
  CHECK(npz.text("special:model.yml") == "type: s2s\ndim-emb: 16\n");
  CHECK_THROWS_WITH(npz.text("matrix"), Contains("arrays.npz: matrix holds f4 elements, not text"));
  CHECK_THROWS_WITH(npz.array("absent"), Contains("no entry absent.npy"));
}

TEST_CASE("npz files and arrays rnmt cannot read are refused by name", "[convert]") {
  const NpzFile npz(kNpz + "refused.npz");
  CHECK_THROWS_WITH(npz.array("fortran"),
                    Contains("refused.npz: fortran: elements in Fortran order"));
  CHECK_THROWS_WITH(npz.array("big"), Contains("refused.npz: big: big-endian elements (>f4)"));
  CHECK_THROWS_WITH(npy_floats(npz.array("integers"), "integers"),
                    Contains("integers holds i4 elements, not floating-point numbers"));
  CHECK_THROWS_WITH(NpzFile(kNpz + "make_arrays.py"),
                    Contains("make_arrays.py: not a numpy .npz file (a zip archive)"));
  // .npy bytes cut anywhere are refused, never read past
  const std::string whole = std::string("\x93NUMPY\x01\x00", 8) + std::string("\x46\x00", 2) +
                            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" +
                            std::string(12, ' ') + "\n" + std::string(8, '\0');
  CHECK(read_npy(whole, "whole").shape == std::vector<int64_t>{2});
  for (size_t n = 0; n < whole.size(); ++n) {
    INFO(n << " bytes");
    CHECK_THROWS_AS(read_npy(std::string_view(whole).substr(0, n), "cut"), Error);
  }
  CHECK_THROWS_WITH(read_npy(whole + "x", "long"),
                    Contains("long: 9 bytes of elements, not the 8"));
  // versions 2 and 3 give the header's length in 4 bytes: cut within them (the fuzzer's find,
  // fuzz/regressions/npy), refused without reading past the end (the sanitizer suite checks)
  for (size_t n = 10; n < 12; ++n)
    CHECK_THROWS_WITH(read_npy(std::string("\x93NUMPY\x03\x00\x20\x20\x20\x9c", n), "v3"),
                      Contains("v3: the .npy header is cut short"));
}

TEST_CASE("a real Marian model's arrays and configuration are read", "[convert]") {
  // tests/data/marian/make_fixtures.sh: Marian's s2s GRU model, 16-dimensional embeddings, 32
  // units, vocabularies of 26 (vocab.*.yml)
  const NpzFile npz(std::string(RNMT_TEST_DATA) + "/marian/s2s-gru.npz");
  const std::string config = npz.text("special:model.yml");
  for (const char* option : {"type: s2s", "dim-emb: 16", "dim-rnn: 32", "enc-cell: gru",
                             "dec-cell: gru", "dec-cell-base-depth: 2", "enc-type: bidirectional"})
    CHECK(config.find(std::string("\n") + option + "\n") != std::string::npos);
  const std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {"encoder_Wemb", {26, 16}},          {"encoder_bi_W", {16, 64}},
      {"encoder_bi_r_Ux", {32, 32}},       {"decoder_ff_state_W", {64, 32}},
      {"decoder_cell1_U", {32, 64}},       {"decoder_cell2_W", {64, 64}},
      {"decoder_W_comb_att", {32, 64}},    {"decoder_U_att", {64, 1}},
      {"decoder_ff_logit_l2_Wt", {26, 16}}};
  for (const auto& [name, shape] : shapes) {
    INFO(name);
    const NpyArray a = npz.array(name);
    CHECK(a.type == "f4");
    CHECK(a.shape == shape);
    for (const float v : npy_floats(a, name)) CHECK(std::isfinite(v));
  }
}
