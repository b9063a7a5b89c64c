// A layer without a hyperparameter refuses one.
// expect: this layer takes no hyperparameter
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::relu(0.1)};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::leaky_relu(0.1)};
#endif
