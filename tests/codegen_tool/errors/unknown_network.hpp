// <- error: --network names a network the spec does not declare.
// args: --network=specs::missing
// expect: error: kiln-gen: no kiln::network named 'specs::missing' in this spec \(it declares
// specs::present\)
#pragma once
#include <kiln/dsl.hpp>

namespace specs {
inline constexpr auto present = kiln::network{kiln::input<2>, kiln::dense<1>, kiln::mse};
}
