#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rnmt/bleu.hpp"

namespace rnmt {

// mteval-v13a tokenisation as sacreBLEU applies it.
std::string tokenize_13a(std::string_view line);

// The score from sufficient statistics (exponential smoothing).
BleuScore bleu_from_stats(const BleuStats& stats);

}  // namespace rnmt
