// The engine the examples run: the generated one (kiln::compiled) when kiln-gen built the
// example's networks (KILN_GENERATED), else the generic engine. The one place to switch.
#pragma once

#include <kiln/compiled.hpp>
#include <kiln/generic.hpp>
#include <kiln/init.hpp>
#include <span>
#include <vector>

#ifndef KILN_GENERATED
#define KILN_GENERATED 0
#endif

namespace examples {

inline constexpr bool generated = KILN_GENERATED != 0;
inline constexpr const char* engine_name = generated ? "generated" : "generic";

/// The engine for network `Spec` in precision T: `const auto engine = examples::engine<spirals>();`
/// (the program includes the spec's `.kiln.hpp` when KILN_GENERATED).
template <const auto& Spec, class T = float>
auto engine() {
  if constexpr (generated)
    return kiln::compiled<Spec, T>{};
  else
    return kiln::generic<T>(Spec);
}

/// The flattened graph of `Spec`: what initialization and the gradient-flow report walk.
template <const auto& Spec>
std::span<const kiln::node> nodes() {
  return {Spec.nodes.data(), Spec.nodes.size()};
}

/// Initial parameters of `Spec` in the flat layout every engine shares.
template <const auto& Spec, class T = float>
std::vector<T> initial_params(kiln::init_scheme scheme, std::uint64_t seed) {
  std::vector<T> p(std::remove_cvref_t<decltype(Spec)>::param_count);
  kiln::initialize<T>(p, nodes<Spec>(), scheme, seed);
  return p;
}

}  // namespace examples
