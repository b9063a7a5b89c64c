// kiln::model: what the runtime and the tests need from an engine, generated or generic, and the
// options of a training pass they share.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>

namespace kiln {

/// Options of one training pass: dropout draws its mask from `seed` (see math::dropout_keep),
/// numbering the batch's samples from `first_sample`. A shard of a larger batch (a thread's, an
/// MPI rank's) passes its offset in that batch, so it draws exactly the masks the whole would.
struct train_pass {
  std::uint64_t seed = 0;
  int first_sample = 0;
};

/// True when a layer of model M (batch_norm) makes every sample's result in training depend on the
/// whole batch (M::couples_samples): a training batch cannot then be cut into shards.
template <class M>
constexpr bool couples_samples() {
  if constexpr (requires { M::couples_samples; })
    return M::couples_samples;
  else
    return false;
}

/// An engine with compile-time sizes and the forward pass: `forward(params, x, y, batch)` with
/// x: [batch][input_size] and y: [batch][output_size], parameters in the flat layout.
template <class M>
concept model = requires(const M& m, std::span<const typename M::value_type> in,
                         std::span<typename M::value_type> out, int batch) {
  typename M::value_type;
  { M::input_size } -> std::convertible_to<int>;
  { M::output_size } -> std::convertible_to<int>;
  { M::param_count } -> std::convertible_to<int>;
  m.forward(in, in, out, batch);
};

/// A model that can also be trained: `loss_and_gradient(params, x, targets, d_params, batch)`
/// returns the mean loss and overwrites d_params with its gradient.
template <class M>
concept trainable_model = model<M> &&
    requires(const M& m, std::span<const typename M::value_type> in,
             std::span<typename M::value_type> out, int batch) {
  { m.loss_and_gradient(in, in, in, out, batch) } -> std::convertible_to<typename M::value_type>;
  { m.loss(in, in, in, batch) } -> std::convertible_to<typename M::value_type>;
};

}  // namespace kiln
