#pragma once
#include <cstdint>
#include <string>

namespace rnmt {

// An integer spelled out in words by ICU's rule-based number formatter, e.g. 234 in "en":
// "two hundred thirty-four"; in "es": "doscientos treinta y cuatro".
std::string spell_out(int64_t number, const std::string& locale);

struct QuickstartSplits {
  int64_t train = 20000, valid = 500, test = 1000;
  uint64_t seed = 1;
};

// Writes DIR/{train,valid,test}.{en,es}: distinct integers below one million (magnitudes drawn
// evenly, so short and long numbers both appear), no number in two splits.
void write_quickstart_data(const std::string& dir, const QuickstartSplits& splits);

}  // namespace rnmt
