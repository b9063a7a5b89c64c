// Example 8: a character-level MLP language model on English words (Debian's wamerican). Trains
// tokens<3, 27> -> embedding<27, 10> -> 200 tanh -> 27 softmax to predict each next character,
// compares its test loss with an add-one bigram model's, samples new words autoregressively,
// and draws the loss curves and the 27 embeddings projected on their two principal axes.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <kiln/runtime.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/engine.hpp"
#include "common/example.hpp"
#include "common/plot.hpp"
#include "language_model.hpp"
#if KILN_GENERATED
#include "language_model.kiln.hpp"
#endif

namespace {

constexpr int context = 3, symbols = 27, dim = 10;  // symbol 0 is '.', 1..26 are a..z
const char* const default_words = "/usr/share/dict/words";

char symbol_char(int s) { return s == 0 ? '.' : char('a' + s - 1); }

/// The word list lower-cased, words of letters a-z only, each once, sorted. Throws naming the
/// file when it cannot be read or holds no such word.
std::vector<std::string> read_words(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(
        "cannot read " + path +
        " (Debian's wamerican package installs it: apt-get install wamerican)");
  std::vector<std::string> words;
  for (std::string line; std::getline(in, line);) {
    std::string w;
    bool letters = !line.empty();
    for (char c : line) {
      const char l = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
      if (l < 'a' || l > 'z') {
        letters = false;
        break;
      }
      w += l;
    }
    if (letters) words.push_back(std::move(w));
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  if (words.empty()) throw std::runtime_error(path + " holds no word of letters a-z");
  return words;
}

/// One sample per character of each word and one for its end: the previous `context` symbols
/// (start-padded with '.') as token IDs, the next symbol one-hot.
kiln::dataset<float> samples(const std::vector<std::string>& words) {
  std::vector<float> x, y;
  for (const std::string& w : words) {
    std::array<int, context> ctx{};
    for (std::size_t i = 0; i <= w.size(); ++i) {
      const int next = i < w.size() ? w[i] - 'a' + 1 : 0;
      for (int c : ctx) x.push_back(float(c));
      for (int s = 0; s < symbols; ++s) y.push_back(s == next ? 1.0f : 0.0f);
      std::rotate(ctx.begin(), ctx.begin() + 1, ctx.end());
      ctx.back() = next;
    }
  }
  return kiln::dataset<float>(context, symbols, std::move(x), std::move(y));
}

/// The count-based bigram model with add-one smoothing: P(b | a) = (n(a b) + 1) / (n(a) + 27).
struct bigram {
  std::array<std::array<double, symbols>, symbols> log_p{};
  explicit bigram(const std::vector<std::string>& words) {
    std::array<std::array<double, symbols>, symbols> n{};
    for (const std::string& w : words) {
      int a = 0;
      for (std::size_t i = 0; i <= w.size(); ++i) {
        const int b = i < w.size() ? w[i] - 'a' + 1 : 0;
        n[a][b] += 1;
        a = b;
      }
    }
    for (int a = 0; a < symbols; ++a) {
      double total = 0;
      for (double c : n[a]) total += c;
      for (int b = 0; b < symbols; ++b) log_p[a][b] = std::log((n[a][b] + 1) / (total + symbols));
    }
  }
  /// Mean negative log-likelihood per predicted symbol (every character and each word's end).
  double loss(const std::vector<std::string>& words) const {
    double total = 0;
    long count = 0;
    for (const std::string& w : words) {
      int a = 0;
      for (std::size_t i = 0; i <= w.size(); ++i, ++count) {
        const int b = i < w.size() ? w[i] - 'a' + 1 : 0;
        total -= log_p[a][b];
        a = b;
      }
    }
    return total / double(count);
  }
};

/// A new word: start from '.' '.' '.', draw each next symbol from the softmax at `temperature`
/// (p^(1/T), renormalized), shift it into the context, stop at '.' (or after 40 symbols).
template <kiln::model M>
std::string sample_word(const M& engine, std::span<const float> params, double temperature,
                        kiln::rng& r) {
  std::array<float, context> ctx{};
  std::array<float, symbols> p{};
  std::string word;
  while (word.size() < 40) {
    engine.forward(params, ctx, p, 1);
    std::array<double, symbols> w{};
    double total = 0;
    for (int s = 0; s < symbols; ++s) total += w[s] = std::pow(double(p[s]), 1.0 / temperature);
    double u = r.uniform() * total;
    int next = symbols - 1;
    for (int s = 0; s < symbols; ++s)
      if ((u -= w[s]) < 0) {
        next = s;
        break;
      }
    if (next == 0) break;
    word += symbol_char(next);
    std::rotate(ctx.begin(), ctx.begin() + 1, ctx.end());
    ctx.back() = float(next);
  }
  return word;
}

/// The rows of table[symbols][dim] projected on their two principal axes (power iteration on
/// the covariance, the second axis deflated): x and y per symbol.
std::array<std::vector<double>, 2> principal_plane(std::span<const float> table) {
  std::array<double, dim> mean{};
  for (int s = 0; s < symbols; ++s)
    for (int d = 0; d < dim; ++d) mean[d] += table[s * dim + d] / symbols;
  std::array<std::array<double, dim>, dim> cov{};
  for (int s = 0; s < symbols; ++s)
    for (int i = 0; i < dim; ++i)
      for (int j = 0; j < dim; ++j)
        cov[i][j] += (table[s * dim + i] - mean[i]) * (table[s * dim + j] - mean[j]);
  std::array<std::array<double, dim>, 2> axes{};
  for (int a = 0; a < 2; ++a) {
    std::array<double, dim> v{};
    for (int d = 0; d < dim; ++d) v[d] = 1.0 + 0.1 * d;
    for (int it = 0; it < 500; ++it) {
      std::array<double, dim> w{};
      for (int i = 0; i < dim; ++i)
        for (int j = 0; j < dim; ++j) w[i] += cov[i][j] * v[j];
      if (a == 1) {  // deflate: keep w orthogonal to the first axis
        double dot = 0;
        for (int d = 0; d < dim; ++d) dot += w[d] * axes[0][d];
        for (int d = 0; d < dim; ++d) w[d] -= dot * axes[0][d];
      }
      double norm = 0;
      for (double c : w) norm += c * c;
      norm = std::sqrt(norm);
      if (norm == 0) break;
      for (int d = 0; d < dim; ++d) v[d] = w[d] / norm;
    }
    axes[a] = v;
  }
  std::array<std::vector<double>, 2> xy;
  for (int s = 0; s < symbols; ++s)
    for (int a = 0; a < 2; ++a) {
      double c = 0;
      for (int d = 0; d < dim; ++d) c += (table[s * dim + d] - mean[d]) * axes[a][d];
      xy[a].push_back(c);
    }
  return xy;
}

}  // namespace

int main(int argc, char** argv) {
  const examples::options opt = examples::parse_options(argc, argv);
  const auto engine = examples::engine<examples::language_model>();
  using engine_t = decltype(engine);

  // The words, shuffled by a fixed seed and split 80/10/10.
  std::vector<std::string> words;
  try {
    words = read_words(opt.data.empty() ? default_words : opt.data);
  } catch (const std::exception& e) {
    fmt::print(stderr, "08_language_model: {}\n", e.what());
    return 1;
  }
  const std::set<std::string> known(words.begin(), words.end());
  const std::vector<int> order = kiln::permutation(int(words.size()), 2026);
  std::vector<std::string> train_words, val_words, test_words;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string& w = words[order[i]];
    const std::size_t part = 10 * i / order.size();  // 0-7 train, 8 validation, 9 test
    (part < 8 ? train_words : part == 8 ? val_words : test_words).push_back(w);
  }
  // --quick trains on the first quarter of the training words, for fewer epochs.
  const std::vector<std::string> fit_words(
      train_words.begin(),
      train_words.begin() + (opt.quick ? train_words.size() / 4 : train_words.size()));
  const kiln::dataset<float> train = samples(fit_words), val = samples(val_words),
                             test = samples(test_words);

  std::vector<float> params = examples::initial_params<examples::language_model>(
      kiln::init_scheme::xavier_uniform, opt.seed);
  const int epochs = opt.quick ? 3 : 12, batch = 64;
  const int steps = epochs * ((train.size() + batch - 1) / batch);
  kiln::optimizer<float> adam(kiln::adam{.lr = 0.003}, engine_t::param_count,
                              kiln::schedule::cosine(steps, 0.05));
  const kiln::fit_history history = kiln::fit(engine, std::span<float>(params), adam, train, val,
                                              {.epochs = epochs,
                                               .batch_size = batch,
                                               .seed = opt.seed,
                                               .metric = kiln::metric_kind::none,
                                               .evaluate_train = false});
  if (history.diverged) {
    fmt::print("{}\n", history.message);
    return 1;
  }
  const std::span<const float> p(params);
  const double train_loss = kiln::mean_loss(engine, p, train);
  const double val_loss = kiln::mean_loss(engine, p, val);
  const double test_loss = kiln::mean_loss(engine, p, test);
  const bigram counts(fit_words);
  const double bigram_loss = counts.loss(test_words);

  fmt::print(
      "language model: tokens<3, 27> -> embedding<27, 10> -> 200 tanh -> 27 softmax, {} "
      "parameters, {} engine\n",
      engine_t::param_count, examples::engine_name);
  fmt::print("words: {} from {} (a-z, lower-cased, once each); split 80/10/10: {} / {} / {}{}\n",
             words.size(), opt.data.empty() ? default_words : opt.data, train_words.size(),
             val_words.size(), test_words.size(),
             opt.quick ? fmt::format(" (--quick trains on {})", fit_words.size()) : std::string());
  fmt::print("samples (one per character and end): train {}, validation {}, test {}\n",
             train.size(), val.size(), test.size());
  fmt::print("{} epochs of Adam (lr 0.003, cosine to 5%), batch {}:\n", history.epochs.size(),
             batch);
  for (const kiln::epoch_stats& s : history.epochs)
    fmt::print("  epoch {:>3}  training loss {:.4f}  validation loss {:.4f}\n", s.epoch + 1,
               s.train_loss, s.test_loss);
  fmt::print("loss in nats per character: train {:.4f}, validation {:.4f}, test {:.4f}\n",
             train_loss, val_loss, test_loss);
  fmt::print("test perplexity {:.3f}\n", std::exp(test_loss));
  const double gain = bigram_loss - test_loss;
  fmt::print(
      "add-one bigram on the same split: test loss {:.4f} (perplexity {:.3f}); the MLP is "
      "{:.4f} nats per character below it ({})\n",
      bigram_loss, std::exp(bigram_loss), gain,
      gain >= 0.2 ? "target 0.2 met" : "target 0.2 missed");

  // Twenty new words, temperature 0.8.
  const double temperature = 0.8;
  kiln::rng r(opt.seed * 7919 + 1);
  int novel = 0;
  std::string line;
  fmt::print("20 sampled words (seed {}, temperature {}):\n", opt.seed, temperature);
  for (int i = 0; i < 20; ++i) {
    const std::string w = sample_word(engine, p, temperature, r);
    const bool is_new = !known.contains(w);
    novel += is_new;
    line += fmt::format("  {}{}", w.empty() ? "(empty)" : w, is_new ? "*" : "");
    if (i % 5 == 4) {
      fmt::print("{}\n", line);
      line.clear();
    }
  }
  fmt::print("{} of 20 are not in the word list (marked *)\n", novel);

  // Pictures: the loss curves, and the embeddings on their principal plane.
  std::vector<double> epoch_axis, losses, val_losses, bigram_line;
  for (const kiln::epoch_stats& s : history.epochs) {
    epoch_axis.push_back(s.epoch + 1);
    losses.push_back(s.train_loss);
    val_losses.push_back(s.test_loss);
    bigram_line.push_back(bigram_loss);
  }
  const std::string loss_path = opt.picture("08_language_model_loss.png");
  kiln::plot::figure("Character MLP: loss per character", "epoch", "cross-entropy (nats/char)")
      .add("training (mean over the epoch)", epoch_axis, losses, {.markers = true})
      .add("validation (after the epoch)", epoch_axis, val_losses, {.markers = true})
      .add("add-one bigram, test", epoch_axis, bigram_line, {.dashed = true})
      .save(loss_path);
  const auto xy = principal_plane(
      p.subspan(engine_t::spec_type::layout[1].param_offset, std::size_t(symbols) * dim));
  std::vector<double> vx, vy, cx, cy;
  std::vector<std::string> vt, ct;
  for (int s = 0; s < symbols; ++s) {
    const char c = symbol_char(s);
    const bool vowel = std::string_view(".aeiouy").find(c) != std::string_view::npos;
    (vowel ? vx : cx).push_back(xy[0][s]);
    (vowel ? vy : cy).push_back(xy[1][s]);
    (vowel ? vt : ct).push_back(std::string(1, c));
  }
  // Room above the points for the legend.
  const auto [y_lo, y_hi] = std::minmax_element(xy[1].begin(), xy[1].end());
  const auto [x_lo, x_hi] = std::minmax_element(xy[0].begin(), xy[0].end());
  const double y_span = *y_hi - *y_lo, x_span = *x_hi - *x_lo;
  const std::string embedding_path = opt.picture("08_language_model_embedding.png");
  kiln::plot::figure("Character embeddings (10-D) on their two principal axes", "first axis",
                     "second axis")
      .size(720, 640)
      .x_range(*x_lo - 0.05 * x_span, *x_hi + 0.1 * x_span)
      .y_range(*y_lo - 0.05 * y_span, *y_hi + 0.3 * y_span)
      .add_labelled_points("vowels, y and the end '.'", vx, vy, vt, 1)
      .add_labelled_points("consonants", cx, cy, ct, 0)
      .save(embedding_path);
  fmt::print("pictures: {}\n          {}\n", loss_path, embedding_path);
  return gain >= 0.2 ? 0 : 1;
}
