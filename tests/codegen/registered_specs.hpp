// Test networks: every layer kind of kiln::registered_layers with every loss of
// kiln::registered_losses, so a kind registered tomorrow gets generated code and a comparison
// against the generic engine without new test code.
#pragma once

#include <boost/hana/at.hpp>
#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/size.hpp>
#include <boost/hana/unpack.hpp>
#include <kiln/dsl.hpp>

namespace kiln_test {

/// The activation each loss expects in front of it (any for mse).
template <kiln::kind K>
constexpr auto head(kiln::loss_t<K>) {
  if constexpr (K == kiln::kind::softmax_cross_entropy)
    return kiln::softmax;
  else if constexpr (K == kiln::kind::binary_cross_entropy)
    return kiln::sigmoid;
  else
    return kiln::tanh;
}

inline constexpr int registered_layer_count =
    decltype(kiln::hana::size(kiln::registered_layers))::value;
inline constexpr int registered_loss_count =
    decltype(kiln::hana::size(kiln::registered_losses))::value;
inline constexpr int registered_front_count =
    decltype(kiln::hana::size(kiln::registered_fronts))::value;

/// Registered layer I between dense layers, then registered loss L.
template <int I, int L>
inline constexpr auto registered_net =
    kiln::network{kiln::input<4>,
                  kiln::dense<4>,
                  kiln::hana::at_c<I>(kiln::registered_layers),
                  kiln::dense<3>,
                  head(kiln::hana::at_c<L>(kiln::registered_losses)),
                  kiln::hana::at_c<L>(kiln::registered_losses)};

/// Registered front F (token IDs and their embedding, ...), a dense layer, then registered loss L.
template <int F, int L>
inline constexpr auto registered_front_net = kiln::hana::unpack(
    kiln::hana::concat(kiln::hana::at_c<F>(kiln::registered_fronts),
                       kiln::hana::make_tuple(kiln::dense<3>,
                                              head(kiln::hana::at_c<L>(kiln::registered_losses)),
                                              kiln::hana::at_c<L>(kiln::registered_losses))),
    [](auto... layers) { return kiln::network{layers...}; });

}  // namespace kiln_test
