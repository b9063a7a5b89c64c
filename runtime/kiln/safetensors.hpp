// safetensors import and export, named and shaped as the state_dict of the PyTorch nn.Sequential
// of the same layers (nn.Linear, nn.LayerNorm, nn.BatchNorm1d, nn.Embedding + nn.Flatten). A
// header that lies (offsets outside the file, overlaps, wrong dtype or shape) is refused.
#pragma once

#include <cstddef>
#include <kiln/graph.hpp>
#include <span>
#include <string>
#include <vector>

#include "checkpoint.hpp"

namespace kiln {

/// One tensor of the nn.Sequential state dict and where it lives in the flat parameter buffer.
struct tensor_slot {
  std::string name;                ///< "0.weight"
  std::vector<std::size_t> shape;  ///< [out, in] for a Linear weight
  int param_offset = 0;
  int count = 0;
  int layer = 0;         ///< index of the node in the flattened graph
  bool integer = false;  ///< stored as I64 (nn.BatchNorm1d's num_batches_tracked), else F32/F64
};

/// The state-dict entries of the nn.Sequential equivalent of `nodes`, in order. Throws
/// checkpoint_error for a residual block, which nn.Sequential cannot express.
std::vector<tensor_slot> sequential_tensors(std::span<const node> nodes);

/// The element type written to the file (integer tensors are always I64).
enum class safetensors_dtype { f32, f64 };

namespace detail {
std::vector<char> encode_safetensors(std::span<const node> nodes, std::span<const double> params,
                                     safetensors_dtype dtype);
std::vector<double> decode_safetensors(std::span<const char> bytes, const std::string& path,
                                       std::span<const node> nodes);
}  // namespace detail

/// Writes the parameters (flat layout of `nodes`) as a safetensors file, atomically.
template <class T>
void save_safetensors(const std::string& path, std::span<const node> nodes,
                      std::span<const T> params, safetensors_dtype dtype = safetensors_dtype::f32,
                      const save_hooks& hooks = {}) {
  const std::vector<double> p(params.begin(), params.end());
  write_file_atomically(path, detail::encode_safetensors(nodes, p, dtype), hooks);
}

/// Reads a safetensors file of the nn.Sequential equivalent of `nodes` into `params`; every
/// tensor must be present with its shape, in F32 or F64 (I64 for a batch count), and nothing else.
/// `params` is left untouched when it throws.
template <class T>
void load_safetensors(const std::string& path, std::span<const node> nodes, std::span<T> params) {
  const std::vector<char> bytes = detail::read_whole_file(path, "kiln::load_safetensors");
  const std::vector<double> p = detail::decode_safetensors(bytes, path, nodes);
  if (p.size() != params.size())
    throw checkpoint_error("kiln::load_safetensors: the network has " + std::to_string(p.size()) +
                           " parameters, the buffer " + std::to_string(params.size()));
  for (std::size_t i = 0; i < p.size(); ++i) params[i] = T(p[i]);
}

}  // namespace kiln
