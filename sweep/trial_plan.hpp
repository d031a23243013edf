#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "sweep/search_space.hpp"

namespace rnmt {

// How a sweep chooses its trials: every combination of the listed values, or `trials` settings
// drawn at random (reproducibly from a seed).
enum class TrialSampling { grid, random };
inline constexpr EnumName<TrialSampling> kTrialSamplingNames[] = {
    {TrialSampling::grid, "grid"}, {TrialSampling::random, "random"}};

// One trial's settings: a value for each of the space's dimensions, in the space's order, spelt as
// a recipe would spell it.
using TrialSettings = std::vector<std::string>;

// Every combination of the space's lists, the first key varying slowest (as nested loops would).
// A range, or a grid of more than 10,000 trials, is an Error naming the file and line.
std::vector<TrialSettings> grid_trials(const SearchSpace& space);

// `count` distinct settings drawn from the space with a seeded generator: the same seed gives the
// same trials on any machine. A space of lists with fewer combinations than `count` gives them all.
std::vector<TrialSettings> random_trials(const SearchSpace& space, int64_t count, uint64_t seed);

// The trial's settings as `rnmt run --set` overrides: "model.dropout=0.3".
std::vector<std::string> trial_overrides(const SearchSpace& space, const TrialSettings& settings);

}  // namespace rnmt
