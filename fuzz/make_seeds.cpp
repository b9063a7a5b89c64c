// Writes the fuzzers' seed corpus (fuzz/corpus/<target>/): valid files of every format, the
// checkpoints and safetensors files by Kiln's own writers, the CSV, IDX and NPY files as the
// loader tests build them. Run by hand after a format changes: make_seeds <fuzz/corpus>.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <kiln/checkpoint.hpp>
#include <kiln/optim.hpp>
#include <kiln/safetensors.hpp>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace {
namespace fs = std::filesystem;

void put(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}
std::string be32(std::uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }
std::string le(std::uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += char(v >> (8 * i));
  return s;
}
template <class T>
std::string raw(const std::vector<T>& v, bool big_endian) {
  std::string s(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  if (big_endian)
    for (std::size_t i = 0; i < s.size(); i += sizeof(T))
      for (std::size_t a = i, b = i + sizeof(T) - 1; a < b; ++a, --b) std::swap(s[a], s[b]);
  return s;
}
std::string npy(const std::string& dict, const std::string& data, int version) {
  std::string header = dict;
  const std::size_t fixed = version == 1 ? 10 : 12;
  while ((fixed + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  return std::string("\x93NUMPY", 6) + char(version) + '\0' +
         le(header.size(), version == 1 ? 2 : 4) + header + data;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
std::vector<float> counting(int n, float scale) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = scale * float(i + 1);
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus directory>\n");
    return 2;
  }
  const fs::path root = argv[1];
  put(root / "csv", "header.csv", "x,y,target\n0.5,-1,2\n1e-3,+4,\"5\"\n");
  put(root / "csv", "plain.csv", "1,2,3,4\n5,6,7,8\n\n9,10,11,12\r\n");
  put(root / "csv", "semicolon.csv", "a;b;c\n1.5;2;3\n\"4\";5;6\n");
  put(root / "csv_labels", "numbered.csv", "f1,f2,class\n0.1,0.2,0\n0.3,0.4,2\n0.5,0.6,1\n");
  put(root / "csv_labels", "named.csv",
      "species,a,b\nsetosa,1,2\n\"virginica\",3,4\nversicolor,5,6\n");
  put(root / "idx", "bytes.idx",
      std::string("\0\0\x08\x03", 4) + be32(2) + be32(2) + be32(3) + "abcdefghijkl");
  put(root / "idx", "labels.idx", std::string("\0\0\x08\x01", 4) + be32(4) + "\1\2\3\0");
  put(root / "idx", "float32.idx",
      std::string("\0\0\x0D\x01", 4) + be32(3) + raw(std::vector<float>{1.5f, -2, 3e7f}, true));
  put(root / "idx", "float64.idx",
      std::string("\0\0\x0E\x02", 4) + be32(1) + be32(2) + raw(std::vector<double>{0.1, -4}, true));
  put(root / "npy", "f4.npy",
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
          raw(std::vector<float>{1, 2, 3, 4, 5, 6}, false), 1));
  put(root / "npy", "f8.npy",
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
          raw(std::vector<double>{1.5, 2.5}, false), 2));
  put(root / "npy", "scalar.npy",
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
          raw(std::vector<float>{7}, false), 3));

  const auto nodes = kiln::fuzz::nodes();
  const int n = kiln::fuzz::net.param_count;
  const fs::path tmp = fs::temp_directory_path() / "kiln_make_seeds";
  fs::create_directories(tmp);
  const std::string file = (tmp / "seed").string();
  const std::vector<float> p = counting(n, 0.25f);
  kiln::save_safetensors<float>(file, nodes, p);
  put(root / "safetensors", "f32.safetensors", slurp(file));
  kiln::save_safetensors<float>(file, nodes, p, kiln::safetensors_dtype::f64);
  put(root / "safetensors", "f64.safetensors", slurp(file));

  kiln::optimizer<float> adam(kiln::adam{}, n);
  std::vector<float> params = p, grad = counting(n, -0.5f);
  adam.step(std::span<float>(params), std::span<const float>(grad));
  kiln::save_checkpoint<float>(file, nodes, params, &adam, 3);
  put(root / "checkpoint", "adam_float.ckpt", slurp(file));
  kiln::save_checkpoint<float>(file, nodes, params, nullptr, 1);
  put(root / "checkpoint", "plain_float.ckpt", slurp(file));
  const std::vector<double> exact(params.begin(), params.end());
  kiln::save_checkpoint<double>(file, nodes, exact, nullptr, 2);
  put(root / "checkpoint", "plain_double.ckpt", slurp(file));
  kiln::checkpoint<float> full;
  full.params = params;
  full.optimizer = adam.name();
  full.optimizer_steps = adam.steps();
  full.optimizer_state.assign(adam.state().begin(), adam.state().end());
  full.buffers = {{"running_mean", {0.5f, -0.5f}}};
  full.has_fit = true;
  full.fit = {1, 8, 2, true, "stopped", 1, 1, -0.25, params, {0, 1, 0.5, 0, 0, 0.01, 2}};
  kiln::save_checkpoint(file, nodes, full);
  put(root / "checkpoint", "fit_float.ckpt", slurp(file));
  fs::remove_all(tmp);
  return 0;
}
