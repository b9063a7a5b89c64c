// The extract pass: parses a spec header with Clang as source (no user code runs, so it works when
// cross-compiling), finds every kiln::network variable and reads its constexpr value into the IR.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir.hpp"

namespace clang::tooling {
class CompilationDatabase;
}

namespace kiln::codegen {

struct extract_options {
  /// Qualified names of the networks to extract; every network of the spec when empty.
  std::vector<std::string> networks;
  /// The clang resource directory (builtin headers).
  std::string resource_dir;
};

struct extraction {
  /// In declaration order.
  std::vector<spec_network> networks;
  /// Every file the spec read, itself and all it includes (system headers too): the depfile.
  std::vector<std::string> dependencies;
};

/// Parses `spec` with the compile command `db` gives for it. Every problem goes out as a clang
/// diagnostic on stderr; returns nothing when there was an error.
std::optional<extraction> extract(const clang::tooling::CompilationDatabase& db,
                                  const std::string& spec, const extract_options& opts);

/// Reports `message` as a clang error at `where` (with the source line and a caret), the way the
/// compiler reports its own; `where.file` empty reports it without a location.
void report_error(const source_location& where, const std::string& message);

}  // namespace kiln::codegen
