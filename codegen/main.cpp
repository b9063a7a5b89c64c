// kiln-gen, the driver: reads the command line, runs the extract pass (libTooling) on one spec
// header, then the passes of kiln_codegen_core, and writes `<spec-stem>.kiln.hpp` and its depfile.
#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <kiln/checkpoint.hpp>
#include <kiln/safetensors.hpp>
#include <sstream>

#include "frontend.hpp"
#include "pipeline.hpp"

namespace cl = llvm::cl;
namespace fs = std::filesystem;
using namespace kiln::codegen;

namespace {

cl::OptionCategory category("kiln-gen options");

cl::opt<std::string> spec_path(cl::Positional, cl::desc("<spec header>"), cl::Required,
                               cl::cat(category));
cl::opt<std::string> output_path(
    "o",
    cl::desc("Write the generated header here (default: <spec-stem>.kiln.hpp in the current "
             "directory; with --list or --dump-after, nothing unless -o is given)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> depfile_path(
    "depfile",
    cl::desc("Also write a Makefile-style depfile naming the spec and every header it includes, "
             "for the build system to regenerate exactly when one changes"),
    cl::value_desc("file"), cl::cat(category));
cl::list<std::string> network_names(
    "network",
    cl::desc("Generate only this network (qualified name, e.g. examples::spirals); repeatable. "
             "Default: every kiln::network variable declared in the spec"),
    cl::value_desc("name"), cl::cat(category));
cl::opt<int> unroll_budget(
    "unroll-budget",
    cl::desc("Fully unroll layers with at most this many weights; larger layers become loops with "
             "constant bounds (default 32)"),
    cl::value_desc("n"), cl::init(options{}.unroll_budget), cl::cat(category));
cl::opt<std::string> dump_after("dump-after", cl::desc("Print the IR after this pass to stdout"),
                                cl::value_desc("pass"), cl::cat(category));
cl::opt<bool> list_passes("list-passes", cl::desc("Print the pass names, in order, and exit"),
                          cl::cat(category));
cl::opt<bool> list_networks(
    "list",
    cl::desc("Print each network of the spec with its layers, shapes and parameter counts "
             "(generates nothing unless -o is given)"),
    cl::cat(category));
cl::opt<std::string> spec_include(
    "spec-include",
    cl::desc("How the generated header includes the spec (default: the spec's path relative to "
             "the output's directory)"),
    cl::value_desc("path"), cl::cat(category));
cl::opt<std::string> compare_main(
    "compare-main",
    cl::desc("Also write the main() of a program comparing each generated network with the "
             "generic engine (see kiln/compare.hpp)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> weights_path(
    "weights",
    cl::desc("Bake these weights into the header as constants: a safetensors file or a Kiln "
             "checkpoint of the network (F32 or F64). Adds kiln::baked<spec, T> beside "
             "kiln::compiled; needs exactly one network (--network=NAME when the spec has more)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> build_path(
    "p",
    cl::desc("Build directory with compile_commands.json: the spec's flags are inferred from a "
             "nearby source file. Otherwise give the compiler flags after `--`"),
    cl::value_desc("build dir"), cl::cat(category));
cl::opt<std::string> resource_dir(
    "resource-dir",
    cl::desc("Clang resource directory (builtin headers; default " KILN_CLANG_RESOURCE_DIR ")"),
    cl::value_desc("dir"), cl::init(KILN_CLANG_RESOURCE_DIR), cl::cat(category));

const char* overview =
    "kiln-gen: bakes the kiln::network variables of a spec header into C++.\n"
    "\n"
    "  kiln-gen spec.hpp -o spec.kiln.hpp -- -std=c++20 -Iinclude ...\n"
    "  kiln-gen spec.hpp -p build --list\n"
    "\n"
    "The spec is parsed by Clang as source (nothing in it runs, so cross-compiling flags such as\n"
    "--target= work); every variable with static storage whose type is a kiln::network is\n"
    "evaluated as a constant expression and generated. Compiler flags come after `--`, or from\n"
    "the compile database of -p. Any error stops it with a non-zero status and writes nothing.\n";

// Writes through a temporary file and a rename: a reader never sees half a file.
bool write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    if (!out.flush()) {
      report_error({}, "kiln-gen: cannot write " + temporary + ": " + std::strerror(errno));
      fs::remove(temporary, ec);
      return false;
    }
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    report_error({}, "kiln-gen: cannot write " + path + ": " + ec.message());
    fs::remove(temporary, ec);
    return false;
  }
  return true;
}

// Make syntax: spaces and '#' escaped with a backslash, '$' doubled.
std::string depfile_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

std::string depfile_text(const std::string& target, const std::vector<std::string>& deps) {
  std::string text = depfile_escape(target) + ":";
  for (const std::string& dep : deps) text += " \\\n  " + depfile_escape(dep);
  return text + "\n";
}

std::string with_hyperparameter(const kiln::node& n) {
  const std::string name(kiln::kind_name(n.k));
  switch (n.k) {
    case kiln::kind::leaky_relu:
    case kiln::kind::elu:
    case kiln::kind::layer_norm:
    case kiln::kind::dropout: {
      std::string text;
      llvm::raw_string_ostream(text) << name << "(" << llvm::format("%g", n.hp) << ")";
      return text;
    }
    case kiln::kind::batch_norm: {
      std::string text;
      llvm::raw_string_ostream(text)
          << name << "(" << llvm::format("%g", n.hp) << ", " << llvm::format("%g", n.hp2) << ")";
      return text;
    }
    case kiln::kind::dense:
      return n.bias ? name : "dense_no_bias";
    default:
      return name;
  }
}

void print_list(const std::vector<spec_network>& networks) {
  llvm::raw_ostream& out = llvm::outs();
  for (const spec_network& net : networks) {
    out << net.qualified_name << ": " << net.input_size << " -> " << net.output_size << ", "
        << net.param_count << " parameters, ";
    if (net.has_loss)
      out << "loss " << kiln::kind_name(net.nodes.back().k);
    else
      out << "no loss";
    out << "  (" << llvm::sys::path::filename(net.where.file) << ":" << net.where.line << ")\n";
    const char* columns[] = {"layer", "kind", "in", "out", "params", "offset"};
    out << llvm::format("  %5s  %-22s %6s %6s %8s %8s\n", columns[0], columns[1], columns[2],
                        columns[3], columns[4], columns[5]);
    int depth = 0;
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
      const kiln::node& n = net.nodes[i];
      if (n.k == kiln::kind::residual_end) --depth;
      const std::string kind = std::string(2 * depth, ' ') + with_hyperparameter(n);
      out << llvm::format("  %5d  %-22s %6d %6d %8d %8d\n", int(i), kind.c_str(), n.in, n.out,
                          n.param_count, n.param_offset);
      if (n.k == kiln::kind::residual_begin) ++depth;
    }
  }
}

std::string compare_main_text(const std::vector<spec_network>& networks,
                              const std::string& header) {
  std::string text =
      "// Generated by kiln-gen: compares each network with the generic engine (kiln::compare).\n"
      "#include <kiln/compare.hpp>\n\n#include \"" +
      header + "\"\n\nint main(int argc, char** argv) {\n  return kiln::compare_main(argc, argv, {";
  for (std::size_t i = 0; i < networks.size(); ++i)
    text += std::string(i ? ",\n" : "\n") +
            "    kiln::compare_network<::" + networks[i].qualified_name + ">(\"" +
            networks[i].qualified_name + "\")";
  return text + "});\n}\n";
}

// The weights of `net` from a safetensors file or a Kiln checkpoint (told apart by the
// checkpoint's magic), refused with the file and what differs when they belong to another
// network; the decoders check the structure, every tensor's name and shape, and the sizes.
std::optional<baked_weights> read_weights(const std::string& path, const spec_network& net) {
  baked_weights w;
  w.network = net.qualified_name;
  w.source = fs::path(path).filename().string();
  try {
    const std::vector<char> bytes = kiln::detail::read_whole_file(path, "kiln-gen: --weights");
    if (bytes.size() >= 8 && std::string(bytes.data(), 8) == "KILNCKPT")
      w.values = kiln::detail::decode_checkpoint(bytes, path, net.nodes).params;
    else
      w.values = kiln::detail::decode_safetensors(bytes, path, net.nodes);
  } catch (const std::exception& e) {
    report_error({}, std::string("kiln-gen: --weights: ") + e.what());
    return std::nullopt;
  }
  if (int(w.values.size()) != net.param_count) {
    report_error({}, "kiln-gen: --weights: " + path + " holds " + std::to_string(w.values.size()) +
                         " parameters, " + net.qualified_name + " has " +
                         std::to_string(net.param_count));
    return std::nullopt;
  }
  for (std::size_t i = 0; i < w.values.size(); ++i)
    if (!std::isfinite(w.values[i])) {
      std::size_t layer = 0;
      while (layer + 1 < net.nodes.size() &&
             std::size_t(net.nodes[layer].param_offset + net.nodes[layer].param_count) <= i)
        ++layer;
      report_error({}, "kiln-gen: --weights: " + path + ": parameter " + std::to_string(i) +
                           " (layer " + std::to_string(layer) + ", " +
                           std::string(kiln::kind_name(net.nodes[layer].k)) +
                           ") is not finite: nothing to bake");
      return std::nullopt;
    }
  return w;
}

}  // namespace

int main(int argc, const char** argv) {
  // Compiler flags after `--` make a fixed compile database; the rest are kiln-gen's options.
  std::string error;
  std::unique_ptr<clang::tooling::CompilationDatabase> db =
      clang::tooling::FixedCompilationDatabase::loadFromCommandLine(argc, argv, error);
  cl::HideUnrelatedOptions(category);
  static std::string dump_help = "Print the IR after this pass to stdout: one of";
  for (const std::string& name : pass_names()) dump_help += " " + name;
  dump_after.setDescription(dump_help);
  cl::SetVersionPrinter([](llvm::raw_ostream& os) {
    os << "kiln-gen " KILN_VERSION " (Clang " << LLVM_VERSION_STRING << ")\n";
  });
  if (!cl::ParseCommandLineOptions(argc, argv, overview)) return 2;

  if (list_passes) {
    for (const std::string& name : pass_names()) llvm::outs() << name << "\n";
    return 0;
  }
  const std::vector<std::string>& passes = pass_names();
  if (!dump_after.empty() && std::find(passes.begin(), passes.end(), dump_after) == passes.end()) {
    std::string names;
    for (const std::string& name : passes) names += (names.empty() ? "" : ", ") + name;
    report_error({}, "kiln-gen: --dump-after=" + dump_after + ": no such pass (" + names + ")");
    return 2;
  }
  if (unroll_budget < 0) {
    report_error({}, "kiln-gen: --unroll-budget must be >= 0");
    return 2;
  }
  if (!db && !build_path.empty()) {
    db = clang::tooling::CompilationDatabase::autoDetectFromDirectory(build_path, error);
    if (!db) {
      report_error({}, "kiln-gen: -p " + build_path + ": " + error);
      return 2;
    }
  }
  if (!db)
    db =
        std::make_unique<clang::tooling::FixedCompilationDatabase>(".", std::vector<std::string>{});

  const fs::path spec = fs::absolute(spec_path.getValue()).lexically_normal();
  extract_options extract_opts;
  extract_opts.networks = network_names;
  extract_opts.resource_dir = resource_dir;
  std::optional<extraction> extracted = extract(*db, spec.string(), extract_opts);
  if (!extracted) return 1;

  if (list_networks) {
    print_list(extracted->networks);
    if (output_path.empty()) return 0;
  }

  const bool write = !output_path.empty() || (dump_after.empty() && !list_networks);
  const fs::path output = fs::absolute(output_path.empty() ? spec.stem().string() + ".kiln.hpp"
                                                           : output_path.getValue())
                              .lexically_normal();
  options opts;
  if (!weights_path.empty()) {
    const std::vector<spec_network>& networks = extracted->networks;
    if (networks.size() != 1) {
      std::string names;
      for (const spec_network& n : networks)
        names += (names.empty() ? "" : ", ") + n.qualified_name;
      report_error({}, "kiln-gen: --weights " + weights_path +
                           " is for one network, and the spec has " +
                           std::to_string(networks.size()) + " (" + names +
                           "): choose it with --network=NAME");
      return 2;
    }
    std::optional<baked_weights> w = read_weights(weights_path, networks.front());
    if (!w) return 1;
    opts.weights.push_back(std::move(*w));
    extracted->dependencies.push_back(
        fs::absolute(weights_path.getValue()).lexically_normal().string());
  }
  opts.unroll_budget = unroll_budget;
  opts.dump_after = dump_after;
  const std::string include = spec_include.empty()
                                  ? spec.lexically_relative(output.parent_path()).generic_string()
                                  : spec_include.getValue();
  std::string header;
  try {
    header = generate_header(extracted->networks, include, opts, &std::cout);
  } catch (const spec_error& e) {
    report_error(e.where, e.what());
    return 1;
  } catch (const std::exception& e) {
    report_error({}, std::string("kiln-gen: internal error: ") + e.what());
    return 1;
  }
  std::cout.flush();
  if (!write) return 0;

  if (!write_file(output.string(), header)) return 1;
  if (!compare_main.empty() &&
      !write_file(compare_main, compare_main_text(extracted->networks, output.filename().string())))
    return 1;
  if (!depfile_path.empty() &&
      !write_file(depfile_path,
                  depfile_text(output_path.empty() ? output.string() : output_path.getValue(),
                               extracted->dependencies)))
    return 1;
  return 0;
}
