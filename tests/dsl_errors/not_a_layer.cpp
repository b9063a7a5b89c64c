// An element that is not a Kiln layer is named by its position (input = 0): here element 1, 42.
// expect: an element is not a Kiln layer
// expect: element_is_not_a_kiln_layer<1>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net = kiln::network{kiln::input<4>, 42, kiln::dense<1>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<4>, kiln::relu, kiln::dense<1>};
#endif
