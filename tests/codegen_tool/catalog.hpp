// Networks kiln-gen must find: in namespaces, through a type alias and `auto`, as a static
// member; and declarations it must skip. --list is checked against catalog.list.
#pragma once
#include <kiln/dsl.hpp>

namespace catalog {

using small_t = decltype(kiln::network{kiln::input<3>, kiln::dense<4>, kiln::relu, kiln::dense<2>,
                                       kiln::mse});
inline constexpr small_t small{kiln::input<3>, kiln::dense<4>, kiln::relu, kiln::dense<2>,
                               kiln::mse};

namespace deep::inner {
inline constexpr auto blocks =
    kiln::network{kiln::input<4>,
                  kiln::dense<6>,
                  kiln::residual{kiln::dense<6>, kiln::leaky_relu(0.2), kiln::dropout(0.25)},
                  kiln::layer_norm,
                  kiln::dense<3>,
                  kiln::softmax,
                  kiln::softmax_cross_entropy};
}

struct holder {
  static constexpr auto member =
      kiln::network{kiln::input<2>, kiln::dense_no_bias<3>, kiln::elu(0.5),
                    kiln::dense<1>, kiln::sigmoid,          kiln::binary_cross_entropy};
};

// Not networks: skipped.
inline constexpr int width = 4;
inline constexpr const small_t& alias_of_small = small;
inline int local_parameters() {
  static constexpr auto local = kiln::network{kiln::input<1>, kiln::dense<1>};  // unnamable
  return local.param_count;
}

}  // namespace catalog
