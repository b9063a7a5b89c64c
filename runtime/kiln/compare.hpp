// kiln::compare: runs a generated network (kiln::compiled) and the generic engine on the same
// random parameters and inputs, prints how far apart their outputs and gradients are and how fast
// each is; the `<name>_compare` programs of kiln_add_network(... COMPARE) are a main() around it.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <kiln/compiled.hpp>
#include <kiln/generic.hpp>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kiln {

struct compare_options {
  std::uint64_t seed = 1;
  /// Each timing repeats its run until this much time has passed.
  double min_seconds = 0.05;
};

/// One network to compare: `compare_network<examples::spirals>("examples::spirals")`.
struct compare_case {
  std::string_view name;
  bool (*run)(std::string_view name, const compare_options& opts);
};

/// Agreement of generated code with the generic engine, element by element:
///   |got - want| <= rtol * |want| + atol,   atol = rtol * max |want| over the element's group,
/// rtol 1e-5 in float, 1e-12 in double. A group is a buffer of outputs, a loss, or the gradient of
/// one layer's parameters: an element that cancels to near zero carries the rounding error of its
/// terms, which are at most about the size of the largest values of its layer, so atol is rtol of
/// those (see README, "Generated vs generic"). A group of zeros must be matched exactly.
template <class T>
inline constexpr double agreement_rtol = std::is_same_v<T, float> ? 1e-5 : 1e-12;

struct difference {
  double max_abs = 0;     // max |got - want|
  double max_rel = 0;     // max |got - want| / (|want| + max |want| of the group); agree: <= rtol
  std::size_t worst = 0;  // the element of max_rel
  bool finite = true;
};

/// How far `got` is from `want`, element by element. `group_ends`: where each group ends
/// (ascending, the last one want.size()); empty: the whole buffer is one group.
template <class T>
difference measure_difference(std::span<const T> got, std::span<const T> want,
                              std::span<const std::size_t> group_ends = {}) {
  difference d;
  if (got.size() != want.size()) {
    d.finite = false;
    d.max_abs = d.max_rel = INFINITY;
    return d;
  }
  const std::size_t whole[] = {want.size()};
  if (group_ends.empty()) group_ends = whole;
  std::size_t begin = 0;
  for (std::size_t end : group_ends) {
    double scale = 0;
    for (std::size_t i = begin; i < end; ++i) scale = std::max(scale, std::abs(double(want[i])));
    for (std::size_t i = begin; i < end; ++i) {
      const double e = std::abs(double(got[i]) - double(want[i]));
      const double bound = std::abs(double(want[i])) + scale;
      const double rel = e == 0 ? 0.0 : bound > 0 ? e / bound : INFINITY;
      d.finite = d.finite && std::isfinite(double(got[i])) && std::isfinite(double(want[i]));
      d.max_abs = std::max(d.max_abs, e);
      if (rel > d.max_rel || (std::isnan(rel) && !std::isnan(d.max_rel)))
        d.max_rel = rel, d.worst = i;
    }
    begin = end;
  }
  if (!d.finite) d.max_abs = d.max_rel = INFINITY;
  return d;
}

/// True when every element agrees within agreement_rtol<T> (see above).
template <class T>
bool agrees(const difference& d) {
  return d.finite && d.max_rel <= agreement_rtol<T>;
}

/// The groups of a gradient buffer: one per layer with parameters, in the flat layout.
inline std::vector<std::size_t> param_groups(std::span<const node> nodes) {
  std::vector<std::size_t> ends;
  for (const node& n : nodes)
    if (n.param_count > 0) ends.push_back(std::size_t(n.param_offset) + std::size_t(n.param_count));
  std::sort(ends.begin(), ends.end());
  return ends;
}

/// Rescales the dense weights of `params` from N(0, sd^2) to He-normal N(0, 2 / in): weights of
/// sd 0.5 on a 784-input layer give pre-activations of sd ~20, where float itself (generic float
/// against generic double) is off by more than 1e-5, so no two float engines could agree there.
template <class T>
void he_scale_weights(std::span<T> params, std::span<const node> nodes, double sd) {
  for (const node& n : nodes)
    if (n.k == kind::dense)
      for (int i = 0; i < n.in * n.out; ++i)
        params[std::size_t(n.param_offset + i)] *= T(std::sqrt(2.0 / n.in) / sd);
}

/// Moves random parameters of the normalizations where training keeps them: layer_norm and
/// batch_norm gains shifted by 1 (so the normalized signal is not tiny), batch_norm's running
/// variances |v| + 0.5 (inference takes their square root) and its batch count 0.
template <class T>
void plausible_normalization(std::span<T> params, std::span<const node> nodes) {
  for (const node& n : nodes) {
    if (n.k != kind::layer_norm && n.k != kind::batch_norm) continue;
    for (int i = 0; i < n.out; ++i) params[std::size_t(n.param_offset + i)] += T(1);
    if (n.k != kind::batch_norm) continue;
    T* state = params.data() + state_of(n).begin;
    for (int i = 0; i < n.out; ++i) state[n.out + i] = std::abs(state[n.out + i]) + T(0.5);
    state[2 * n.out] = T(0);
  }
}

namespace detail::compare {

/// Nanoseconds per sample of `run` (one batch of `batch` samples), after one warm-up run.
template <class F>
double ns_per_sample(F&& run, int batch, double min_seconds) {
  using clock = std::chrono::steady_clock;
  run();
  long reps = 0;
  const auto start = clock::now();
  double elapsed = 0;
  for (long round = 1; elapsed < min_seconds; round *= 2) {
    for (long i = 0; i < round; ++i) run();
    reps += round;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  }
  return elapsed * 1e9 / (double(reps) * batch);
}

/// Random targets the loss accepts: one-hot rows for softmax cross-entropy, 0/1 for binary
/// cross-entropy, normal values for mse.
template <class T>
std::vector<T> targets(kind loss, int batch, int n, std::mt19937_64& rng) {
  std::vector<T> t(std::size_t(batch) * n, T(0));
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, n - 1), coin(0, 1);
  for (int b = 0; b < batch; ++b) {
    T* row = t.data() + std::size_t(b) * n;
    if (loss == kind::softmax_cross_entropy)
      row[pick(rng)] = T(1);
    else
      for (int i = 0; i < n; ++i)
        row[i] = loss == kind::binary_cross_entropy ? T(coin(rng)) : T(normal(rng));
  }
  return t;
}

template <class T>
std::vector<T> normal_values(std::size_t n, double sd, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, sd);
  std::vector<T> v(n);
  for (T& x : v) x = T(normal(rng));
  return v;
}

/// Inputs for a network: uniform token IDs for an input of tokens, else N(0, 1) values.
template <class T, class Nodes>
std::vector<T> inputs(const Nodes& nodes, std::size_t n, std::mt19937_64& rng) {
  const int vocab = token_vocab(nodes[0]);
  if (vocab == 0) return normal_values<T>(n, 1.0, rng);
  std::uniform_int_distribution<int> pick(0, vocab - 1);
  std::vector<T> v(n);
  for (T& x : v) x = T(pick(rng));
  return v;
}

/// What compare_in and time_in share: the generic and the generated engine and the parameters
/// both run on (N(0, 0.5), dense weights He-normal), drawn from `seed` by the returned generator.
template <const auto& Spec, class T>
struct engine_pair {
  std::mt19937_64 rng;
  decltype(kiln::generic<T>(Spec)) reference = kiln::generic<T>(Spec);
  kiln::compiled<Spec, T> generated{};
  std::vector<T> params;

  explicit engine_pair(std::uint64_t seed) : rng(seed) {
    params = normal_values<T>(std::remove_cvref_t<decltype(Spec)>::param_count, 0.5, rng);
    he_scale_weights<T>(params, Spec.nodes, 0.5);
    plausible_normalization<T>(params, Spec.nodes);
  }
};

/// Compares in precision T; prints its rows; false when the engines disagree.
template <const auto& Spec, class T>
bool compare_in(const compare_options& opts) {
  using net = std::remove_cvref_t<decltype(Spec)>;
  constexpr int in = net::input_size, out = net::output_size, count = net::param_count;
  const char* precision = std::is_same_v<T, float> ? "float" : "double";
  engine_pair<Spec, T> pair(opts.seed);
  auto& [rng, reference, generated, params] = pair;
  bool ok = true;
  auto row = [&](const char* what, const difference& d) {
    const bool good = agrees<T>(d);
    ok = ok && good;
    fmt::print("  {:<8} {:<22} {:>12.3g} {:>12.3g} {:>10.0e}  {}\n", precision, what, d.max_abs,
               d.max_rel, agreement_rtol<T>, good ? "ok" : "DIFFERENT");
  };

  // Batch 1 and an odd batch that leaves a partial tile.
  for (int batch : {1, 67}) {
    const std::vector<T> x = inputs<T>(Spec.nodes, std::size_t(batch) * in, rng);
    std::vector<T> want(std::size_t(batch) * out), got(want.size());
    reference.forward(params, x, want, batch);
    generated.forward(params, x, got, batch);
    row(batch == 1 ? "outputs, batch 1" : "outputs, batch 67", measure_difference<T>(got, want));
  }
  if constexpr (net::has_loss && net::differentiable()) {
    constexpr int batch = 67;
    const std::vector<T> x = inputs<T>(Spec.nodes, std::size_t(batch) * in, rng);
    const std::vector<T> t = targets<T>(net::loss_kind(), batch, out, rng);
    std::vector<T> want(count), got(count);
    const T want_loss = reference.loss_and_gradient(params, x, t, want, batch, {opts.seed});
    const T got_loss = generated.loss_and_gradient(params, x, t, got, batch, {opts.seed});
    row("loss, batch 67", measure_difference<T>(std::span(&got_loss, 1), std::span(&want_loss, 1)));
    row("gradient, batch 67", measure_difference<T>(got, want, param_groups(Spec.nodes)));
    if constexpr (couples_samples<decltype(generated)>()) {
      std::vector<T> want_state = params, got_state = params;
      reference.update_running_stats(std::span<T>(want_state), x, batch, {opts.seed});
      generated.update_running_stats(std::span<T>(got_state), x, batch, {opts.seed});
      row("running stats, 67", measure_difference<T>(got_state, want_state));
    }
  }
  return ok;
}

template <const auto& Spec, class T>
void time_in(const compare_options& opts) {
  using net = std::remove_cvref_t<decltype(Spec)>;
  constexpr int in = net::input_size, out = net::output_size, count = net::param_count;
  const char* precision = std::is_same_v<T, float> ? "float" : "double";
  engine_pair<Spec, T> pair(opts.seed);
  auto& [rng, reference, generated, params] = pair;
  auto row = [&](std::string what, int batch, auto&& run_reference, auto&& run_generated) {
    const double a = ns_per_sample(run_reference, batch, opts.min_seconds);
    const double b = ns_per_sample(run_generated, batch, opts.min_seconds);
    fmt::print("  {:<8} {:<22} {:>12.1f} {:>12.1f} {:>9.1f}x\n", precision, what, a, b, a / b);
  };
  for (int batch : {1, 256}) {
    const std::vector<T> x = inputs<T>(Spec.nodes, std::size_t(batch) * in, rng);
    std::vector<T> y(std::size_t(batch) * out);
    row(
        fmt::format("inference, batch {}", batch), batch,
        [&] { reference.forward(params, x, y, batch); },
        [&] { generated.forward(params, x, y, batch); });
  }
  if constexpr (net::has_loss && net::differentiable()) {
    for (int batch : {32, 256}) {
      const std::vector<T> x = inputs<T>(Spec.nodes, std::size_t(batch) * in, rng);
      const std::vector<T> t = targets<T>(net::loss_kind(), batch, out, rng);
      std::vector<T> d(count);
      row(
          fmt::format("training, batch {}", batch), batch,
          [&] { reference.loss_and_gradient(params, x, t, d, batch); },
          [&] { generated.loss_and_gradient(params, x, t, d, batch); });
    }
  }
}

}  // namespace detail::compare

/// Compares one network in float and double and times both engines; false when they disagree
/// beyond tolerance: some element off by more than 1e-5 (float) or 1e-12 (double) relative to
/// its value plus the largest value of its group (measure_difference).
template <const auto& Spec>
bool compare(std::string_view name, const compare_options& opts = {}) {
  using net = std::remove_cvref_t<decltype(Spec)>;
  namespace c = detail::compare;
  fmt::print("{}: {} -> {}, {} parameters\n\n", name, net::input_size, net::output_size,
             net::param_count);
  fmt::print("  {:<8} {:<22} {:>12} {:>12} {:>10}\n", "", "generated vs generic", "max abs diff",
             "max rel diff", "tolerance");
  // max rel diff: per element, |got - want| / (|want| + largest |want| of its buffer or layer).
  const bool ok = c::compare_in<Spec, float>(opts) & c::compare_in<Spec, double>(opts);
  fmt::print("\n  {:<8} {:<22} {:>12} {:>12} {:>10}\n", "", "ns per sample", "generic", "generated",
             "speedup");
  c::time_in<Spec, float>(opts);
  c::time_in<Spec, double>(opts);
  fmt::print("\n");
  return ok;
}

template <const auto& Spec>
constexpr compare_case compare_network(std::string_view name) {
  return {name,
          [](std::string_view n, const compare_options& opts) { return compare<Spec>(n, opts); }};
}

/// The main() of a _compare program: `--seed N`, `--min-time SECONDS` (per timing), `--quick`.
/// Exit status 0 when every network agrees, 1 when one does not, 2 on a bad command line.
inline int compare_main(int argc, char** argv, std::initializer_list<compare_case> cases) {
  compare_options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") {
      opts.min_seconds = 0.002;
    } else if ((arg == "--seed" || arg == "--min-time") && i + 1 < argc) {
      char* end = nullptr;
      const char* value = argv[++i];
      if (arg == "--seed")
        opts.seed = std::strtoull(value, &end, 10);
      else
        opts.min_seconds = std::strtod(value, &end);
      if (end == value || *end != '\0') {
        fmt::print(stderr, "{}: {} takes a number, not '{}'\n", argv[0], arg, value);
        return 2;
      }
    } else {
      fmt::print(stderr,
                 "usage: {} [--seed N] [--min-time SECONDS] [--quick]\n"
                 "Compares the generated code of each network with the generic engine: outputs,\n"
                 "losses and gradients (max absolute and relative difference), and time per\n"
                 "sample. Exits 1 when an element differs beyond 1e-5 (float) or 1e-12 (double)\n"
                 "relative to its value plus the largest value of its buffer or layer.\n",
                 argv[0]);
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  bool ok = true;
  for (const compare_case& c : cases) ok = c.run(c.name, opts) && ok;
  if (!ok) fmt::print("generated code DIFFERS from the generic engine\n");
  return ok ? 0 : 1;
}

}  // namespace kiln
