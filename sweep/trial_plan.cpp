#include "sweep/trial_plan.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace rnmt {
namespace {

constexpr size_t kMaxGridTrials = 10000;

// Uniform in [0, 1) with 53 random bits: a range's draws must not repeat at float resolution.
double uniform_double(Rng& rng) {
  return static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0);
}

// Four significant digits: what a table shows, and exactly the value the trial runs with.
std::string real_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

std::string draw(const Dimension& d, Rng& rng) {
  const double u = uniform_double(rng);
  switch (d.distribution) {
    case Distribution::list:
      return d.values[rng.below(d.values.size())];
    case Distribution::uniform:
      return real_text(std::min(d.high, d.low + (d.high - d.low) * u));
    case Distribution::log_uniform:
      return real_text(
          std::min(d.high, std::exp(std::log(d.low) + (std::log(d.high) - std::log(d.low)) * u)));
    case Distribution::int_uniform:
      return std::to_string(
          static_cast<long long>(d.low) +
          static_cast<long long>(rng.below(static_cast<uint64_t>(d.high - d.low) + 1)));
    case Distribution::int_log_uniform: {
      // uniform in log space over [low, high + 1), then down to a whole number
      const double x = std::exp(std::log(d.low) + (std::log(d.high + 1) - std::log(d.low)) * u);
      return std::to_string(static_cast<long long>(std::min(d.high, std::floor(x))));
    }
  }
  return "";
}

}  // namespace

std::vector<TrialSettings> grid_trials(const SearchSpace& space) {
  size_t total = 1;
  for (const Dimension& d : space.dimensions) {
    if (d.distribution != Distribution::list) {
      throw Error(where(space, d) + "a grid takes lists of values; a " +
                  enum_name(kDistributionNames, d.distribution) + " range needs --strategy random");
    }
    total *= d.values.size();
    if (total > kMaxGridTrials)
      throw Error(space.path + ": the grid has more than " + std::to_string(kMaxGridTrials) +
                  " combinations; use --strategy random with --trials");
  }
  std::vector<TrialSettings> trials;
  trials.reserve(total);
  std::vector<size_t> digit(space.dimensions.size(), 0);  // a mixed-radix counter
  for (size_t t = 0; t < total; ++t) {
    TrialSettings settings;
    for (size_t k = 0; k < digit.size(); ++k)
      settings.push_back(space.dimensions[k].values[digit[k]]);
    trials.push_back(std::move(settings));
    for (size_t k = digit.size(); k-- > 0;) {  // the last key varies fastest
      if (++digit[k] < space.dimensions[k].values.size()) break;
      digit[k] = 0;
    }
  }
  return trials;
}

std::vector<TrialSettings> random_trials(const SearchSpace& space, int64_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<TrialSettings> trials;
  std::set<TrialSettings> seen;
  // A small space of lists runs out of new combinations: stop drawing after many repeats.
  for (int64_t attempt = 0; static_cast<int64_t>(trials.size()) < count && attempt < 100 * count;
       ++attempt) {
    TrialSettings settings;
    for (const Dimension& d : space.dimensions) settings.push_back(draw(d, rng));
    if (seen.insert(settings).second) trials.push_back(std::move(settings));
  }
  return trials;
}

std::vector<std::string> trial_overrides(const SearchSpace& space, const TrialSettings& settings) {
  std::vector<std::string> overrides;
  for (size_t k = 0; k < settings.size(); ++k)
    overrides.push_back(space.dimensions[k].key + "=" + settings[k]);
  return overrides;
}

}  // namespace rnmt
