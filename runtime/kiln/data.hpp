// In-memory datasets of fixed-size samples: checking them against a model, train/test split,
// per-epoch shuffling into minibatches, standardization, and the synthetic problems of the
// examples (XOR, the three-arm spiral, a noisy 1-D function).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model.hpp"
#include "random.hpp"

namespace kiln {

/// Samples of `features` inputs and `targets` outputs each, stored row-major:
/// x: [size()][features], y: [size()][targets].
template <class T = float>
struct dataset {
  using value_type = T;
  int features = 0;
  int targets = 0;
  std::vector<T> x;
  std::vector<T> y;

  dataset() = default;
  dataset(int features_, int targets_) : features(features_), targets(targets_) {}
  /// Takes x and y whole; throws std::invalid_argument if they do not hold the same number of
  /// samples.
  dataset(int features_, int targets_, std::vector<T> x_, std::vector<T> y_)
      : features(features_), targets(targets_), x(std::move(x_)), y(std::move(y_)) {
    if (features <= 0 || targets <= 0)
      throw std::invalid_argument("kiln::dataset: features and targets must be positive");
    if (x.size() % features != 0 || y.size() % targets != 0 ||
        x.size() / features != y.size() / targets)
      throw std::invalid_argument("kiln::dataset: x holds " + std::to_string(x.size()) +
                                  " values (" + std::to_string(features) +
                                  " per sample) but y holds " + std::to_string(y.size()) + " (" +
                                  std::to_string(targets) + " per sample)");
  }

  /// Number of samples.
  int size() const { return features > 0 ? int(x.size() / features) : 0; }
  bool empty() const { return size() == 0; }
  std::span<const T> features_of(int i) const {
    return {x.data() + std::size_t(i) * features, std::size_t(features)};
  }
  std::span<const T> targets_of(int i) const {
    return {y.data() + std::size_t(i) * targets, std::size_t(targets)};
  }
  /// Appends one sample.
  void add(std::span<const T> xs, std::span<const T> ys) {
    if (int(xs.size()) != features || int(ys.size()) != targets)
      throw std::invalid_argument("kiln::dataset::add: sample has " + std::to_string(xs.size()) +
                                  " features and " + std::to_string(ys.size()) +
                                  " targets, expected " + std::to_string(features) + " and " +
                                  std::to_string(targets));
    x.insert(x.end(), xs.begin(), xs.end());
    y.insert(y.end(), ys.begin(), ys.end());
  }
};

/// Throws std::invalid_argument unless `data` has M::input_size features and M::output_size
/// targets per sample; `name` says which dataset ("training", "test") in the message.
template <model M, class T>
void check_dataset(const dataset<T>& data, const char* name = "dataset") {
  if (data.features != M::input_size || data.targets != M::output_size)
    throw std::invalid_argument(
        std::string("kiln: the ") + name + " set has " + std::to_string(data.features) +
        " features and " + std::to_string(data.targets) +
        " targets per sample, but the model takes " + std::to_string(M::input_size) +
        " inputs and gives " + std::to_string(M::output_size) + " outputs");
}

/// The same samples in another precision.
template <class To, class From>
dataset<To> dataset_cast(const dataset<From>& d) {
  return dataset<To>(d.features, d.targets, std::vector<To>(d.x.begin(), d.x.end()),
                     std::vector<To>(d.y.begin(), d.y.end()));
}

/// The samples at `indices`, in that order.
template <class T>
dataset<T> subset(const dataset<T>& d, std::span<const int> indices) {
  dataset<T> out(d.features, d.targets);
  out.x.reserve(indices.size() * d.features);
  out.y.reserve(indices.size() * d.targets);
  for (int i : indices) out.add(d.features_of(i), d.targets_of(i));
  return out;
}

/// 0, 1, ..., n-1 in a random order drawn from `seed` (Fisher-Yates).
inline std::vector<int> permutation(int n, std::uint64_t seed) {
  std::vector<int> p(n);
  for (int i = 0; i < n; ++i) p[i] = i;
  rng r(seed);
  for (int i = n - 1; i > 0; --i) std::swap(p[i], p[r.below(std::uint64_t(i) + 1)]);
  return p;
}

/// Splits shuffled samples into (train, test), test holding round(test_fraction * size) of them.
template <class T>
std::pair<dataset<T>, dataset<T>> train_test_split(const dataset<T>& d, double test_fraction,
                                                   std::uint64_t seed) {
  if (!(test_fraction >= 0 && test_fraction <= 1))
    throw std::invalid_argument("kiln::train_test_split: test_fraction must be in [0, 1]");
  const std::vector<int> p = permutation(d.size(), seed);
  const int n_test = int(std::lround(test_fraction * d.size()));
  const std::span<const int> all(p);
  return {subset(d, all.subspan(n_test)), subset(d, all.first(n_test))};
}

/// Per-feature standardization: x' = (x - mean) / stddev, fitted on one set (the training set)
/// and applied to any other. Features with zero spread get stddev 1.
template <class T>
struct standardizer {
  std::vector<double> mean, stddev;

  /// Fits mean and (population) standard deviation of every feature of `d`.
  static standardizer fit(const dataset<T>& d) {
    standardizer s;
    const int n = d.size(), f = d.features;
    s.mean.assign(f, 0.0);
    s.stddev.assign(f, 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < f; ++j) s.mean[j] += d.x[std::size_t(i) * f + j];
    for (int j = 0; j < f; ++j) s.mean[j] /= std::max(n, 1);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < f; ++j) {
        const double e = d.x[std::size_t(i) * f + j] - s.mean[j];
        s.stddev[j] += e * e;
      }
    for (int j = 0; j < f; ++j) {
      s.stddev[j] = std::sqrt(s.stddev[j] / std::max(n, 1));
      if (!(s.stddev[j] > 0)) s.stddev[j] = 1.0;
    }
    return s;
  }

  /// Standardizes the features of `d` in place.
  void apply(dataset<T>& d) const {
    if (int(mean.size()) != d.features)
      throw std::invalid_argument("kiln::standardizer::apply: fitted on " +
                                  std::to_string(mean.size()) + " features, the data has " +
                                  std::to_string(d.features));
    for (std::size_t i = 0; i < d.x.size(); ++i) {
      const std::size_t j = i % d.features;
      d.x[i] = T((d.x[i] - mean[j]) / stddev[j]);
    }
  }
};

/// Minibatches of one epoch: the samples in an order drawn from (seed, epoch), cut into batches
/// of `batch_size` (the last one may be smaller), gathered into contiguous buffers.
template <class T>
class minibatches {
 public:
  minibatches(const dataset<T>& d, int batch_size, std::uint64_t seed, int epoch,
              bool shuffle = true)
      : data_(&d), batch_size_(batch_size) {
    if (batch_size <= 0) throw std::invalid_argument("kiln::minibatches: batch_size must be > 0");
    if (shuffle) {
      order_ = permutation(d.size(), mix_seed(seed, std::uint64_t(epoch)));
    } else {
      order_.resize(d.size());
      for (int i = 0; i < d.size(); ++i) order_[i] = i;
    }
  }
  /// Number of batches.
  int count() const { return (data_->size() + batch_size_ - 1) / batch_size_; }
  /// Samples in batch k.
  int size(int k) const { return std::min(batch_size_, data_->size() - k * batch_size_); }
  /// Gathers batch k into x: [size(k)][features], y: [size(k)][targets]; returns size(k).
  int gather(int k, std::vector<T>& x, std::vector<T>& y) const {
    const int n = size(k);
    x.resize(std::size_t(n) * data_->features);
    y.resize(std::size_t(n) * data_->targets);
    gather_rows(k, 0, n, x.data(), y.data());
    return n;
  }
  /// Samples [first, first + count) of batch k into rows first .. first + count of x
  /// ([size(k)][features]) and y ([size(k)][targets]): a part of gather, for a thread's shard.
  void gather_rows(int k, int first, int count, T* x, T* y) const {
    const int f = data_->features, t = data_->targets;
    for (int i = first; i < first + count; ++i) {
      const int s = order_[k * batch_size_ + i];
      std::copy_n(data_->x.begin() + std::size_t(s) * f, f, x + std::size_t(i) * f);
      std::copy_n(data_->y.begin() + std::size_t(s) * t, t, y + std::size_t(i) * t);
    }
  }
  /// The sample order of this epoch.
  const std::vector<int>& order() const { return order_; }

 private:
  const dataset<T>* data_;
  int batch_size_;
  std::vector<int> order_;
};

/// One-hot rows: label l of `classes` becomes [0 .. 1 at l .. 0]. Throws on labels out of range.
template <class T = float>
std::vector<T> one_hot(std::span<const int> labels, int classes) {
  std::vector<T> out(labels.size() * std::size_t(classes), T(0));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes)
      throw std::invalid_argument("kiln::one_hot: label " + std::to_string(labels[i]) +
                                  " of sample " + std::to_string(i) + " is not in [0, " +
                                  std::to_string(classes) + ")");
    out[i * classes + labels[i]] = T(1);
  }
  return out;
}

/// XOR: the four points of {0, 1}^2, target x0 xor x1 (one value per sample).
template <class T = float>
dataset<T> make_xor() {
  return dataset<T>(2, 1, {0, 0, 0, 1, 1, 0, 1, 1}, {0, 1, 1, 0});
}

/// The CS231n spiral: `classes` arms of `points_per_class` points each. For arm j and point i,
/// r = i / (N - 1), t = 4 (j + r) + noise * normal() (radians), x = (r sin t, r cos t); targets
/// one-hot over the arms. Samples are ordered arm by arm.
template <class T = float>
dataset<T> make_spiral(int points_per_class, int classes = 3, double noise = 0.2,
                       std::uint64_t seed = 0) {
  if (points_per_class < 2 || classes < 1)
    throw std::invalid_argument("kiln::make_spiral: needs at least 2 points and 1 class");
  dataset<T> d(2, classes);
  rng r(seed);
  std::vector<T> t(classes);
  for (int j = 0; j < classes; ++j) {
    std::fill(t.begin(), t.end(), T(0));
    t[j] = T(1);
    for (int i = 0; i < points_per_class; ++i) {
      const double radius = double(i) / (points_per_class - 1);
      const double angle = 4.0 * (j + radius) + noise * r.normal();
      const T x[2] = {T(radius * std::sin(angle)), T(radius * std::cos(angle))};
      d.add(x, t);
    }
  }
  return d;
}

/// y = f(x) + noise * normal() for `n` points x drawn uniformly from [lo, hi).
template <class T = float>
dataset<T> make_noisy_function(const std::function<double(double)>& f, int n, double lo, double hi,
                               double noise, std::uint64_t seed = 0) {
  dataset<T> d(1, 1);
  rng r(seed);
  for (int i = 0; i < n; ++i) {
    const double x = r.uniform(lo, hi);
    const double y = f(x) + noise * r.normal();
    const T xs[1] = {T(x)}, ys[1] = {T(y)};
    d.add(xs, ys);
  }
  return d;
}

}  // namespace kiln
