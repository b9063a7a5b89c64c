// kiln_add_network inside the Kiln tree: every network kiln-gen finds in catalog.hpp (through an
// alias, in nested namespaces, as a static member) is generated and agrees with the generic engine.
#include <catch2/catch.hpp>
#include <cmath>
#include <kiln/generic.hpp>
#include <type_traits>
#include <vector>

#include "catalog.kiln.hpp"

namespace {

template <const auto& Spec>
void check_forward() {
  using net = std::remove_cvref_t<decltype(Spec)>;
  using generated = kiln::compiled<Spec, double>;
  STATIC_REQUIRE(generated::input_size == net::input_size);
  STATIC_REQUIRE(generated::output_size == net::output_size);
  STATIC_REQUIRE(generated::param_count == net::param_count);
  constexpr int batch = 5;
  std::vector<double> params(net::param_count), x(batch * net::input_size);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = std::sin(0.7 * double(i)) * 0.5;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::cos(1.3 * double(i));
  std::vector<double> y(batch * net::output_size), want(y.size());
  generated{}.forward(params, x, y, batch);
  kiln::generic<double>(Spec).forward(params, x, want, batch);
  for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == Approx(want[i]).margin(1e-12));
}

}  // namespace

TEST_CASE("kiln-gen generates every network of catalog.hpp, each agreeing with generic") {
  STATIC_REQUIRE(kiln::compiled<catalog::small, float>::param_count == 26);
  STATIC_REQUIRE(kiln::compiled<catalog::deep::inner::blocks, float>::param_count == 105);
  STATIC_REQUIRE(kiln::compiled<catalog::holder::member, float>::param_count == 10);
  check_forward<catalog::small>();
  check_forward<catalog::deep::inner::blocks>();
  check_forward<catalog::holder::member>();
}
