// Checkpoints: parameters, optimizer state, epoch and a fingerprint of the network's structure in
// a small documented binary format with a CRC-32, written atomically (temporary file, flush,
// rename). Loading into a different network is refused with both structures named.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <kiln/graph.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "optim.hpp"

namespace kiln {

/// A checkpoint or weight file that cannot be written, read or used.
struct checkpoint_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The structure of a network as text: "input<2> dense<4> tanh dense<1> sigmoid
/// binary_cross_entropy"; a residual block reads "residual{ ... }", a dense layer without bias
/// "dense_no_bias<n>", layer_norm "layer_norm<n>" (batch_norm "batch_norm<n>"), an input of token
/// IDs "tokens<context, vocab>" and an embedding "embedding<vocab, dim>".
std::string describe_structure(std::span<const node> nodes);
/// FNV-1a (64-bit) of describe_structure(nodes).
std::uint64_t structure_fingerprint(std::span<const node> nodes);

/// Test hooks of the atomic writer: called after the temporary file is complete and flushed,
/// before it is renamed over the target. Throwing from it simulates an interrupted save.
struct save_hooks {
  std::function<void(const std::string& temporary)> after_temporary_written;
};

/// Writes `bytes` to `path` atomically: `<path>.tmp` is written, flushed and fsync'ed, then
/// renamed over `path`, so an interrupted save leaves the previous file intact.
void write_file_atomically(const std::string& path, std::span<const char> bytes,
                           const save_hooks& hooks = {});

/// A named buffer of state beyond the parameters and the optimizer's (running statistics).
template <class T>
struct state_buffer {
  std::string name;
  std::vector<T> values;
};

/// Where an interrupted `fit` resumes (format version 2). The data order needs no more than the
/// epoch: epoch e shuffles with mix_seed(seed, e), and dropout draws from the optimizer's steps.
template <class T>
struct fit_progress {
  std::uint64_t seed = 0;  ///< fit_options::seed of the run
  int batch_size = 0;      ///< fit_options::batch_size of the run
  long long epochs_done = 0;
  bool stopped_early = false;
  std::string message;  ///< fit_history::message
  // Early stopping's best so far.
  int best_epoch = -1;
  int since_best = 0;
  double best_value = 0;
  std::vector<T> best_params;
  /// The epochs so far, 7 values each: epoch, train_loss, train_metric, test_loss, test_metric,
  /// learning_rate, gradient_norm (always float64).
  std::vector<double> history;
};

/// What a checkpoint holds.
template <class T>
struct checkpoint {
  std::string structure;  ///< describe_structure of the network it was saved from
  long long epoch = 0;
  std::string optimizer;  ///< optimizer::name(), "" when saved without one
  long long optimizer_steps = 0;
  std::vector<T> params;
  std::vector<T> optimizer_state;
  std::vector<state_buffer<T>> buffers;  ///< version 2; none in a version-1 file
  bool has_fit = false;                  ///< version 2: saved by fit, `fit` is its progress
  fit_progress<T> fit;
};

/// The same checkpoint with its values in precision U.
template <class U, class T>
checkpoint<U> convert_checkpoint(const checkpoint<T>& c) {
  auto values = [](const std::vector<T>& v) { return std::vector<U>(v.begin(), v.end()); };
  checkpoint<U> out{c.structure,
                    c.epoch,
                    c.optimizer,
                    c.optimizer_steps,
                    values(c.params),
                    values(c.optimizer_state),
                    {},
                    c.has_fit,
                    {}};
  for (const state_buffer<T>& b : c.buffers) out.buffers.push_back({b.name, values(b.values)});
  const fit_progress<T>& f = c.fit;
  out.fit = {f.seed,       f.batch_size, f.epochs_done, f.stopped_early,       f.message,
             f.best_epoch, f.since_best, f.best_value,  values(f.best_params), f.history};
  return out;
}

namespace detail {
// The format, independent of T: values as doubles, `scalar_bytes` 4 or 8 in the file.
std::vector<char> encode_checkpoint(std::span<const node> nodes, int scalar_bytes,
                                    const checkpoint<double>& c);
checkpoint<double> decode_checkpoint(std::span<const char> bytes, const std::string& path,
                                     std::span<const node> nodes);
std::vector<char> read_whole_file(const std::string& path, const char* who);
}  // namespace detail

/// Saves a whole checkpoint (its structure is that of `nodes`), atomically.
template <class T>
void save_checkpoint(const std::string& path, std::span<const node> nodes, const checkpoint<T>& c,
                     const save_hooks& hooks = {}) {
  const std::vector<char> bytes =
      detail::encode_checkpoint(nodes, int(sizeof(T)), convert_checkpoint<double>(c));
  write_file_atomically(path, bytes, hooks);
}

/// Saves params (and the optimizer's state and step count, if given) with `epoch`, atomically.
template <class T>
void save_checkpoint(const std::string& path, std::span<const node> nodes,
                     std::span<const T> params, const optimizer<T>* opt, long long epoch,
                     const save_hooks& hooks = {}) {
  checkpoint<T> c;
  c.epoch = epoch;
  c.params.assign(params.begin(), params.end());
  if (opt) {
    c.optimizer = opt->name();
    c.optimizer_steps = opt->steps();
    c.optimizer_state.assign(opt->state().begin(), opt->state().end());
  }
  save_checkpoint(path, nodes, c, hooks);
}

/// Reads a checkpoint saved from the network `nodes`; throws checkpoint_error naming both
/// structures when it was saved from another network, or naming the byte offset when the file
/// is damaged (bad magic, truncated, checksum mismatch).
template <class T>
checkpoint<T> read_checkpoint(const std::string& path, std::span<const node> nodes) {
  const std::vector<char> bytes = detail::read_whole_file(path, "kiln::load_checkpoint");
  return convert_checkpoint<T>(detail::decode_checkpoint(bytes, path, nodes));
}

/// Loads a checkpoint into `params` and, if given, the optimizer (state and step count, which
/// must be of the same kind); returns the saved epoch. Nothing is modified when it throws.
template <class T>
long long load_checkpoint(const std::string& path, std::span<const node> nodes, std::span<T> params,
                          optimizer<T>* opt = nullptr) {
  const checkpoint<T> c = read_checkpoint<T>(path, nodes);
  if (c.params.size() != params.size())
    throw checkpoint_error("kiln::load_checkpoint: " + path + " holds " +
                           std::to_string(c.params.size()) + " parameters, the buffer has " +
                           std::to_string(params.size()));
  if (opt && (c.optimizer != opt->name() || c.optimizer_state.size() != opt->state().size()))
    throw checkpoint_error("kiln::load_checkpoint: " + path + " holds the state of optimizer '" +
                           c.optimizer + "' (" + std::to_string(c.optimizer_state.size()) +
                           " values), not of this '" + opt->name() + "' (" +
                           std::to_string(opt->state().size()) + " values)");
  std::copy(c.params.begin(), c.params.end(), params.begin());
  if (opt) {
    std::copy(c.optimizer_state.begin(), c.optimizer_state.end(), opt->state().begin());
    opt->set_steps(c.optimizer_steps);
  }
  return c.epoch;
}

}  // namespace kiln
