// Shared by the libFuzzer targets: the network whose weight files the safetensors and checkpoint
// targets read, and the rule every target checks: a loader either returns or throws its own
// error type; any other exception, crash, leak or undefined behaviour is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <kiln/dsl.hpp>
#include <span>
#include <string_view>

namespace kiln::fuzz {

/// The weight files' network: layer_norm and a bias-free layer give the safetensors reader
/// every kind of tensor (weight [out, in], bias [out], layer_norm weight and bias [n]).
inline constexpr auto net = kiln::network{kiln::input<2>,
                                          kiln::dense<3>,
                                          kiln::tanh,
                                          kiln::layer_norm,
                                          kiln::dense_no_bias<2>,
                                          kiln::softmax,
                                          kiln::softmax_cross_entropy};

inline std::span<const kiln::node> nodes() { return std::span<const kiln::node>(net.nodes); }

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace kiln::fuzz
