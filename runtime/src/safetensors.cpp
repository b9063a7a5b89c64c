// safetensors reading and writing (kiln/safetensors.hpp): an 8-byte little-endian header length,
// a JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end)}, "__metadata__": {...}},
// then the tensor bytes, offsets relative to the end of the header.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <kiln/safetensors.hpp>
#include <map>
#include <memory>
#include <variant>

#include "bits.hpp"

namespace kiln {

std::vector<tensor_slot> sequential_tensors(std::span<const node> nodes) {
  std::vector<tensor_slot> out;
  // Position in the Sequential: every node after the input, the loss excluded; an embedding counts
  // twice (nn.Embedding, then nn.Flatten to join its rows as Kiln does).
  int index = -1;
  for (std::size_t l = 0; l < nodes.size(); ++l) {
    const node& n = nodes[l];
    if (n.k == kind::input || is_loss(n.k)) continue;
    if (n.k == kind::residual_begin || n.k == kind::residual_end)
      throw checkpoint_error(fmt::format(
          "kiln: layer {} is a residual block, which has no nn.Sequential equivalent; safetensors "
          "export and import cover Sequential networks only",
          l));
    ++index;
    if (n.k == kind::dense) {
      out.push_back({fmt::format("{}.weight", index),
                     {std::size_t(n.out), std::size_t(n.in)},
                     n.param_offset,
                     n.out * n.in,
                     int(l)});
      if (n.bias)
        out.push_back({fmt::format("{}.bias", index),
                       {std::size_t(n.out)},
                       n.param_offset + n.out * n.in,
                       n.out,
                       int(l)});
    } else if (n.k == kind::embedding) {  // nn.Embedding, then an nn.Flatten at index + 1
      const int dim = n.out / n.in;
      out.push_back({fmt::format("{}.weight", index),
                     {std::size_t(n.hp), std::size_t(dim)},
                     n.param_offset,
                     n.param_count,
                     int(l)});
      ++index;
    } else if (n.k == kind::layer_norm || n.k == kind::batch_norm) {
      // nn.LayerNorm, nn.BatchNorm1d: weight and bias, then BatchNorm1d's buffers.
      const char* names[] = {"weight", "bias", "running_mean", "running_var"};
      for (int t = 0; t < (n.k == kind::batch_norm ? 4 : 2); ++t)
        out.push_back({fmt::format("{}.{}", index, names[t]),
                       {std::size_t(n.out)},
                       n.param_offset + t * n.out,
                       n.out,
                       int(l)});
      if (n.k == kind::batch_norm)
        out.push_back({fmt::format("{}.num_batches_tracked", index),
                       {},
                       state_of(n).begin + 2 * n.out,
                       1,
                       int(l),
                       true});
    }
  }
  return out;
}

namespace {

// A minimal JSON value: what a safetensors header needs (objects, arrays, strings, numbers).
struct json;
using json_object = std::vector<std::pair<std::string, json>>;
using json_array = std::vector<json>;
struct json {
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<json_array>,
               std::shared_ptr<json_object>>
      v;
  std::size_t at = 0;  // byte offset in the file
};

struct json_parser {
  std::string_view s;
  std::size_t base;  // offset of s in the file
  const std::string& path;
  std::size_t i = 0;
  int depth = 0;

  checkpoint_error fail(const std::string& what) const {
    return checkpoint_error(
        fmt::format("kiln::load_safetensors: {}: byte {}: {}", path, base + i, what));
  }
  void space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  }
  void expect(char c) {
    space();
    if (i >= s.size() || s[i] != c) throw fail(fmt::format("expected '{}' in the JSON header", c));
    ++i;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (i >= s.size()) throw fail("a string in the JSON header is not closed");
      const char c = s[i++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) throw fail("a string in the JSON header is not closed");
      const char e = s[i++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (s.size() - i < 4) throw fail("a \\u escape needs 4 hex digits");
          unsigned cp = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s[i++];
            cp = cp * 16 + (h >= '0' && h <= '9'   ? h - '0'
                            : h >= 'a' && h <= 'f' ? h - 'a' + 10
                            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                   : throw fail("bad hex digit in a \\u escape"));
          }
          if (cp < 0x80) {
            out += char(cp);
          } else if (cp < 0x800) {
            out += char(0xc0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3f));
          } else {
            out += char(0xe0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3f));
            out += char(0x80 | (cp & 0x3f));
          }
          break;
        }
        default:
          out += e;
      }
    }
  }
  json value() {
    space();
    if (i >= s.size()) throw fail("the JSON header ends early");
    if (++depth > 64) throw fail("the JSON header nests too deeply");
    json j;
    j.at = base + i;
    const char c = s[i];
    if (c == '{') {
      ++i;
      auto obj = std::make_shared<json_object>();
      space();
      if (i < s.size() && s[i] == '}') {
        ++i;
      } else {
        while (true) {
          std::string key = string();
          expect(':');
          obj->emplace_back(std::move(key), value());
          space();
          if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
          }
          expect('}');
          break;
        }
      }
      j.v = obj;
    } else if (c == '[') {
      ++i;
      auto arr = std::make_shared<json_array>();
      space();
      if (i < s.size() && s[i] == ']') {
        ++i;
      } else {
        while (true) {
          arr->push_back(value());
          space();
          if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
          }
          expect(']');
          break;
        }
      }
      j.v = arr;
    } else if (c == '"') {
      j.v = string();
    } else if (s.substr(i, 4) == "true" || s.substr(i, 5) == "false" || s.substr(i, 4) == "null") {
      j.v = s[i] == 'n' ? json{}.v : decltype(j.v)(s[i] == 't');
      i += s[i] == 'f' ? 5 : 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < s.size() && std::strchr("+-.eE0123456789", s[end])) ++end;
      const std::string number(s.substr(i, end - i));
      char* stop = nullptr;
      const double d = std::strtod(number.c_str(), &stop);
      if (stop != number.c_str() + number.size()) throw fail("a number in the JSON header is bad");
      j.v = d;
      i = end;
    } else {
      throw fail(fmt::format("unexpected character '{}' in the JSON header", c));
    }
    --depth;
    return j;
  }
};

const char* dtype_name(safetensors_dtype d) { return d == safetensors_dtype::f32 ? "F32" : "F64"; }

std::string shape_text(const std::vector<std::size_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

}  // namespace

namespace detail {

std::vector<char> encode_safetensors(std::span<const node> nodes, std::span<const double> params,
                                     safetensors_dtype dtype) {
  const std::vector<tensor_slot> slots = sequential_tensors(nodes);
  const std::size_t size = dtype == safetensors_dtype::f32 ? 4 : 8;
  std::string header = "{\"__metadata__\":{\"format\":\"pt\",\"producer\":\"kiln\"}";
  std::size_t offset = 0;
  for (const tensor_slot& t : slots) {
    if (std::size_t(t.param_offset + t.count) > params.size())
      throw checkpoint_error("kiln::save_safetensors: params is smaller than the network");
    const std::size_t bytes = t.integer ? 8 : size;
    header += fmt::format(",\"{}\":{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
                          t.name, t.integer ? "I64" : dtype_name(dtype), fmt::join(t.shape, ","),
                          offset, offset + t.count * bytes);
    offset += t.count * bytes;
  }
  header += "}";
  while (header.size() % 8 != 0) header += ' ';  // the data starts 8-byte aligned
  std::vector<char> out;
  for (int i = 0; i < 8; ++i) out.push_back(char(std::uint64_t(header.size()) >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  for (const tensor_slot& t : slots)
    for (int k = 0; k < t.count; ++k) {
      const double d = params[t.param_offset + k];
      // A count is a whole number; a negative or fractional one (a user's edit) is clamped.
      const std::uint64_t bits = t.integer ? std::uint64_t(std::int64_t(std::clamp(d, 0.0, 9.0e15)))
                                           : detail::to_bits(d, int(size));
      for (std::size_t i = 0; i < (t.integer ? 8 : size); ++i) out.push_back(char(bits >> (8 * i)));
    }
  return out;
}

std::vector<double> decode_safetensors(std::span<const char> b, const std::string& path,
                                       std::span<const node> nodes) {
  auto fail = [&](std::size_t at, const std::string& what) {
    return checkpoint_error(fmt::format("kiln::load_safetensors: {}: byte {}: {}", path, at, what));
  };
  if (b.size() < 8)
    throw fail(b.size(), fmt::format("the file ends after {} bytes, expected the 8-byte header "
                                     "length",
                                     b.size()));
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | std::uint8_t(b[i]);
  if (n > b.size() - 8)
    throw fail(0, fmt::format("the header length {} runs past the end of the file ({} bytes)", n,
                              b.size()));
  json_parser p{std::string_view(b.data() + 8, n), 8, path};
  const json root = p.value();
  p.space();
  if (p.i != n) throw p.fail("unexpected bytes after the JSON header");
  const auto* top = std::get_if<std::shared_ptr<json_object>>(&root.v);
  if (!top) throw fail(8, "the header should be a JSON object");
  const std::size_t data_at = 8 + n, data_size = b.size() - data_at;

  struct entry {
    std::string name;
    std::string dtype;
    std::vector<std::size_t> shape;
    std::size_t begin = 0, end = 0, at = 0;
  };
  std::vector<entry> entries;
  for (const auto& [name, value] : **top) {
    if (name == "__metadata__") continue;
    const auto* obj = std::get_if<std::shared_ptr<json_object>>(&value.v);
    if (!obj) throw fail(value.at, fmt::format("tensor '{}' should be a JSON object", name));
    entry e;
    e.name = name;
    e.at = value.at;
    bool has_dtype = false, has_shape = false, has_offsets = false;
    for (const auto& [key, field] : **obj) {
      auto integers = [&, &key = key, &field = field](std::size_t count) {
        const auto* arr = std::get_if<std::shared_ptr<json_array>>(&field.v);
        std::vector<std::size_t> out;
        if (arr)
          for (const json& x : **arr) {
            const double* d = std::get_if<double>(&x.v);
            // The range first: converting 1e21 (or NaN) to an integer is undefined behaviour.
            if (!d || !(*d >= 0 && *d <= 9.0e15) || *d != double(std::uint64_t(*d))) {
              arr = nullptr;
              break;
            }
            out.push_back(std::size_t(*d));
          }
        if (!arr || (count && out.size() != count))
          throw fail(field.at, fmt::format("'{}' of tensor '{}' should be {}", key, name,
                                           count ? "[begin, end]" : "a list of sizes"));
        return out;
      };
      if (key == "dtype") {
        const auto* s = std::get_if<std::string>(&field.v);
        if (!s)
          throw fail(field.at, fmt::format("'dtype' of tensor '{}' should be a string", name));
        e.dtype = *s;
        has_dtype = true;
      } else if (key == "shape") {
        e.shape = integers(0);
        has_shape = true;
      } else if (key == "data_offsets") {
        const auto o = integers(2);
        e.begin = o[0];
        e.end = o[1];
        has_offsets = true;
      }
    }
    if (!has_dtype || !has_shape || !has_offsets)
      throw fail(e.at,
                 fmt::format("tensor '{}' needs 'dtype', 'shape' and 'data_offsets'", e.name));
    if (e.dtype != "F32" && e.dtype != "F64" && e.dtype != "I64")
      throw fail(
          e.at, fmt::format("tensor '{}' has dtype {}: expected F32, F64 or I64", e.name, e.dtype));
    if (e.begin > e.end || e.end > data_size)
      throw fail(e.at, fmt::format("tensor '{}' has data_offsets [{}, {}) outside the {} data "
                                   "bytes of the file",
                                   e.name, e.begin, e.end, data_size));
    std::size_t count = 1;
    for (std::size_t d : e.shape) count = d && count > data_size / d ? data_size + 1 : count * d;
    const std::size_t size = e.dtype == "F32" ? 4 : 8;  // F64, I64: 8
    if (count > data_size || count * size != e.end - e.begin)
      throw fail(e.at, fmt::format(
                           "tensor '{}' has {} data bytes, but shape {} of {} needs {}", e.name,
                           e.end - e.begin, shape_text(e.shape), e.dtype,
                           count > data_size ? std::string("more") : std::to_string(count * size)));
    entries.push_back(std::move(e));
  }
  // No two tensors may share bytes, and together they cover the data exactly.
  std::vector<const entry*> by_offset;
  for (const entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const entry* a, const entry* c) { return a->begin < c->begin; });
  std::size_t covered = 0;
  for (std::size_t k = 0; k < by_offset.size(); ++k) {
    const entry& e = *by_offset[k];
    if (k > 0 && e.begin < by_offset[k - 1]->end)
      throw fail(e.at, fmt::format("tensors '{}' [{}, {}) and '{}' [{}, {}) overlap",
                                   by_offset[k - 1]->name, by_offset[k - 1]->begin,
                                   by_offset[k - 1]->end, e.name, e.begin, e.end));
    if (e.begin > covered)
      throw fail(data_at + covered,
                 fmt::format("data bytes [{}, {}) belong to no tensor", covered, e.begin));
    covered = std::max(covered, e.end);
  }
  if (covered != data_size)
    throw fail(data_at + covered,
               fmt::format("data bytes [{}, {}) belong to no tensor", covered, data_size));

  // Match the tensors against the network's nn.Sequential.
  const std::vector<tensor_slot> slots = sequential_tensors(nodes);
  int total = 0;
  for (const node& nd : nodes) total = std::max(total, nd.param_offset + nd.param_count);
  std::vector<double> params(total, 0.0);
  for (const entry& e : entries)
    if (std::none_of(slots.begin(), slots.end(),
                     [&](const tensor_slot& s) { return s.name == e.name; }))
      throw fail(e.at, fmt::format("unexpected tensor '{}': the network `{}` has {}", e.name,
                                   describe_structure(nodes), [&] {
                                     std::vector<std::string> names;
                                     for (const tensor_slot& s : slots) names.push_back(s.name);
                                     return fmt::format("{}", fmt::join(names, ", "));
                                   }()));
  for (const tensor_slot& s : slots) {
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&](const entry& e) { return e.name == s.name; });
    const node& nd = nodes[s.layer];
    const std::string layer =
        fmt::format("layer {} ({} {} -> {})", s.layer, kind_name(nd.k), nd.in, nd.out);
    if (it == entries.end())
      throw checkpoint_error(
          fmt::format("kiln::load_safetensors: {}: no tensor '{}' (shape {} "
                      "for {})",
                      path, s.name, shape_text(s.shape), layer));
    if (it->shape != s.shape)
      throw fail(it->at, fmt::format("tensor '{}' has shape {}, expected {} for {}", s.name,
                                     shape_text(it->shape), shape_text(s.shape), layer));
    if ((it->dtype == "I64") != s.integer)
      throw fail(it->at, fmt::format("tensor '{}' has dtype {}, expected {} for {}", s.name,
                                     it->dtype, s.integer ? "I64" : "F32 or F64", layer));
    const bool f32 = it->dtype == "F32";
    for (int k = 0; k < s.count; ++k) {
      const std::size_t at = data_at + it->begin + std::size_t(k) * (f32 ? 4 : 8);
      std::uint64_t bits = 0;
      for (int i = (f32 ? 4 : 8) - 1; i >= 0; --i) bits = (bits << 8) | std::uint8_t(b[at + i]);
      params[s.param_offset + k] =
          s.integer ? double(std::int64_t(bits)) : detail::from_bits(bits, f32 ? 4 : 8);
    }
  }
  return params;
}

}  // namespace detail

}  // namespace kiln
