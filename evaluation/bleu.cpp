#include "evaluation/bleu.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "core/error.hpp"

namespace rnmt {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// 13a's first rule: {|}~ [\]^_` space!"#$%& ()*+ :;<=>?@ and / become separate tokens.
bool is_13a_punctuation(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) ||
         (u >= 0x28 && u <= 0x2B) || (u >= 0x3A && u <= 0x40) || u == 0x2F;
}

// re.sub for a two-character pattern (first, second) -> replacement built from them: leftmost
// matches, non-overlapping, scanning on after each match. Byte-wise equals Python's code-point-wise
// here because every class tested on its own is ASCII.
template <class First, class Second, class Emit>
std::string substitute_pairs(const std::string& s, First first, Second second, Emit emit) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      emit(out, s[i], s[i + 1]);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) words.emplace_back(s, start, i - start);
  }
  return words;
}

using NgramCounts = std::unordered_map<std::string, int64_t>;

NgramCounts ngrams(const std::vector<std::string>& words) {
  NgramCounts counts;
  for (size_t n = 1; n <= 4; ++n) {
    for (size_t i = 0; i + n <= words.size(); ++i) {
      std::string key = std::to_string(n);
      for (size_t k = i; k < i + n; ++k) key.append(1, '\x1f').append(words[k]);
      ++counts[key];
    }
  }
  return counts;
}

}  // namespace

std::string tokenize_13a(std::string_view input) {
  std::string line(input);
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  std::string padded = " ";
  for (char c : line) {
    if (is_13a_punctuation(c)) {
      padded.append(1, ' ').append(1, c).append(1, ' ');
    } else {
      padded += c;
    }
  }
  padded += ' ';
  auto period_comma = [](char c) { return c == '.' || c == ','; };
  auto not_digit = [](char c) { return !is_digit(c); };
  // ([^0-9])([\.,]) -> "\1 \2 ";  ([\.,])([^0-9]) -> " \1 \2";  ([0-9])(-) -> "\1 \2 "
  std::string s =
      substitute_pairs(padded, not_digit, period_comma, [](std::string& o, char a, char b) {
        o.append(1, a).append(1, ' ').append(1, b).append(1, ' ');
      });
  s = substitute_pairs(s, period_comma, not_digit, [](std::string& o, char a, char b) {
    o.append(1, ' ').append(1, a).append(1, ' ').append(1, b);
  });
  s = substitute_pairs(
      s, is_digit, [](char c) { return c == '-'; },
      [](std::string& o, char a, char b) {
        o.append(1, a).append(1, ' ').append(1, b).append(1, ' ');
      });
  std::string out;
  for (const auto& w : split_words(s)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

BleuScore bleu_from_stats(const BleuStats& st) {
  BleuScore r;
  r.stats = st;
  double smooth = 1.0;
  for (int n = 0; n < 4; ++n) {
    if (st.totals[n] == 0) break;
    if (st.matches[n] == 0) {
      smooth *= 2;
      r.precisions[n] = 100.0 / (smooth * static_cast<double>(st.totals[n]));
    } else {
      r.precisions[n] =
          100.0 * static_cast<double>(st.matches[n]) / static_cast<double>(st.totals[n]);
    }
  }
  const double sys = static_cast<double>(st.hyp_len), ref = static_cast<double>(st.ref_len);
  r.brevity_penalty = sys >= ref ? 1.0 : (sys == 0 ? 0.0 : std::exp(1.0 - ref / sys));
  double log_sum = 0;
  for (double p : r.precisions) log_sum += p > 0 ? std::log(p) : -9999999999.0;
  r.score = r.brevity_penalty * std::exp(log_sum / 4);
  return r;
}

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references,
                      BleuTokenize tokenize) {
  if (references.empty()) throw Error("BLEU needs at least one reference");
  for (size_t r = 0; r < references.size(); ++r) {
    if (references[r].size() != hypotheses.size()) {
      throw Error("BLEU: reference set " + std::to_string(r + 1) + " has " +
                  std::to_string(references[r].size()) + " lines, the hypotheses " +
                  std::to_string(hypotheses.size()));
    }
  }
  auto words_of = [&](const std::string& line) {
    return split_words(tokenize == BleuTokenize::t13a ? tokenize_13a(line) : line);
  };
  BleuStats st;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const auto hyp = words_of(hypotheses[i]);
    const auto hyp_len = static_cast<int64_t>(hyp.size());
    NgramCounts max_ref;
    int64_t closest = -1;
    for (const auto& ref_set : references) {
      const auto ref = words_of(ref_set[i]);
      const auto len = static_cast<int64_t>(ref.size());
      const int64_t diff = std::llabs(len - hyp_len);
      if (closest < 0 || diff < std::llabs(closest - hyp_len) ||
          (diff == std::llabs(closest - hyp_len) && len < closest)) {
        closest = len;
      }
      for (const auto& [gram, c] : ngrams(ref)) {
        auto& m = max_ref[gram];
        if (c > m) m = c;
      }
    }
    st.hyp_len += hyp_len;
    st.ref_len += closest;
    for (const auto& [gram, c] : ngrams(hyp)) {
      const int n = gram[0] - '1';
      st.totals[n] += c;
      auto it = max_ref.find(gram);
      if (it != max_ref.end()) st.matches[n] += std::min(c, it->second);
    }
  }
  BleuScore r = bleu_from_stats(st);
  r.references = static_cast<int64_t>(references.size());
  r.tokenize = tokenize;
  return r;
}

std::string BleuScore::format() const {
  char buffer[256];
  const double ratio = stats.ref_len > 0
                           ? static_cast<double>(stats.hyp_len) / static_cast<double>(stats.ref_len)
                           : 0.0;
  std::snprintf(
      buffer, sizeof buffer,
      "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld ref_len = %lld)",
      score, precisions[0], precisions[1], precisions[2], precisions[3], brevity_penalty, ratio,
      static_cast<long long>(stats.hyp_len), static_cast<long long>(stats.ref_len));
  return buffer;
}

std::string BleuScore::signature() const {
  return "nrefs:" + std::to_string(references) +
         "|case:mixed|eff:no|tok:" + (tokenize == BleuTokenize::t13a ? "13a" : "none") +
         "|smooth:exp|version:2.0.0";
}

}  // namespace rnmt
