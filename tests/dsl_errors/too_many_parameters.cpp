// A parameter count that does not fit in an int is refused, naming the layer and the count:
// layer 2 (dense) brings the total to 4 * 100000 + 100000 + 100000 * 100000 + 100000.
// expect: too many parameters
// expect: parameter_count_must_fit_in_int<2, kiln::kind::dense, 10000600000>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =
    kiln::network{kiln::input<4>, kiln::dense<100000>, kiln::dense<100000>};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<4>, kiln::dense<100000>, kiln::dense<100>};
#endif
