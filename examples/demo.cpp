// The main job: trains the XOR and spiral examples with their generated engines, the character
// language model (its --quick settings) with the words it samples, prints the
// generated-versus-generic comparison of XOR and spirals, and says where the pictures are.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#ifndef KILN_PICTURE_DIR
#define KILN_PICTURE_DIR "pictures"
#endif

namespace {

struct step {
  const char* title;
  std::string command;
};

// A section heading, bold on a terminal.
void heading(const std::string& title) {
  const bool tty = isatty(STDOUT_FILENO);
  fmt::print("\n{}== {} =={}\n", tty ? "\033[1m" : "", title, tty ? "\033[0m" : "");
}

// Runs one program of the build, its output passing through; returns its exit status.
int run(const step& s) {
  heading(s.title);
  fmt::print("$ {}\n", s.command);
  std::fflush(stdout);
  const int status = std::system(s.command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main() {
  const auto start = std::chrono::steady_clock::now();
  const std::string out = KILN_PICTURE_DIR;
  std::vector<step> steps = {
      {"XOR: a hand-wired step network, then 2-4-1 trained by gradient descent",
       fmt::format("'{}' --out '{}'", KILN_DEMO_XOR, out)},
      {"The three-arm spiral: 2 -> 10 -> 3, relu, softmax cross-entropy",
       fmt::format("'{}' --out '{}'", KILN_DEMO_SPIRALS, out)},
      {"A character-level language model on English words, and 20 words it makes up",
       fmt::format("'{}' --quick --out '{}'", KILN_DEMO_LANGUAGE, out)},
  };
#ifdef KILN_DEMO_XOR_COMPARE
  steps.push_back(
      {"Generated versus generic engine: xor_net", fmt::format("'{}'", KILN_DEMO_XOR_COMPARE)});
  steps.push_back(
      {"Generated versus generic engine: spirals", fmt::format("'{}'", KILN_DEMO_SPIRALS_COMPARE)});
#endif
  int failures = 0;
  for (const step& s : steps)
    if (run(s) != 0) {
      ++failures;
      fmt::print("kiln demo: FAILED: {}\n", s.command);
    }

  heading("Pictures");
  std::vector<std::string> pictures;
  if (std::filesystem::is_directory(out))
    for (const auto& e : std::filesystem::directory_iterator(out))
      if (e.path().extension() == ".png") pictures.push_back(e.path().string());
  std::sort(pictures.begin(), pictures.end());
  for (const std::string& p : pictures) fmt::print("  {}\n", p);
#ifndef KILN_DEMO_XOR_COMPARE
  fmt::print("\n(kiln-gen was not built, so there is no generated-versus-generic comparison)\n");
#endif
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("\nkiln demo: {} in {:.1f} s\n", failures == 0 ? "done" : "FAILED", seconds);
  return failures == 0 ? 0 : 1;
}
