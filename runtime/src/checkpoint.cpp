// The checkpoint format and the atomic writer (kiln/checkpoint.hpp). Layout, little-endian:
// magic, version, scalar size, fingerprint, structure text, epoch, optimizer name and steps,
// parameters, optimizer state, then (version 2) named state buffers and fit's progress, CRC-32 of
// everything before it (see docs/reliability.md). Version 1 files still load.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <kiln/checkpoint.hpp>
#include <sstream>

#include "bits.hpp"

namespace kiln {

std::string describe_structure(std::span<const node> nodes) {
  std::string s;
  for (const node& n : nodes) {
    if (!s.empty()) s += ' ';
    switch (n.k) {
      case kind::input:
        if (const int vocab = token_vocab(n); vocab > 0)
          s += fmt::format("tokens<{}, {}>", n.out, vocab);
        else
          s += fmt::format("input<{}>", n.out);
        break;
      case kind::embedding:
        s += fmt::format("embedding<{}, {}>", int(n.hp), n.out / n.in);
        break;
      case kind::dense:
        s += fmt::format("{}<{}>", n.bias ? "dense" : "dense_no_bias", n.out);
        break;
      case kind::layer_norm:
      case kind::batch_norm:
        s += fmt::format("{}<{}>", kind_name(n.k), n.out);
        break;
      case kind::residual_begin:
        s += "residual{";
        break;
      case kind::residual_end:
        s += "}";
        break;
      default:
        s += kind_name(n.k);
    }
  }
  return s;
}

std::uint64_t structure_fingerprint(std::span<const node> nodes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : describe_structure(nodes)) h = (h ^ std::uint8_t(c)) * 0x100000001b3ull;
  return h;
}

void write_file_atomically(const std::string& path, std::span<const char> bytes,
                           const save_hooks& hooks) {
  const std::string temporary = path + ".tmp";
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    return checkpoint_error(fmt::format("kiln: cannot {} {}: {}", what, temporary, reason));
  };
  std::FILE* f = std::fopen(temporary.c_str(), "wb");
  if (!f) throw fail("create");
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                       std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  if (!written) {
    const checkpoint_error e = fail("write");
    std::fclose(f);
    std::remove(temporary.c_str());
    throw e;
  }
  if (std::fclose(f) != 0) throw fail("close");
  if (hooks.after_temporary_written) hooks.after_temporary_written(temporary);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    throw checkpoint_error(
        fmt::format("kiln: cannot rename {} to {}: {}", temporary, path, reason));
  }
  // Make the rename itself durable.
  const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  const int dir = ::open(parent.c_str(), O_RDONLY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

namespace {

constexpr char magic[8] = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
constexpr std::uint32_t version = 2;

std::uint32_t crc32(const char* data, std::size_t n) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) c = table[(c ^ std::uint8_t(data[i])) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

void put(std::vector<char>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(char(v >> (8 * i)));
}
void put_values(std::vector<char>& out, const std::vector<double>& v, int scalar_bytes) {
  put(out, v.size(), 8);
  for (double d : v) put(out, detail::to_bits(d, scalar_bytes), scalar_bytes);
}

// Reads fields in order, failing with the byte offset of the field that does not fit.
struct reader {
  std::span<const char> b;
  const std::string& path;
  std::size_t at = 0;

  checkpoint_error fail(std::size_t offset, const std::string& what) const {
    return checkpoint_error(
        fmt::format("kiln::load_checkpoint: {}: byte {}: {}", path, offset, what));
  }
  void need(std::size_t n, const char* what) const {
    if (b.size() - at < n)
      throw fail(at, fmt::format("the file ends after {} bytes, expected {} ({} bytes)", b.size(),
                                 what, n));
  }
  std::uint64_t get(int bytes, const char* what) {
    need(bytes, what);
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | std::uint8_t(b[at + i]);
    at += bytes;
    return v;
  }
  std::string text(std::size_t n, const char* what) {
    need(n, what);
    std::string s(b.data() + at, n);
    at += n;
    return s;
  }
  std::vector<double> values(int scalar_bytes, const char* what) {
    const std::size_t count_at = at;
    const std::uint64_t n = get(8, what);
    if (n > (b.size() - at) / scalar_bytes)
      throw fail(count_at, fmt::format("{} {} values do not fit in the {} bytes left", n, what,
                                       b.size() - at));
    std::vector<double> v(n);
    for (double& d : v) d = detail::from_bits(get(scalar_bytes, what), scalar_bytes);
    return v;
  }
};

}  // namespace

namespace detail {

std::vector<char> encode_checkpoint(std::span<const node> nodes, int scalar_bytes,
                                    const checkpoint<double>& c) {
  const std::string structure = describe_structure(nodes);
  std::vector<char> out(magic, magic + 8);
  put(out, version, 4);
  put(out, std::uint32_t(scalar_bytes), 4);
  put(out, structure_fingerprint(nodes), 8);
  put(out, structure.size(), 4);
  out.insert(out.end(), structure.begin(), structure.end());
  put(out, std::uint64_t(c.epoch), 8);
  put(out, c.optimizer.size(), 4);
  out.insert(out.end(), c.optimizer.begin(), c.optimizer.end());
  put(out, std::uint64_t(c.optimizer_steps), 8);
  put_values(out, c.params, scalar_bytes);
  put_values(out, c.optimizer_state, scalar_bytes);
  put(out, c.buffers.size(), 4);
  for (const state_buffer<double>& b : c.buffers) {
    put(out, b.name.size(), 4);
    out.insert(out.end(), b.name.begin(), b.name.end());
    put_values(out, b.values, scalar_bytes);
  }
  put(out, c.has_fit ? 1 : 0, 1);
  if (c.has_fit) {
    const fit_progress<double>& f = c.fit;
    put(out, f.seed, 8);
    put(out, std::uint32_t(f.batch_size), 4);
    put(out, std::uint64_t(f.epochs_done), 8);
    put(out, f.stopped_early ? 1 : 0, 1);
    put(out, f.message.size(), 4);
    out.insert(out.end(), f.message.begin(), f.message.end());
    put(out, std::uint32_t(f.best_epoch), 4);
    put(out, std::uint32_t(f.since_best), 4);
    put(out, detail::to_bits(f.best_value, 8), 8);
    put_values(out, f.best_params, scalar_bytes);
    put_values(out, f.history, 8);
  }
  put(out, crc32(out.data(), out.size()), 4);
  return out;
}

checkpoint<double> decode_checkpoint(std::span<const char> bytes, const std::string& path,
                                     std::span<const node> nodes) {
  reader r{bytes, path};
  if (bytes.size() < 8 || std::memcmp(bytes.data(), magic, 8) != 0)
    throw r.fail(0, "expected the magic string KILNCKPT: this is not a Kiln checkpoint");
  r.at = 8;
  const std::uint32_t v = std::uint32_t(r.get(4, "the format version"));
  if (v != 1 && v != version)
    throw r.fail(8,
                 fmt::format("format version {} is not supported: expected 1 or {}", v, version));
  if (bytes.size() >= 4) {
    std::uint32_t stored = 0;
    for (int i = 3; i >= 0; --i) stored = (stored << 8) | std::uint8_t(bytes[bytes.size() - 4 + i]);
    const std::uint32_t actual = crc32(bytes.data(), bytes.size() - 4);
    if (stored != actual)
      throw r.fail(bytes.size() - 4,
                   fmt::format("checksum mismatch: the file says 0x{:08x}, its bytes give "
                               "0x{:08x} (damaged or truncated)",
                               stored, actual));
  }
  const std::uint32_t scalar = std::uint32_t(r.get(4, "the scalar size"));
  if (scalar != 4 && scalar != 8)
    throw r.fail(12, fmt::format("scalar size {}: expected 4 (float32) or 8 (float64)", scalar));
  const std::uint64_t fingerprint = r.get(8, "the structure fingerprint");
  const std::size_t text_at = r.at;
  const std::uint64_t length = r.get(4, "the structure length");
  if (length > bytes.size() - r.at)
    throw r.fail(text_at, fmt::format("structure text of {} bytes runs past the end", length));
  checkpoint<double> c;
  c.structure = r.text(length, "the structure text");
  if (fingerprint != structure_fingerprint(nodes) || c.structure != describe_structure(nodes))
    throw checkpoint_error(fmt::format(
        "kiln::load_checkpoint: {} was saved from the network `{}`, which is not this network "
        "`{}`",
        path, c.structure, describe_structure(nodes)));
  c.epoch = (long long)r.get(8, "the epoch");
  const std::size_t name_at = r.at;
  const std::uint64_t name_length = r.get(4, "the optimizer name length");
  if (name_length > bytes.size() - r.at)
    throw r.fail(name_at, fmt::format("optimizer name of {} bytes runs past the end", name_length));
  c.optimizer = r.text(name_length, "the optimizer name");
  c.optimizer_steps = (long long)r.get(8, "the optimizer step count");
  c.params = r.values(int(scalar), "parameter");
  c.optimizer_state = r.values(int(scalar), "optimizer state");
  if (v >= 2) {
    const std::size_t count_at = r.at;
    const std::uint64_t buffers = r.get(4, "the state buffer count");
    if (buffers > (bytes.size() - r.at) / 12)
      throw r.fail(count_at, fmt::format("{} state buffers do not fit in the {} bytes left",
                                         buffers, bytes.size() - r.at));
    for (std::uint64_t i = 0; i < buffers; ++i) {
      state_buffer<double> b;
      b.name = r.text(r.get(4, "a state buffer's name length"), "a state buffer's name");
      b.values = r.values(int(scalar), "state buffer");
      c.buffers.push_back(std::move(b));
    }
    const std::size_t flag_at = r.at;
    const std::uint64_t has_fit = r.get(1, "the fit progress flag");
    if (has_fit > 1)
      throw r.fail(flag_at, fmt::format("fit progress flag {}: expected 0 or 1", has_fit));
    c.has_fit = has_fit == 1;
    if (c.has_fit) {
      fit_progress<double>& f = c.fit;
      f.seed = r.get(8, "fit's seed");
      f.batch_size = int(std::uint32_t(r.get(4, "fit's batch size")));
      f.epochs_done = (long long)r.get(8, "fit's epoch count");
      f.stopped_early = r.get(1, "fit's early-stop flag") != 0;
      f.message = r.text(r.get(4, "fit's message length"), "fit's message");
      f.best_epoch = int(std::uint32_t(r.get(4, "fit's best epoch")));
      f.since_best = int(std::uint32_t(r.get(4, "fit's epochs since the best")));
      f.best_value = detail::from_bits(r.get(8, "fit's best value"), 8);
      f.best_params = r.values(int(scalar), "best parameter");
      const std::size_t history_at = r.at;
      f.history = r.values(8, "history");
      if (f.history.size() % 7 != 0)
        throw r.fail(history_at,
                     fmt::format("{} history values: expected 7 per epoch", f.history.size()));
    }
  }
  if (r.at + 4 != bytes.size())
    throw r.fail(r.at, fmt::format("expected the 4-byte checksum and the end of the file, found "
                                   "{} bytes",
                                   bytes.size() - r.at));
  return c;
}

std::vector<char> read_whole_file(const std::string& path, const char* who) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw checkpoint_error(fmt::format("{}: {}: cannot open the file", who, path));
  std::ostringstream s;
  s << in.rdbuf();
  const std::string text = std::move(s).str();
  return std::vector<char>(text.begin(), text.end());
}

}  // namespace detail

}  // namespace kiln
