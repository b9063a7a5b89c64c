// kiln::compiled<spec, T>: the generated engine of a network, reached through the spec variable
// itself. kiln-gen specializes it in `<spec-stem>.kiln.hpp`; the primary template only explains.
#pragma once

namespace kiln {

namespace detail {
template <const auto&>
inline constexpr bool no_generated_code = false;
}

template <const auto& Spec, class T = float>
struct compiled {
  static_assert(detail::no_generated_code<Spec>,
                "kiln::compiled: no generated code for this network: add it with "
                "kiln_add_network(<target> SPEC <header>) and include <stem>.kiln.hpp");
};

}  // namespace kiln
