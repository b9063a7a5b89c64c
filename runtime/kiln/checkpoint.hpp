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
/// "dense_no_bias<n>", layer_norm "layer_norm<n>", an input of token IDs "tokens<context, vocab>"
/// and an embedding "embedding<vocab, dim>".
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

/// What a checkpoint holds.
template <class T>
struct checkpoint {
  std::string structure;  ///< describe_structure of the network it was saved from
  long long epoch = 0;
  std::string optimizer;  ///< optimizer::name(), "" when saved without one
  long long optimizer_steps = 0;
  std::vector<T> params;
  std::vector<T> optimizer_state;
};

namespace detail {
// The format, independent of T: values as doubles, `scalar_bytes` 4 or 8 in the file.
std::vector<char> encode_checkpoint(std::span<const node> nodes, int scalar_bytes,
                                    const checkpoint<double>& c);
checkpoint<double> decode_checkpoint(std::span<const char> bytes, const std::string& path,
                                     std::span<const node> nodes);
std::vector<char> read_whole_file(const std::string& path, const char* who);
}  // namespace detail

/// Saves params (and the optimizer's state and step count, if given) with `epoch`, atomically.
template <class T>
void save_checkpoint(const std::string& path, std::span<const node> nodes,
                     std::span<const T> params, const optimizer<T>* opt, long long epoch,
                     const save_hooks& hooks = {}) {
  checkpoint<double> c;
  c.epoch = epoch;
  c.params.assign(params.begin(), params.end());
  if (opt) {
    c.optimizer = opt->name();
    c.optimizer_steps = opt->steps();
    c.optimizer_state.assign(opt->state().begin(), opt->state().end());
  }
  const std::vector<char> bytes = detail::encode_checkpoint(nodes, int(sizeof(T)), c);
  write_file_atomically(path, bytes, hooks);
}

/// Reads a checkpoint saved from the network `nodes`; throws checkpoint_error naming both
/// structures when it was saved from another network, or naming the byte offset when the file
/// is damaged (bad magic, truncated, checksum mismatch).
template <class T>
checkpoint<T> read_checkpoint(const std::string& path, std::span<const node> nodes) {
  const std::vector<char> bytes = detail::read_whole_file(path, "kiln::load_checkpoint");
  const checkpoint<double> c = detail::decode_checkpoint(bytes, path, nodes);
  checkpoint<T> out;
  out.structure = c.structure;
  out.epoch = c.epoch;
  out.optimizer = c.optimizer;
  out.optimizer_steps = c.optimizer_steps;
  out.params.assign(c.params.begin(), c.params.end());
  out.optimizer_state.assign(c.optimizer_state.begin(), c.optimizer_state.end());
  return out;
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
