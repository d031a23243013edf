// Attention against the plain reference for every type, gradients (memory, queries, weights)
// against finite differences, and step-by-step use equal to the whole sequence at once.
#include <catch2/catch.hpp>

#include <cstring>

#include "attention/attention.hpp"
#include "gradcheck.hpp"
#include "reference/attention_reference.hpp"

using namespace rnmt;

namespace {

constexpr int64_t S = 4, N = 3, T = 3, M = 6;
const std::vector<int32_t> kLengths = {4, 2, 3};

struct Fixture {
  AttentionType type;
  int64_t Q;
  ParamSet params;
  Attention attention;
  Param& memory;
  Param& query;
  Fixture(AttentionType t)
      : type(t),
        Q(t == AttentionType::dot ? M : 5),
        attention(params, "att", t, Q, M),
        memory(params.add("memory", {S, N, M})),
        query(params.add("query", {T, N, Q})) {
    params.allocate();
    Rng rng(21);
    for (Param& p : params.params()) {
      for (size_t i = 0; i < p.size; ++i) p.w[i] = rng.uniform(-1, 1);
    }
  }
  const float* weight(const char* name) {
    for (Param& p : params.params()) {
      if (p.name == std::string("att.") + name) return p.w;
    }
    return nullptr;
  }
};

std::string type_name(AttentionType t) {
  const char* names[] = {"none", "dot", "general", "additive"};
  return names[static_cast<int>(t)];
}

}  // namespace

TEST_CASE("attention matches the plain reference, masked at source padding",
          "[attention][reference]") {
  const auto type = GENERATE(AttentionType::none, AttentionType::dot, AttentionType::general,
                             AttentionType::additive);
  INFO("attention " << type_name(type));
  Fixture f(type);
  std::vector<float> out(static_cast<size_t>(T * N * f.Q));
  f.attention.begin(S, N, T, f.memory.w, kLengths.data());
  f.attention.forward(0, T, f.query.w, out.data());
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t n = 0; n < N; ++n) {
      std::vector<const float*> rows;
      for (int64_t s = 0; s < kLengths[static_cast<size_t>(n)]; ++s)
        rows.push_back(f.memory.w + (s * N + n) * M);
      std::vector<double> probs;
      auto expected =
          reference::attend(type, f.query.w + (t * N + n) * f.Q, f.Q, rows, M,
                            f.weight("W_a.weight"), f.weight("W_k.weight"), f.weight("W_k.bias"),
                            f.weight("W_q.weight"), f.weight("v"), f.weight("W_c.weight"), probs);
      for (int64_t j = 0; j < f.Q; ++j) {
        CHECK(out[static_cast<size_t>((t * N + n) * f.Q + j)] ==
              Approx(expected[static_cast<size_t>(j)]).margin(1e-5));
      }
      if (type == AttentionType::none) continue;
      const float* w = f.attention.weights().data() + (t * N + n) * S;
      for (int64_t s = 0; s < S; ++s) {
        const double p = s < kLengths[static_cast<size_t>(n)] ? probs[static_cast<size_t>(s)] : 0.0;
        CHECK(w[s] == Approx(p).margin(1e-6));
      }
    }
  }
}

TEST_CASE("attention gradients, whole sequence and step by step", "[attention][gradients]") {
  const auto type = GENERATE(AttentionType::none, AttentionType::dot, AttentionType::general,
                             AttentionType::additive);
  const bool stepwise = GENERATE(false, true);
  INFO("attention " << type_name(type) << (stepwise ? " stepwise" : " whole"));
  Fixture f(type);
  std::vector<float> out(static_cast<size_t>(T * N * f.Q)), r(out.size());
  Rng rng(22);
  for (auto& x : r) x = rng.uniform(-1, 1);
  auto run = [&] {
    f.attention.begin(S, N, T, f.memory.w, kLengths.data());
    if (stepwise) {
      for (int64_t t = 0; t < T; ++t)
        f.attention.forward(t, 1, f.query.w + t * N * f.Q, out.data() + t * N * f.Q);
    } else {
      f.attention.forward(0, T, f.query.w, out.data());
    }
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += static_cast<double>(r[i]) * out[i];
    return s;
  };
  test::check_gradients(f.params, run, [&] {
    f.params.zero_grads();
    run();
    if (stepwise) {
      for (int64_t t = T - 1; t >= 0; --t) {
        f.attention.backward(t, 1, r.data() + t * N * f.Q, f.query.g + t * N * f.Q);
      }
    } else {
      f.attention.backward(0, T, r.data(), f.query.g);
    }
    const Tensor& dm = f.attention.finish_backward();
    std::memcpy(f.memory.g, dm.data(), sizeof(float) * dm.size());
  });
}

TEST_CASE("dot attention refuses mismatched sizes", "[attention]") {
  ParamSet params;
  REQUIRE_THROWS_WITH(Attention(params, "att", AttentionType::dot, 5, 6),
                      Catch::Contains("dot attention needs"));
  REQUIRE_THROWS_WITH(parse_enum(kAttentionTypeNames, "luong", "attention type"),
                      Catch::Contains("unknown attention type 'luong'"));
}
