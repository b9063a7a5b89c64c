// Weights on disk: checkpoint round trip, an interrupted save, loading into the wrong network,
// damaged files; safetensors round trip, a fixture written by an independent Python script, and
// headers that lie.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <kiln/checkpoint.hpp>
#include <kiln/runtime.hpp>
#include <kiln/safetensors.hpp>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {
constexpr auto xor_net = kiln::network{kiln::input<2>, kiln::dense<4>, kiln::tanh,
                                       kiln::dense<1>, kiln::sigmoid,  kiln::binary_cross_entropy};
constexpr auto wider = kiln::network{kiln::input<2>, kiln::dense<8>, kiln::tanh,
                                     kiln::dense<1>, kiln::sigmoid,  kiln::binary_cross_entropy};

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "kiln_weights_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::filesystem::remove(path);
  return path;
}
std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
std::vector<float> counting(int n, float scale) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = scale * float(i + 1);
  return v;
}
// A safetensors file: header length, the JSON text, the data.
std::string safetensors(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += char(std::uint64_t(header.size()) >> (8 * i));
  return out + header + data;
}
std::string f32(std::initializer_list<float> v) {
  return std::string(reinterpret_cast<const char*>(std::data(v)), v.size() * 4);
}
}  // namespace

TEST_CASE("checkpoint round trip", "[weights]") {
  const auto nodes = std::span<const kiln::node>(xor_net.nodes);
  CHECK(kiln::describe_structure(nodes) ==
        "input<2> dense<4> tanh dense<1> sigmoid binary_cross_entropy");
  const std::string path = temp_path("round.ckpt");
  const std::vector<float> params = counting(xor_net.param_count, 0.25f);
  kiln::optimizer<float> opt(kiln::adam{}, xor_net.param_count);
  const std::vector<float> g = counting(xor_net.param_count, 0.1f);
  std::vector<float> scratch = params;  // two steps to give the optimizer state and a count
  opt.step(scratch, g);
  opt.step(scratch, g);
  kiln::save_checkpoint<float>(path, nodes, params, &opt, 7);

  std::vector<float> back(xor_net.param_count);
  kiln::optimizer<float> opt2(kiln::adam{}, xor_net.param_count);
  CHECK(kiln::load_checkpoint<float>(path, nodes, back, &opt2) == 7);
  CHECK(back == params);
  CHECK(opt2.steps() == 2);
  CHECK(std::equal(opt2.state().begin(), opt2.state().end(), opt.state().begin()));
  // Into a double engine: values converted.
  const auto c = kiln::read_checkpoint<double>(path, nodes);
  CHECK(c.params[3] == 1.0);
  CHECK(c.optimizer == "adam");
  // float64 files keep doubles exactly.
  const std::vector<double> exact{0.1, 1.0 / 3, -2e-300, 4,  5,  6,  7,  8, 9,
                                  10,  11,      12,      13, 14, 15, 16, 17};
  kiln::save_checkpoint<double>(path, nodes, exact, nullptr, 9);
  std::vector<double> exact_back(17);
  CHECK(kiln::load_checkpoint<double>(path, nodes, exact_back) == 9);
  CHECK(exact_back == exact);
  // Without an optimizer.
  kiln::save_checkpoint<float>(path, nodes, params, nullptr, 1);
  CHECK(kiln::read_checkpoint<float>(path, nodes).optimizer_state.empty());
  kiln::optimizer<float> sgd(kiln::sgd{.lr = 0.1, .momentum = 0.9}, xor_net.param_count);
  CHECK_THROWS_WITH(kiln::load_checkpoint<float>(path, nodes, back, &sgd),
                    Contains("holds the state of optimizer '' (0 values), not of this 'momentum' "
                             "(17 values)"));
}

TEST_CASE("an interrupted save leaves the old checkpoint intact", "[weights]") {
  const auto nodes = std::span<const kiln::node>(xor_net.nodes);
  const std::string path = temp_path("atomic.ckpt");
  const std::vector<float> old_params = counting(17, 1.0f), new_params = counting(17, -1.0f);
  kiln::save_checkpoint<float>(path, nodes, old_params, nullptr, 1);
  const std::string before = read_bytes(path);
  std::string seen_temporary;
  kiln::save_hooks interrupt;
  interrupt.after_temporary_written = [&](const std::string& temporary) {
    seen_temporary = temporary;
    throw std::runtime_error("power cut");
  };
  CHECK_THROWS_WITH(kiln::save_checkpoint<float>(path, nodes, new_params, nullptr, 2, interrupt),
                    "power cut");
  CHECK(seen_temporary == path + ".tmp");
  CHECK(read_bytes(seen_temporary).size() == before.size());  // the new one was written in full
  CHECK(read_bytes(path) == before);
  std::vector<float> back(17);
  CHECK(kiln::load_checkpoint<float>(path, nodes, back) == 1);
  CHECK(back == old_params);
  // The next save goes through.
  kiln::save_checkpoint<float>(path, nodes, new_params, nullptr, 2);
  CHECK(kiln::load_checkpoint<float>(path, nodes, back) == 2);
  CHECK(back == new_params);
}

TEST_CASE("a checkpoint is refused by another network and when damaged", "[weights]") {
  const std::string path = temp_path("wrong.ckpt");
  kiln::save_checkpoint<float>(path, xor_net.nodes, counting(17, 1.0f), nullptr, 3);
  std::vector<float> params(wider.param_count, 5.0f);
  CHECK_THROWS_WITH(
      kiln::load_checkpoint<float>(path, wider.nodes, params),
      "kiln::load_checkpoint: " + path +
          " was saved from the network `input<2> dense<4> tanh dense<1> sigmoid "
          "binary_cross_entropy`, which is not this network `input<2> dense<8> tanh dense<1> "
          "sigmoid binary_cross_entropy`");
  CHECK(params == std::vector<float>(wider.param_count, 5.0f));  // untouched

  const std::string good = read_bytes(path);
  std::string flipped = good;
  flipped[100] ^= 0x10;
  write_bytes(path, flipped);
  CHECK_THROWS_WITH(kiln::load_checkpoint<float>(path, xor_net.nodes, params),
                    StartsWith("kiln::load_checkpoint: " + path + ": byte " +
                               std::to_string(good.size() - 4) + ": checksum mismatch"));
  write_bytes(path, good.substr(0, 50));
  CHECK_THROWS_WITH(kiln::load_checkpoint<float>(path, xor_net.nodes, params),
                    Contains("checksum mismatch"));
  write_bytes(path, "KILNCK");
  CHECK_THROWS_WITH(kiln::load_checkpoint<float>(path, xor_net.nodes, params),
                    Contains(": byte 0: expected the magic string KILNCKPT"));
  CHECK_THROWS_WITH(kiln::load_checkpoint<float>(temp_path("missing.ckpt"), xor_net.nodes, params),
                    Contains("missing.ckpt: cannot open the file"));
}

TEST_CASE("safetensors round trip", "[weights]") {
  const auto nodes = std::span<const kiln::node>(xor_net.nodes);
  const auto slots = kiln::sequential_tensors(nodes);
  REQUIRE(slots.size() == 4);
  CHECK(slots[0].name == "0.weight");
  CHECK(slots[0].shape == std::vector<std::size_t>{4, 2});
  CHECK(slots[1].name == "0.bias");
  CHECK(slots[2].name == "2.weight");  // tanh is module 1
  CHECK(slots[2].shape == std::vector<std::size_t>{1, 4});
  CHECK(slots[3].name == "2.bias");
  const std::string path = temp_path("round.safetensors");
  const std::vector<double> params{0.1, -0.2, 0.3, 1e-9, 5,  6,  7,  8, 9,
                                   10,  11,   12,  13,   14, 15, 16, 17};
  for (auto dtype : {kiln::safetensors_dtype::f32, kiln::safetensors_dtype::f64}) {
    kiln::save_safetensors<double>(path, nodes, params, dtype);
    std::vector<double> back(17);
    kiln::load_safetensors<double>(path, nodes, back);
    for (int i = 0; i < 17; ++i)
      CHECK(back[i] ==
            (dtype == kiln::safetensors_dtype::f32 ? double(float(params[i])) : params[i]));
  }
  const std::string bytes = read_bytes(path);
  CHECK(bytes.find("\"0.weight\":{\"dtype\":\"F64\",\"shape\":[4,2],\"data_offsets\":[0,64]}") !=
        std::string::npos);

  constexpr auto with_norm = kiln::network{kiln::input<3>, kiln::layer_norm, kiln::dense<2>};
  const auto norm_slots = kiln::sequential_tensors(with_norm.nodes);
  CHECK(norm_slots[0].name == "0.weight");
  CHECK(norm_slots[1].name == "0.bias");
  CHECK(norm_slots[2].name == "1.weight");
  // dropout and softmax count as modules; dense_no_bias is nn.Linear(bias=False).
  constexpr auto mixed = kiln::network{kiln::input<3>, kiln::dense_no_bias<5>, kiln::dropout(0.2),
                                       kiln::relu,     kiln::dense<2>,         kiln::softmax};
  const auto mixed_slots = kiln::sequential_tensors(mixed.nodes);
  REQUIRE(mixed_slots.size() == 3);
  CHECK(mixed_slots[0].name == "0.weight");
  CHECK(mixed_slots[0].shape == std::vector<std::size_t>{5, 3});
  CHECK(mixed_slots[1].name == "3.weight");
  CHECK(mixed_slots[1].param_offset == 15);
  CHECK(mixed_slots[2].name == "3.bias");
  constexpr auto res =
      kiln::network{kiln::input<2>, kiln::residual{kiln::dense<2>}, kiln::dense<1>};
  CHECK(kiln::describe_structure(res.nodes) == "input<2> residual{ dense<2> } dense<1>");
  CHECK_THROWS_WITH(kiln::sequential_tensors(res.nodes),
                    StartsWith("kiln: layer 1 is a residual block, which has no nn.Sequential "
                               "equivalent"));
}

TEST_CASE("an embedding is nn.Embedding then nn.Flatten in safetensors", "[weights]") {
  constexpr auto lm = kiln::network{kiln::tokens<3, 27>, kiln::embedding<27, 10>, kiln::dense<5>,
                                    kiln::tanh, kiln::dense<27>};
  CHECK(kiln::describe_structure(lm.nodes) ==
        "tokens<3, 27> embedding<27, 10> dense<5> tanh dense<27>");
  constexpr auto values = kiln::network{kiln::input<3>, kiln::dense<5>};
  constexpr auto other = kiln::network{kiln::tokens<3, 26>, kiln::embedding<26, 10>};
  CHECK(kiln::describe_structure(values.nodes) == "input<3> dense<5>");
  CHECK(kiln::describe_structure(other.nodes) == "tokens<3, 26> embedding<26, 10>");
  const auto slots = kiln::sequential_tensors(lm.nodes);
  REQUIRE(slots.size() == 5);
  CHECK(slots[0].name == "0.weight");  // nn.Embedding(27, 10); nn.Flatten is module 1
  CHECK(slots[0].shape == std::vector<std::size_t>{27, 10});
  CHECK(slots[0].param_offset == 0);
  CHECK(slots[0].count == 270);
  CHECK(slots[1].name == "2.weight");
  CHECK(slots[1].shape == std::vector<std::size_t>{5, 30});
  CHECK(slots[1].param_offset == 270);
  CHECK(slots[2].name == "2.bias");
  CHECK(slots[3].name == "4.weight");  // tanh is module 3
  CHECK(slots[4].name == "4.bias");
  std::vector<double> params(lm.param_count);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = double(i) / 64.0 - 3.0;
  const std::string path = temp_path("embedding.safetensors");
  kiln::save_safetensors<double>(path, lm.nodes, params, kiln::safetensors_dtype::f64);
  std::vector<double> back(params.size());
  kiln::load_safetensors<double>(path, lm.nodes, back);
  CHECK(back == params);
  CHECK(read_bytes(path).find("\"0.weight\":{\"dtype\":\"F64\",\"shape\":[27,10],") !=
        std::string::npos);
  // Initialization: the table N(0, 1), whatever the dense scheme.
  kiln::initialize<double>(params, lm.nodes, kiln::init_scheme::xavier_uniform, 7);
  double sum = 0, squares = 0;
  for (int i = 0; i < 270; ++i) sum += params[i], squares += params[i] * params[i];
  CHECK(std::abs(sum / 270) < 0.2);
  CHECK(squares / 270 == Approx(1.0).margin(0.25));
}

TEST_CASE("safetensors written by an independent script load into kiln", "[weights]") {
  // tests/runtime/fixtures/make_sequential_fixture.py: nn.Sequential(Linear(2, 4), Tanh(),
  // Linear(4, 1), Sigmoid()), tensors stored out of order, 2.weight as F64.
  std::vector<float> params(17);
  kiln::load_safetensors<float>(KILN_FIXTURES "/sequential_2_4_1.safetensors", xor_net.nodes,
                                params);
  const std::vector<float> want{0.125f, 0.25f,  0.375f, 0.5f,  0.625f, 0.75f, 0.875f, 1.0f,  // W0
                                -0.5f,  -0.25f, 0.25f,  0.5f,                                // b0
                                1.0f,   -1.0f,  2.0f,   -2.0f,                               // W2
                                0.75f};                                                      // b2
  CHECK(params == want);
  // And they run: x = (1, 0): h = tanh(W0[:, 0] + b0), y = sigmoid(W2 h + b2).
  auto m = kiln::generic<double>(xor_net);
  const std::vector<double> p(params.begin(), params.end()), x{1, 0};
  std::vector<double> y(1);
  m.forward(p, x, y, 1);
  const double h0 = std::tanh(0.125 - 0.5), h1 = std::tanh(0.375 - 0.25),
               h2 = std::tanh(0.625 + 0.25), h3 = std::tanh(0.875 + 0.5);
  CHECK(y[0] == Approx(1 / (1 + std::exp(-(h0 - h1 + 2 * h2 - 2 * h3 + 0.75)))).epsilon(1e-12));
}

TEST_CASE("safetensors headers that lie are refused", "[weights]") {
  constexpr auto net = kiln::network{kiln::input<2>, kiln::dense<1>, kiln::mse};
  const std::string path = temp_path("lie.safetensors");
  std::vector<float> params(3, 9.0f);
  auto load = [&](const std::string& bytes) {
    write_bytes(path, bytes);
    kiln::load_safetensors<float>(path, net.nodes, params);
  };
  const std::string w = "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}";
  const std::string b = "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}";
  const std::string data = f32({1, 2, 3});
  load(safetensors("{" + w + "," + b + "}", data));
  CHECK(params == std::vector<float>{1, 2, 3});
  params.assign(3, 9.0f);
  const std::string at = "kiln::load_safetensors: " + path + ": byte ";

  CHECK_THROWS_WITH(load(std::string("\x10\0\0", 3)),
                    at + "3: the file ends after 3 bytes, expected the 8-byte "
                         "header length");
  CHECK_THROWS_WITH(load(safetensors("{" + w + "," + b + "}", data).substr(0, 40)),
                    at + "0: the header length 122 runs past the end of the file (40 bytes)");
  CHECK_THROWS_WITH(load(safetensors("{" + w + "," + b, data)), Contains("expected '}'"));
  CHECK_THROWS_WITH(
      load(safetensors("{" + w +
                           ",\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
                           "[8,16]}}",
                       data)),
      at + "80: tensor '0.bias' has data_offsets [8, 16) outside the 12 data bytes of the file");
  CHECK_THROWS_WITH(
      load(safetensors("{" + w +
                           ",\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
                           "[4,8]}}",
                       data)),
      Contains("tensors '0.weight' [0, 8) and '0.bias' [4, 8) overlap"));
  CHECK_THROWS_WITH(
      load(safetensors("{" + w +
                           ",\"0.bias\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":"
                           "[8,12]}}",
                       data)),
      at + "80: tensor '0.bias' has dtype BF16: expected F32, F64 or I64");
  CHECK_THROWS_WITH(
      load(safetensors("{" + w +
                           ",\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":"
                           "[8,12]}}",
                       data)),
      at + "80: tensor '0.bias' has 4 data bytes, but shape [2] of F32 needs 8");
  CHECK_THROWS_WITH(
      load(safetensors(
          "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}," + b + "}",
          data)),
      at + "20: tensor '0.weight' has shape [2, 1], expected [1, 2] for layer 1 (dense 2 -> 1)");
  CHECK_THROWS_WITH(load(safetensors("{" + w + "}", f32({1, 2}))),
                    "kiln::load_safetensors: " + path +
                        ": no tensor '0.bias' (shape [1] for layer 1 (dense 2 -> 1))");
  CHECK_THROWS_WITH(
      load(safetensors("{" + w + "," + b +
                           ",\"1.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,"
                           "16]}}",
                       f32({1, 2, 3, 4}))),
      Contains("unexpected tensor '1.weight': the network `input<2> dense<1> mse` has 0.weight, "
               "0.bias"));
  CHECK_THROWS_WITH(load(safetensors("{" + w + "," + b + "}", f32({1, 2, 3, 4}))),
                    at + "142: data bytes [12, 16) belong to no tensor");
  CHECK_THROWS_WITH(
      load(safetensors("{" + w +
                           ",\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
                           "[-4,12]}}",
                       data)),
      Contains("'data_offsets' of tensor '0.bias' should be [begin, end]"));
  CHECK_THROWS_WITH(load(safetensors("[1, 2]", "")), at + "8: the header should be a JSON object");
  CHECK(params == std::vector<float>(3, 9.0f));  // never half-loaded
}

TEST_CASE("damaged weight files never crash: every truncation and byte flip", "[weights]") {
  const auto nodes = std::span<const kiln::node>(xor_net.nodes);
  const std::string ckpt = temp_path("fuzz.ckpt"), st = temp_path("fuzz.safetensors");
  kiln::optimizer<float> opt(kiln::adam{}, 17);
  kiln::save_checkpoint<float>(ckpt, nodes, counting(17, 0.5f), &opt, 4);
  kiln::save_safetensors<float>(st, nodes, counting(17, 0.5f));
  kiln::rng r(6);
  for (const std::string& path : {ckpt, st}) {
    const std::string good = read_bytes(path);
    for (int round = 0; round < 2; ++round)
      for (std::size_t n = 0; n <= good.size(); ++n) {
        std::string bytes = good.substr(0, n);
        if (round == 1 && n > 0) bytes[r.below(n)] ^= char(1 + r.below(255));
        const std::span<const char> b(bytes.data(), bytes.size());
        try {
          if (path == ckpt)
            kiln::detail::decode_checkpoint(b, path, nodes);
          else
            kiln::detail::decode_safetensors(b, path, nodes);
          CHECK(bytes.size() == good.size());  // only a whole file can load
        } catch (const kiln::checkpoint_error& e) {
          CHECK_THAT(e.what(), StartsWith("kiln::load_"));
        }
      }
  }
}

TEST_CASE("a safetensors size far beyond any integer is refused, not converted", "[weights]") {
  // Found by fuzzing: 1e21 was converted to an integer before its range was checked (undefined
  // behaviour).
  const std::string header =
      R"({"0.weight":{"dtype":"F32","shape":[1e21,2],"data_offsets":[0,8]}})";
  CHECK_THROWS_WITH(
      kiln::detail::decode_safetensors(
          std::span<const char>(safetensors(header, f32({1, 2})).data(), 8 + header.size() + 8),
          "big.safetensors", std::span<const kiln::node>(xor_net.nodes)),
      Contains("'shape' of tensor '0.weight' should be a list of sizes"));
}

TEST_CASE("batch_norm is nn.BatchNorm1d in safetensors, its batch count an I64", "[weights]") {
  constexpr auto bn =
      kiln::network{kiln::input<3>, kiln::dense<2>, kiln::batch_norm, kiln::relu, kiln::dense<1>};
  CHECK(kiln::describe_structure(bn.nodes) == "input<3> dense<2> batch_norm<2> relu dense<1>");
  const auto slots = kiln::sequential_tensors(bn.nodes);
  REQUIRE(slots.size() == 9);
  const char* names[] = {"0.weight",
                         "0.bias",
                         "1.weight",
                         "1.bias",
                         "1.running_mean",
                         "1.running_var",
                         "1.num_batches_tracked",
                         "3.weight",
                         "3.bias"};
  for (int i = 0; i < 9; ++i) CHECK(slots[i].name == names[i]);
  CHECK(slots[4].param_offset == 8 + 4);  // after the dense layer (8), gain and bias
  CHECK(slots[6].shape.empty());          // a 0-dimensional tensor, as PyTorch saves it
  CHECK(slots[6].integer);
  CHECK(slots[6].param_offset == 8 + 8);
  std::vector<double> params(bn.param_count);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = double(i) / 8.0 + 0.5;
  params[16] = 12;  // num_batches_tracked
  const std::string path = temp_path("batch_norm.safetensors");
  kiln::save_safetensors<double>(path, bn.nodes, params, kiln::safetensors_dtype::f32);
  const std::string bytes = read_bytes(path);
  CHECK(bytes.find("\"1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],") !=
        std::string::npos);
  CHECK(bytes.find("\"1.running_var\":{\"dtype\":\"F32\",\"shape\":[2],") != std::string::npos);
  std::vector<double> back(params.size());
  kiln::load_safetensors<double>(path, bn.nodes, back);
  CHECK(back == params);

  // What PyTorch writes for nn.Sequential(nn.BatchNorm1d(2)) after 3 batches, by hand: F32
  // tensors and the count as an 8-byte little-endian integer.
  constexpr auto alone = kiln::network{kiln::input<2>, kiln::batch_norm};
  const std::string count{3, 0, 0, 0, 0, 0, 0, 0};
  const std::string header =
      "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
      "\"0.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
      "\"0.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
      "\"0.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[32,40]}}";
  write_bytes(path,
              safetensors(header, f32({1.5f, 0.5f, -1, 2, 0.25f, -0.5f, 4, 0.0625f}) + count));
  std::vector<float> p(alone.param_count);
  kiln::load_safetensors<float>(path, alone.nodes, p);
  CHECK(p == std::vector<float>{1.5f, 0.5f, -1, 2, 0.25f, -0.5f, 4, 0.0625f, 3});
  // Inference with them: gain (x - mean) / sqrt(var + eps) + bias.
  auto m = kiln::generic<double>(alone);
  const std::vector<double> pd(p.begin(), p.end()), x{2.25, 0.5};
  std::vector<double> y(2);
  m.forward(pd, x, y, 1);
  CHECK(y[0] == Approx(1.5 * (2.25 - 0.25) / std::sqrt(4 + 1e-5) - 1).epsilon(1e-12));
  CHECK(y[1] == Approx(0.5 * (0.5 + 0.5) / std::sqrt(0.0625 + 1e-5) + 2).epsilon(1e-12));
  // The count as a float is refused, naming the tensor and what it should be.
  const std::string as_float =
      header.substr(0, header.rfind("I64")) + "F64" + header.substr(header.rfind("I64") + 3);
  write_bytes(path, safetensors(as_float, f32({1, 1, 0, 0, 0, 0, 1, 1}) + count));
  CHECK_THROWS_WITH(kiln::load_safetensors<float>(path, alone.nodes, p),
                    Contains("tensor '0.num_batches_tracked' has dtype F64, expected I64"));
}

TEST_CASE("a checkpoint keeps batch_norm's running statistics", "[weights]") {
  constexpr auto bn =
      kiln::network{kiln::input<2>, kiln::batch_norm(1e-3, 0.5), kiln::dense<1>, kiln::mse};
  auto m = kiln::generic<float>(bn);
  std::vector<float> params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  CHECK(std::vector<float>(params.begin(), params.begin() + 9) ==
        std::vector<float>{1, 1, 0, 0, 0, 0, 1, 1, 0});  // gain, bias, mean, var, count
  const std::vector<float> x{1, 2, 3, 6};
  m.update_running_stats(params, x, 2);
  // mean (2, 4), unbiased variance (2, 8): half of each folded in.
  CHECK(std::vector<float>(params.begin() + 4, params.begin() + 9) ==
        std::vector<float>{1, 2, 1.5f, 4.5f, 1});
  const std::string path = temp_path("batch_norm.ckpt");
  kiln::save_checkpoint<float>(path, bn.nodes, params, nullptr, 1);
  std::vector<float> back(params.size());
  kiln::load_checkpoint<float>(path, bn.nodes, std::span<float>(back));
  CHECK(back == params);
  constexpr auto layer = kiln::network{kiln::input<2>, kiln::layer_norm, kiln::dense<1>, kiln::mse};
  CHECK_THROWS_WITH(kiln::load_checkpoint<float>(path, layer.nodes, std::span<float>(back)),
                    Contains("batch_norm<2>"));
}
