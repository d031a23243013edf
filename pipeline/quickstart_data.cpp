#include "pipeline/quickstart_data.hpp"

#include <unicode/rbnf.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
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
    // Written to temporary names and renamed, so an interrupted run never leaves half a split.
    const std::string base = dir + "/" + name;
    std::ofstream en(base + ".en.tmp"), es(base + ".es.tmp");
    if (!en || !es) throw Error("cannot write quickstart data into '" + dir + "'");
    for (int64_t i = 0; i < count; ++i, ++next) {
      icu::UnicodeString e, s;
      english.format(static_cast<int64_t>(numbers[next]), e);
      spanish.format(static_cast<int64_t>(numbers[next]), s);
      std::string eu, su;
      en << e.toUTF8String(eu) << '\n';
      es << s.toUTF8String(su) << '\n';
    }
    en.close();
    es.close();
    std::filesystem::rename(base + ".en.tmp", base + ".en");
    std::filesystem::rename(base + ".es.tmp", base + ".es");
  }
}

}  // namespace rnmt
