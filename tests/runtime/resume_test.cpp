// Training that survives a kill: fit's checkpoints resume bit-identical to an uninterrupted run
// (float and double, with dropout and early stopping), a training process killed with SIGKILL at
// random moments always leaves a checkpoint that loads and resumes to the same parameters, and a
// save that cannot be written is an error that leaves the previous checkpoint intact.
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <kiln/runtime.hpp>
#include <thread>
#include <vector>

#include "resume_net.hpp"

using Catch::Matchers::Contains;

namespace {
constexpr const auto& net = kiln_test::resume_net;

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "kiln_resume_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".tmp");
  return path;
}
std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Trains `epochs` epochs (of 30) with a checkpoint every `every`, resuming from `path`.
template <class T>
std::pair<std::vector<T>, kiln::fit_history> train(const std::string& path, int epochs, int every,
                                                   int patience) {
  auto m = kiln::generic<T>(net);
  // Fresh initial values every call: a resumed run must take everything from the checkpoint.
  auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  kiln::optimizer<T> opt(kiln::adam{.lr = 0.02}, net.param_count);
  const auto data = kiln::make_spiral<T>(30, 3, 0.2, 1);
  kiln::fit_options o;
  o.epochs = epochs;
  o.batch_size = 8;
  o.seed = 5;
  o.patience = patience;
  o.progress = kiln::progress_mode::never;
  o.checkpoints.path = path;
  o.checkpoints.every = every;
  auto h = kiln::fit(m, std::span<T>(params), opt, data, o);
  return {params, h};
}

template <class T>
void check_resume_is_bit_identical(int patience) {
  const auto [reference, full] = train<T>("", 30, 1, patience);
  const std::string path = temp_path("resume.ckpt");
  // Interrupted after 7 epochs (checkpoints at 3, 6 and the end), then resumed, twice.
  const auto [part, first] = train<T>(path, 7, 3, patience);
  CHECK(kiln::read_checkpoint<T>(path, net.nodes).fit.epochs_done ==
        (long long)first.epochs.size());
  CHECK(first.epochs.size() == (patience ? std::min<std::size_t>(7, full.epochs.size()) : 7));
  train<T>(path, 19, 5, patience);
  const auto [resumed, h] = train<T>(path, 30, 5, patience);
  CHECK(std::memcmp(resumed.data(), reference.data(), reference.size() * sizeof(T)) == 0);
  REQUIRE(h.epochs.size() == full.epochs.size());
  for (std::size_t e = 0; e < h.epochs.size(); ++e) {
    CHECK(h.epochs[e].epoch == full.epochs[e].epoch);
    CHECK(h.epochs[e].train_loss == full.epochs[e].train_loss);
    CHECK(h.epochs[e].train_metric == full.epochs[e].train_metric);
  }
  CHECK(h.steps == full.steps);
  CHECK(h.best_epoch == full.best_epoch);
  CHECK(h.stopped_early == full.stopped_early);
}
}  // namespace

TEST_CASE("an interrupted fit resumes bit-identical to an uninterrupted one", "[resume]") {
  check_resume_is_bit_identical<float>(0);
  check_resume_is_bit_identical<double>(0);
  // Early stopping's best so far survives too (patience 2 stops these runs early).
  check_resume_is_bit_identical<float>(2);
  check_resume_is_bit_identical<double>(2);
  const auto [p, h] = train<double>("", 30, 1, 2);
  CHECK(h.stopped_early);
}

TEST_CASE("resuming refuses another seed, batch size or a checkpoint not made by fit", "[resume]") {
  const std::string path = temp_path("other.ckpt");
  train<double>(path, 2, 1, 0);
  auto m = kiln::generic<double>(net);
  auto params = kiln::initial_params(m, kiln::init_scheme::he_normal, 3);
  kiln::optimizer<double> opt(kiln::adam{.lr = 0.02}, net.param_count);
  const auto data = kiln::make_spiral<double>(30, 3, 0.2, 1);
  kiln::fit_options o;
  o.epochs = 4;
  o.batch_size = 8;
  o.seed = 6;
  o.progress = kiln::progress_mode::never;
  o.checkpoints.path = path;
  CHECK_THROWS_WITH(kiln::fit(m, std::span<double>(params), opt, data, o),
                    "kiln::fit: cannot resume from " + path +
                        ": it was saved with seed 5 and batch size 8, this fit has 6 and 8");
  kiln::save_checkpoint<double>(path, net.nodes, params, &opt, 1);
  o.seed = 5;
  CHECK_THROWS_WITH(kiln::fit(m, std::span<double>(params), opt, data, o),
                    Contains("it was not saved by fit"));
}

TEST_CASE("a version-1 checkpoint still loads", "[resume]") {
  // Version 1 ends after the optimizer state: rewrite a version-2 file without the new fields.
  const std::string path = temp_path("v1.ckpt");
  std::vector<float> params(net.param_count, 0.5f);
  kiln::save_checkpoint<float>(path, net.nodes, params, nullptr, 4);
  std::string bytes = read_bytes(path);
  bytes.resize(bytes.size() - 4 - 5);  // the checksum, no buffers (4 bytes), no fit (1 byte)
  bytes[8] = 1;
  std::uint32_t c = 0xffffffffu;
  for (char ch : bytes) {
    c ^= std::uint8_t(ch);
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  c ^= 0xffffffffu;
  for (int i = 0; i < 4; ++i) bytes += char(c >> (8 * i));
  std::ofstream(path, std::ios::binary) << bytes;
  const auto back = kiln::read_checkpoint<float>(path, net.nodes);
  CHECK(back.epoch == 4);
  CHECK(back.params == params);
  CHECK_FALSE(back.has_fit);
  CHECK(back.buffers.empty());
}

TEST_CASE("a checkpoint carries named state buffers", "[resume]") {
  const std::string path = temp_path("buffers.ckpt");
  kiln::checkpoint<double> c;
  c.params.assign(net.param_count, 0.25);
  c.buffers = {{"2.running_mean", {1, 2, 3}}, {"2.running_var", {0.5, 0.25, 0.125}}};
  kiln::save_checkpoint(path, net.nodes, c);
  const auto back = kiln::read_checkpoint<double>(path, net.nodes);
  REQUIRE(back.buffers.size() == 2);
  CHECK(back.buffers[1].name == "2.running_var");
  CHECK(back.buffers[1].values == std::vector<double>{0.5, 0.25, 0.125});
}

TEST_CASE("a training process killed at random moments always resumes", "[resume]") {
  const auto dir = (std::filesystem::temp_directory_path() / "kiln_resume_test_kill").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string ckpt = dir + "/fit.ckpt", out = dir + "/final.bin", ref = dir + "/ref.bin";
  auto run = [](const std::vector<std::string>& args, int kill_after_us) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv{const_cast<char*>(KILN_FIT_WORKER)};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(KILN_FIT_WORKER, argv.data());
      _exit(127);
    }
    if (kill_after_us >= 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(kill_after_us));
      kill(pid, SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  };
  // The uninterrupted run, timed so that the kills spread over its whole length.
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(run({ckpt, ref, "slow"}, -1) == 0);
  const int length_us = int(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
  const std::string reference = read_bytes(ref);
  REQUIRE(reference.size() == net.param_count * sizeof(double));
  kiln::rng r(17);
  int killed = 0, inside_saves = 0, resumed_from_checkpoint = 0;
  for (int round = 0; round < 20; ++round) {
    std::filesystem::remove(ckpt);
    std::filesystem::remove(ckpt + ".tmp");
    std::filesystem::remove(out);
    const int status = run({ckpt, out, "slow"}, int(r.below(std::uint64_t(length_us))));
    if (WIFSIGNALED(status)) ++killed;
    if (std::filesystem::exists(ckpt + ".tmp")) ++inside_saves;
    if (std::filesystem::exists(ckpt)) {
      ++resumed_from_checkpoint;
      INFO("round " << round);
      const auto c = kiln::read_checkpoint<double>(ckpt, net.nodes);  // loads, checksum and all
      CHECK(c.has_fit);
    }
    REQUIRE(run({ckpt, out}, -1) == 0);  // resume (or start over) to the end
    CHECK(read_bytes(out) == reference);
  }
  WARN(killed << " kills, " << inside_saves << " inside a save, " << resumed_from_checkpoint
              << " resumed from a checkpoint");
  CHECK(killed >= 10);
  CHECK(inside_saves >= 1);
  CHECK(resumed_from_checkpoint >= 5);
}

namespace {
// Saves a bigger checkpoint over `path` where writes fail; the error must name the temporary
// file and the reason, and the previous checkpoint must be intact with no temporary left.
void check_failed_save_keeps_the_previous(const std::string& path, const char* reason) {
  std::vector<double> small(net.param_count, 1.0);
  const std::string before = read_bytes(path);
  REQUIRE(kiln::read_checkpoint<double>(path, net.nodes).params == small);
  kiln::optimizer<double> opt(kiln::adam{}, net.param_count);
  std::vector<double> other(net.param_count, 2.0);
  CHECK_THROWS_WITH(kiln::save_checkpoint<double>(path, net.nodes, other, &opt, 2),
                    Contains("kiln: cannot write " + path + ".tmp: ") && Contains(reason));
  CHECK(read_bytes(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}
}  // namespace

TEST_CASE("a save that cannot be written is an error and keeps the previous checkpoint",
          "[resume]") {
  std::vector<double> small(net.param_count, 1.0);
  {
    // A file size limit stops root as well (a read-only directory does not): EFBIG.
    const std::string path = temp_path("limited.ckpt");
    kiln::save_checkpoint<double>(path, net.nodes, small, nullptr, 1);
    const auto size = std::filesystem::file_size(path);
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_IGN);
    rlimit limited = old;
    limited.rlim_cur = size + 16;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limited) == 0);
    check_failed_save_keeps_the_previous(path, "File too large");
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
  }
  // A full disk: a 64 KiB tmpfs, where mounting is allowed (as root on the CI machine); the
  // file size limit above runs everywhere.
  const auto dir = (std::filesystem::temp_directory_path() / "kiln_resume_test_full").string();
  std::filesystem::create_directories(dir);
  if (mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") == 0) {
    const std::string path = dir + "/full.ckpt";
    kiln::save_checkpoint<double>(path, net.nodes, small, nullptr, 1);
    {
      std::ofstream filler(dir + "/filler", std::ios::binary);
      const std::string block(1024, 'x');
      while (filler.write(block.data(), block.size())) {
      }
    }
    check_failed_save_keeps_the_previous(path, "No space left on device");
    umount(dir.c_str());
  } else {
    WARN("mount(tmpfs) not permitted here (" << std::strerror(errno)
                                             << "): the full-disk case ran as a size limit only");
  }
}
