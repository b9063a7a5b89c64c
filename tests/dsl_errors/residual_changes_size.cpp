// A residual body must end with the size it starts with: layer 2 (the residual) takes 4 values
// and its body outputs 8.
// expect: a residual body must output as many values as the block takes in
// expect: residual_body_must_keep_its_size<2, 8, 4>
#include <kiln/dsl.hpp>

#ifdef KILN_MUST_FAIL
inline constexpr auto net =                                                // <- error
    kiln::network{kiln::input<2>, kiln::dense<4>,                          // <- error
                  kiln::residual{kiln::dense<8>, kiln::relu}, kiln::mse};  // <- error
#else
inline constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<4>,
                                          kiln::residual{kiln::dense<4>, kiln::relu}, kiln::mse};
#endif
