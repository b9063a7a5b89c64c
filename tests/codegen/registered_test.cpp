// Generated code vs the generic engine for every registered layer kind with every loss.
#include <registered_specs.kiln.hpp>

#include "compare.hpp"

TEST_CASE("generated code agrees with generic for every registered layer and loss", "[codegen]") {
  namespace hana = kiln::hana;
  int compared = 0;
  hana::for_each(
      hana::make_range(hana::int_c<0>, hana::int_c<kiln_test::registered_layer_count>),
      [&](auto i) {
        hana::for_each(
            hana::make_range(hana::int_c<0>, hana::int_c<kiln_test::registered_loss_count>),
            [&](auto l) {
              constexpr int I = decltype(i)::value, L = decltype(l)::value;
              const auto& net = kiln_test::registered_net<I, L>;
              const std::string name = std::string(kiln::kind_name(net.nodes[2].k)) + " with " +
                                       std::string(kiln::kind_name(net.nodes.back().k));
              kiln_test::compare_both<kiln_test::registered_net<I, L>>(name, 100 * I + L);
              ++compared;
            });
      });
  CHECK(compared == kiln_test::registered_layer_count * kiln_test::registered_loss_count);
  CHECK(compared == 18 * 3);
}

TEST_CASE("generated code agrees with generic for every registered front and loss", "[codegen]") {
  namespace hana = kiln::hana;
  int compared = 0;
  hana::for_each(
      hana::make_range(hana::int_c<0>, hana::int_c<kiln_test::registered_front_count>),
      [&](auto f) {
        hana::for_each(
            hana::make_range(hana::int_c<0>, hana::int_c<kiln_test::registered_loss_count>),
            [&](auto l) {
              constexpr int F = decltype(f)::value, L = decltype(l)::value;
              const auto& net = kiln_test::registered_front_net<F, L>;
              const std::string name = std::string(kiln::kind_name(net.nodes[1].k)) + " with " +
                                       std::string(kiln::kind_name(net.nodes.back().k));
              kiln_test::compare_both<kiln_test::registered_front_net<F, L>>(name,
                                                                             1000 + 10 * F + L);
              ++compared;
            });
      });
  CHECK(compared == kiln_test::registered_front_count * kiln_test::registered_loss_count);
  CHECK(compared == 1 * 3);
}
