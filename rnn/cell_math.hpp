#pragma once
// One step of rnmt's recurrent cells in plain C++, in oneDNN's conventions (gate order, the GRU's
// linear-before-reset form): the maths that the inspection's recomputation (inspect/) and the
// tests' reference (tests/reference/) share, in float or double.
#include <cmath>

namespace rnmt::cell_math {

template <class T>
T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

// LSTM from the gates' pre-activations (input and recurrent parts and bias summed):
//   i, f, o = σ(·), c̃ = tanh(·), c = f ⊙ c_prev + i ⊙ c̃, h = o ⊙ tanh(c).
template <class T>
struct LstmStep {
  T i, f, g, o;  // input, forget, candidate, output gates
  T c, h;        // new cell and hidden states
};

template <class T>
LstmStep<T> lstm_step(T pre_i, T pre_f, T pre_g, T pre_o, T c_prev) {
  LstmStep<T> s;
  s.i = sigmoid(pre_i);
  s.f = sigmoid(pre_f);
  s.g = std::tanh(pre_g);
  s.o = sigmoid(pre_o);
  s.c = s.f * c_prev + s.i * s.g;
  s.h = s.o * std::tanh(s.c);
  return s;
}

// Linear-before-reset GRU: u, r = σ(·); o = tanh(input part of o + r ⊙ recurrent part of o, the
// latter with its own bias b[3]); h = u ⊙ h_prev + (1 - u) ⊙ o.
template <class T>
struct GruStep {
  T u, r, o;  // update, reset and candidate gates
  T h;        // new hidden state
};

template <class T>
GruStep<T> gru_step(T pre_u, T pre_r, T input_o, T recurrent_o, T h_prev) {
  GruStep<T> s;
  s.u = sigmoid(pre_u);
  s.r = sigmoid(pre_r);
  s.o = std::tanh(input_o + s.r * recurrent_o);
  s.h = s.u * h_prev + (T(1) - s.u) * s.o;
  return s;
}

}  // namespace rnmt::cell_math
