// Metrics of a model on a dataset: loss, accuracy, mean squared error and the confusion matrix,
// computed in inference mode by chunks of samples.
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "data.hpp"
#include "init.hpp"
#include "model.hpp"

namespace kiln {

/// Which metric a training run reports: accuracy (classification), mse (regression), none, or
/// automatic (accuracy after softmax_cross_entropy or binary_cross_entropy, else mse).
enum class metric_kind { automatic, accuracy, mse, none };

/// The class a row of outputs stands for: argmax when there are several values, else
/// (value >= 0.5) for one sigmoid output.
template <class T>
int predicted_class(std::span<const T> row) {
  if (row.size() == 1) return row[0] >= T(0.5) ? 1 : 0;
  return int(std::max_element(row.begin(), row.end()) - row.begin());
}

/// Calls fn(i, outputs of sample i) for every sample of `data`, in order.
template <model M, class F>
void for_each_output(const M& m, std::span<const typename M::value_type> params,
                     const dataset<typename M::value_type>& data, F&& fn, int chunk = 256) {
  using T = typename M::value_type;
  check_dataset<M>(data);
  std::vector<T> y;
  for (int start = 0; start < data.size(); start += chunk) {
    const int n = std::min(chunk, data.size() - start);
    y.resize(std::size_t(n) * M::output_size);
    m.forward(params,
              std::span<const T>(data.x.data() + std::size_t(start) * M::input_size,
                                 std::size_t(n) * M::input_size),
              y, n);
    for (int i = 0; i < n; ++i)
      fn(start + i, std::span<const T>(y.data() + std::size_t(i) * M::output_size,
                                       std::size_t(M::output_size)));
  }
}

// accuracy, mean_squared_error, confusion and evaluate_metric take a model, or a sharded_model
// (parallel.hpp), whose for_each_output computes the outputs on threads.
template <class E>
using value_type_of = typename std::remove_cvref_t<E>::value_type;

/// Fraction of samples whose predicted class (predicted_class) matches their target's.
template <class E>
double accuracy(E&& m, std::span<const value_type_of<E>> params,
                const dataset<value_type_of<E>>& data) {
  long long right = 0;
  for_each_output(m, params, data, [&](int i, auto y) {
    right += predicted_class(y) == predicted_class(data.targets_of(i));
  });
  return data.empty() ? 0.0 : double(right) / data.size();
}

/// Mean over samples and outputs of (y - t)^2.
template <class E>
double mean_squared_error(E&& m, std::span<const value_type_of<E>> params,
                          const dataset<value_type_of<E>>& data) {
  double sum = 0;
  for_each_output(m, params, data, [&](int i, auto y) {
    const auto t = data.targets_of(i);
    for (std::size_t j = 0; j < y.size(); ++j) sum += (double(y[j]) - t[j]) * (double(y[j]) - t[j]);
  });
  return data.empty() ? 0.0 : sum / (double(data.size()) * std::remove_cvref_t<E>::output_size);
}

/// Mean loss over the whole dataset in inference mode (batches of `chunk`, weighted by size).
template <trainable_model M>
double mean_loss(const M& m, std::span<const typename M::value_type> params,
                 const dataset<typename M::value_type>& data, int chunk = 256) {
  using T = typename M::value_type;
  check_dataset<M>(data);
  double sum = 0;
  for (int start = 0; start < data.size(); start += chunk) {
    const int n = std::min(chunk, data.size() - start);
    sum += double(m.loss(params,
                         std::span<const T>(data.x.data() + std::size_t(start) * M::input_size,
                                            std::size_t(n) * M::input_size),
                         std::span<const T>(data.y.data() + std::size_t(start) * M::output_size,
                                            std::size_t(n) * M::output_size),
                         n)) *
           n;
  }
  return data.empty() ? 0.0 : sum / data.size();
}

/// counts[truth * classes + predicted]: how many samples of class `truth` were predicted as
/// `predicted`.
struct confusion_matrix {
  int classes = 0;
  std::vector<long long> counts;
  long long at(int truth, int predicted) const {
    return counts[std::size_t(truth) * classes + predicted];
  }
  /// Sum of the diagonal over the total.
  double accuracy() const {
    long long right = 0, total = 0;
    for (int i = 0; i < classes; ++i)
      for (int j = 0; j < classes; ++j) (i == j ? right : total) += at(i, j);
    total += right;
    return total ? double(right) / total : 0.0;
  }
  /// Rows are true classes, columns predicted ones.
  std::string to_string() const {
    std::string s = "truth\\predicted";
    for (int j = 0; j < classes; ++j) s += "\t" + std::to_string(j);
    for (int i = 0; i < classes; ++i) {
      s += "\n" + std::to_string(i);
      for (int j = 0; j < classes; ++j) s += "\t" + std::to_string(at(i, j));
    }
    return s + "\n";
  }
};

/// The confusion matrix of the model on `data`; one output counts as two classes (0 and 1).
template <class E>
confusion_matrix confusion(E&& m, std::span<const value_type_of<E>> params,
                           const dataset<value_type_of<E>>& data) {
  constexpr int outputs = std::remove_cvref_t<E>::output_size;
  confusion_matrix c;
  c.classes = outputs == 1 ? 2 : outputs;
  c.counts.assign(std::size_t(c.classes) * c.classes, 0);
  for_each_output(m, params, data, [&](int i, auto y) {
    ++c.counts[std::size_t(predicted_class(data.targets_of(i))) * c.classes + predicted_class(y)];
  });
  return c;
}

/// The metric `automatic` stands for in model M: accuracy after a classification loss, else mse.
template <model M>
metric_kind resolve_metric(const M& m, metric_kind k) {
  if (k != metric_kind::automatic) return k;
  if constexpr (has_nodes<M>) {
    const auto nodes = nodes_of(m);
    if (!nodes.empty() && (nodes.back().k == kind::softmax_cross_entropy ||
                           nodes.back().k == kind::binary_cross_entropy))
      return metric_kind::accuracy;
    return metric_kind::mse;
  } else {
    (void)m;
    return M::output_size > 1 ? metric_kind::accuracy : metric_kind::mse;
  }
}

/// The value of metric k (not automatic) of the model on `data`; 0 for none.
template <class E>
double evaluate_metric(E&& m, std::span<const value_type_of<E>> params,
                       const dataset<value_type_of<E>>& data, metric_kind k) {
  switch (resolve_metric(m, k)) {
    case metric_kind::accuracy:
      return accuracy(m, params, data);
    case metric_kind::mse:
      return mean_squared_error(m, params, data);
    default:
      return 0.0;
  }
}

inline const char* metric_name(metric_kind k) {
  switch (k) {
    case metric_kind::accuracy:
      return "accuracy";
    case metric_kind::mse:
      return "mse";
    case metric_kind::none:
      return "none";
    default:
      return "automatic";
  }
}

}  // namespace kiln
