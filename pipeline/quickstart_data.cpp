#include "pipeline/quickstart_data.hpp"

#include <unicode/rbnf.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/rng.hpp"

namespace rnmt {

std::string spell_out(int64_t number, const std::string& locale) {
  UErrorCode status = U_ZERO_ERROR;
  icu::RuleBasedNumberFormat format(icu::URBNF_SPELLOUT, icu::Locale(locale.c_str()), status);
  if (U_FAILURE(status)) throw Error("ICU has no spell-out rules for '" + locale + "'");
  icu::UnicodeString text;
  format.format(static_cast<int64_t>(number), text);
  std::string out;
  text.toUTF8String(out);
  return out;
}

void write_quickstart_data(const std::string& dir, const QuickstartSplits& splits) {
  const int64_t total = splits.train + splits.valid + splits.test;
  if (total > 900000) throw Error("quickstart data: at most 900,000 numbers");
  Rng rng(splits.seed);
  std::unordered_set<int64_t> seen;
  std::vector<int64_t> numbers;
  while (static_cast<int64_t>(numbers.size()) < total) {
    // 1 to 6 digits, equally likely, then uniform within that range
    const int digits = 1 + static_cast<int>(rng.below(6));
    int64_t low = 1;
    for (int d = 1; d < digits; ++d) low *= 10;
    const int64_t n =
        (digits == 1 ? 0 : low) +
        static_cast<int64_t>(rng.below(static_cast<uint64_t>(digits == 1 ? 10 : 9 * low)));
    if (seen.insert(n).second) numbers.push_back(n);
  }
  std::filesystem::create_directories(dir);
  UErrorCode status = U_ZERO_ERROR;
  icu::RuleBasedNumberFormat english(icu::URBNF_SPELLOUT, icu::Locale("en"), status);
  icu::RuleBasedNumberFormat spanish(icu::URBNF_SPELLOUT, icu::Locale("es"), status);
  if (U_FAILURE(status)) throw Error("ICU spell-out rules for en/es are unavailable");
  size_t next = 0;
  for (const auto& [name, count] : {std::pair<const char*, int64_t>{"test", splits.test},
                                    {"valid", splits.valid},
                                    {"train", splits.train}}) {
    // Each file written atomically, the target side last: a run killed part-way leaves a split
    // missing (and `rnmt run` makes the data again), never half a split.
    std::string en, es;
    for (int64_t i = 0; i < count; ++i, ++next) {
      icu::UnicodeString e, s;
      english.format(static_cast<int64_t>(numbers[next]), e);
      spanish.format(static_cast<int64_t>(numbers[next]), s);
      e.toUTF8String(en) += '\n';
      s.toUTF8String(es) += '\n';
    }
    const std::string base = dir + "/" + name;
    write_file_atomically(base + ".en", en);
    write_file_atomically(base + ".es", es);
  }
}

}  // namespace rnmt
