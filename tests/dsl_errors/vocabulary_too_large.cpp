// Token IDs travel as float, exact up to 2^24: a vocabulary of 2^24 + 1 is refused at layer 0.
// expect: vocab must be at most 2\^24
// expect: vocabulary_must_fit_float<0, 16777217, 16777216>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =                                       // <- error
    kiln::network{kiln::tokens<2, 16777217>,                      // <- error
                  kiln::embedding<16777217, 1>, kiln::dense<1>};  // <- error
#else
inline constexpr auto net =
    kiln::network{kiln::tokens<2, 16777216>, kiln::embedding<16777216, 1>, kiln::dense<1>};
#endif
