// Shapes, sizes, parameter counts and offsets the DSL infers, at compile time and at run time.
#include <catch2/catch.hpp>
#include <kiln/dsl.hpp>

namespace {

inline constexpr auto spirals =
    kiln::network{kiln::input<2>, kiln::dense<10>, kiln::relu,
                  kiln::dense<3>, kiln::softmax,   kiln::softmax_cross_entropy};

inline constexpr auto deep =
    kiln::network{kiln::input<4>,
                  kiln::residual{kiln::dense<4>, kiln::leaky_relu(0.2), kiln::dense_no_bias<4>},
                  kiln::layer_norm(1e-3),
                  kiln::dropout(0.25),
                  kiln::dense<2>,
                  kiln::elu(0.5)};

// Compile time: everything is a constant expression.
static_assert(spirals.input_size == 2);
static_assert(spirals.output_size == 3);
static_assert(spirals.param_count == 2 * 10 + 10 + 10 * 3 + 3);
static_assert(spirals.has_loss);
static_assert(spirals.loss_kind() == kiln::kind::softmax_cross_entropy);
static_assert(spirals.node_count == 6);
static_assert(decltype(spirals)::layer_offset(3) == 30);
static_assert(decltype(spirals)::layer_output_size(1) == 10);
static_assert(spirals.nodes[3].param_count == 33);

static_assert(!deep.has_loss);
static_assert(deep.output_size == 2);
static_assert(deep.param_count == (16 + 4) + 16 + 8 + (8 + 2));
static_assert(deep.nodes[1].k == kiln::kind::residual_begin && deep.nodes[1].link == 5);
static_assert(deep.nodes[5].k == kiln::kind::residual_end && deep.nodes[5].link == 1);
static_assert(deep.nodes[3].hp == 0.2);
static_assert(deep.nodes[6].hp == 1e-3 && deep.nodes[6].param_count == 8);
static_assert(deep.nodes[7].hp == 0.25);
static_assert(deep.nodes[9].hp == 0.5);
static_assert(!deep.nodes[4].bias && deep.nodes[4].param_count == 16);

// Token IDs: an input node whose hyperparameter is the vocabulary, then the embedding's table.
inline constexpr auto language = kiln::network{
    kiln::tokens<3, 27>, kiln::embedding<27, 10>, kiln::dense<200>,           kiln::tanh,
    kiln::dense<27>,     kiln::softmax,           kiln::softmax_cross_entropy};
static_assert(language.input_size == 3);
static_assert(language.nodes[0].k == kiln::kind::input &&
              kiln::token_vocab(language.nodes[0]) == 27);
static_assert(language.nodes[1].k == kiln::kind::embedding && language.nodes[1].in == 3);
static_assert(language.nodes[1].out == 30 && language.nodes[1].param_count == 270);
static_assert(language.nodes[2].in == 30 && language.nodes[2].param_offset == 270);
static_assert(language.param_count == 270 + 30 * 200 + 200 + 200 * 27 + 27);
static_assert(kiln::token_vocab(spirals.nodes[0]) == 0);

static_assert(kiln::network{kiln::input<1>, kiln::step}.differentiable() == false);
static_assert(spirals.differentiable());

}  // namespace

TEST_CASE("layer offsets tile the parameter buffer in declaration order", "[dsl]") {
  int next = 0;
  for (const kiln::node& n : deep.nodes) {
    CHECK(n.param_offset == next);
    next += n.param_count;
  }
  CHECK(next == deep.param_count);
}

TEST_CASE("each layer's input is the previous layer's output", "[dsl]") {
  for (std::size_t i = 1; i < deep.nodes.size(); ++i)
    CHECK(deep.nodes[i].in == deep.nodes[i - 1].out);
  CHECK(deep.nodes.front().in == 4);
  CHECK(deep.nodes.back().out == 2);
}

TEST_CASE("default hyperparameters", "[dsl]") {
  constexpr auto net =
      kiln::network{kiln::input<3>, kiln::leaky_relu, kiln::elu, kiln::layer_norm, kiln::dropout};
  CHECK(net.nodes[1].hp == 0.01);
  CHECK(net.nodes[2].hp == 1.0);
  CHECK(net.nodes[3].hp == 1e-5);
  CHECK(net.nodes[4].hp == 0.5);
  CHECK(net.param_count == 6);
}

TEST_CASE("every registered layer keeps the graph consistent", "[dsl]") {
  int kinds = 0;
  kiln::hana::for_each(kiln::registered_layers, [&](auto layer) {
    const auto net = kiln::network{kiln::input<4>, layer, kiln::dense<2>};
    INFO("layer kind " << kiln::kind_name(net.nodes[1].k));
    CHECK(net.nodes.front().k == kiln::kind::input);
    CHECK(net.nodes.back().out == 2);
    CHECK(net.nodes.back().param_offset + net.nodes.back().param_count == net.param_count);
    ++kinds;
  });
  CHECK(kinds == 18);
}

TEST_CASE("batch_norm takes epsilon and momentum, nn.BatchNorm1d's defaults unless set", "[dsl]") {
  constexpr auto net =
      kiln::network{kiln::input<3>, kiln::batch_norm, kiln::dense<2>, kiln::batch_norm(1e-3, 0.25)};
  static_assert(net.nodes[1].k == kiln::kind::batch_norm);
  CHECK(net.nodes[1].hp == 1e-5);
  CHECK(net.nodes[1].hp2 == 0.1);
  CHECK(net.nodes[3].hp == 1e-3);
  CHECK(net.nodes[3].hp2 == 0.25);
  // gain, bias, running mean, running variance [3] and the batch count: 13, then 3 x 2 + 2.
  static_assert(net.nodes[1].param_count == 13 && net.nodes[2].param_offset == 13);
  static_assert(net.param_count == 13 + 8 + 9);
  constexpr kiln::state_range s = kiln::state_of(net.nodes[3]);
  static_assert(s.begin == 21 + 4 && s.count == 5);
  static_assert(kiln::state_of(net.nodes[2]).count == 0);
  static_assert(kiln::couples_samples(kiln::kind::batch_norm) &&
                !kiln::couples_samples(kiln::kind::layer_norm));
}
