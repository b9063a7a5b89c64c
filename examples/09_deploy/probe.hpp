// Example 9's probe points, and how both of its programs print a network's predictions on them,
// one sample per call, so that their outputs can be compared line by line.
#pragma once

#include <cstdio>

namespace examples::deploy {

inline constexpr int probes = 9;
/// Points on and between the spiral's arms, in the standardized inputs the network was trained on.
inline constexpr float probe_points[probes][2] = {{0.0f, 0.0f},  {0.5f, 0.0f},   {0.0f, 0.5f},
                                                  {-0.5f, 0.0f}, {0.0f, -0.5f},  {0.8f, 0.3f},
                                                  {-0.3f, 0.8f}, {-0.6f, -0.6f}, {0.2f, -0.9f}};

/// `predict(x, y)` fills y[3] for x[2]; prints the class and the probabilities of each probe.
template <class F>
void print_predictions(const char* who, F predict) {
  for (int i = 0; i < probes; ++i) {
    float y[3];
    predict(probe_points[i], y);
    const int best = y[1] > y[0] ? (y[2] > y[1] ? 2 : 1) : (y[2] > y[0] ? 2 : 0);
    std::printf("%s: (%5.2f, %5.2f) -> arm %d  p = %.6f %.6f %.6f\n", who, probe_points[i][0],
                probe_points[i][1], best + 1, y[0], y[1], y[2]);
  }
}

}  // namespace examples::deploy
