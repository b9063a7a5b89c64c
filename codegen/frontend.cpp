// The extract pass on libTooling: an AST matcher binds every static-storage variable whose type
// is a kiln::network specialization, a callback reads its constexpr value (the DSL's flattened
// graph) and the type's static members into spec_network, with each layer's source location.
#include "frontend.hpp"

#include <clang/AST/APValue.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/ASTMatchers/ASTMatchFinder.h>
#include <clang/ASTMatchers/ASTMatchers.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/FileManager.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Driver/Options.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Sema/Sema.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Option/ArgList.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Regex.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <map>
#include <set>

namespace kiln::codegen {

namespace {

using namespace clang;
using namespace clang::ast_matchers;

// ---- Compile commands -------------------------------------------------------------------------

// Drops the arguments clang's driver does not know (GCC-only flags of a compile database such as
// -fmax-errors=, -fconcepts-diagnostics-depth=): clang would stop on them.
tooling::ArgumentsAdjuster drop_unknown_flags() {
  return [](const tooling::CommandLineArguments& args, StringRef) {
    if (args.empty()) return args;
    std::vector<const char*> argv;
    for (std::size_t i = 1; i < args.size(); ++i) argv.push_back(args[i].c_str());
    unsigned missing_index = 0, missing_count = 0;
    const llvm::opt::InputArgList list = driver::getDriverOptTable().ParseArgs(
        argv, missing_index, missing_count, llvm::opt::Visibility(driver::options::ClangOption));
    std::set<unsigned> unknown;
    for (const llvm::opt::Arg* arg : list)
      if (arg->getOption().getKind() == llvm::opt::Option::UnknownClass)
        unknown.insert(arg->getIndex() + 1);
    tooling::CommandLineArguments kept;
    for (std::size_t i = 0; i < args.size(); ++i)
      if (!unknown.count(unsigned(i))) kept.push_back(args[i]);
    return kept;
  };
}

// A spec is a header parsed as the main file: `#pragma once` there is expected.
tooling::ArgumentsAdjuster quiet_pragma_once() {
  return tooling::getInsertArgumentAdjuster("-Wno-pragma-once-outside-header",
                                            tooling::ArgumentInsertPosition::END);
}

// The DSL needs C++20: without a -std= of its own, a spec is parsed as C++20.
tooling::ArgumentsAdjuster default_standard() {
  return [](const tooling::CommandLineArguments& args, StringRef) {
    for (const std::string& arg : args)
      if (StringRef(arg).starts_with("-std=") || StringRef(arg).starts_with("--std")) return args;
    tooling::CommandLineArguments out = args;
    out.insert(out.begin() + (out.empty() ? 0 : 1), "-std=c++20");
    return out;
  };
}

// ---- Diagnostics ------------------------------------------------------------------------------

// A DSL mistake fails a static_assert inside the DSL's headers; clang's notes then walk back to
// the spec. This consumer prints everything as clang does and remembers, for each error outside
// the spec, the last note inside it and the layer index the DSL's error template names
// (`kiln::error::residual_body_must_keep_its_size<2, 8, 4>`: layer 2), so that the extract pass
// can repeat the error at the offending layer of the spec.
class spec_diagnostics : public DiagnosticConsumer {
 public:
  struct pending {
    std::string message;
    SourceLocation in_spec;  // the last note of the error inside the spec
    int layer = -1;          // from the DSL's error template, when it names one
    bool error_in_spec = false;
  };

  spec_diagnostics() : options_(new DiagnosticOptions) {
    options_->ShowColors = llvm::errs().has_colors();
    printer_ = std::make_unique<TextDiagnosticPrinter>(llvm::errs(), options_.get());
  }

  void BeginSourceFile(const LangOptions& lang, const Preprocessor* pp) override {
    printer_->BeginSourceFile(lang, pp);
  }
  void EndSourceFile() override { printer_->EndSourceFile(); }
  void finish() override { printer_->finish(); }

  void HandleDiagnostic(DiagnosticsEngine::Level level, const Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    printer_->HandleDiagnostic(level, info);
    if (repeating_) return;
    SmallString<256> text;
    info.FormatDiagnostic(text);
    const StringRef message = text.str();
    const bool located = info.hasSourceManager() && info.getLocation().isValid();
    if (level >= DiagnosticsEngine::Error) {
      errors_.push_back({});
      // "static assertion failed due to requirement '8 == 4': kiln::network: ..." -> "kiln::..."
      const std::size_t dsl = message.find(": kiln::");
      if (message.starts_with("static assertion failed") && dsl != StringRef::npos)
        errors_.back().message = message.substr(dsl + 2).str();
      if (located) {
        const SourceManager& sm = info.getSourceManager();
        const SourceLocation loc = sm.getExpansionLoc(info.getLocation());
        errors_.back().error_in_spec = sm.isInMainFile(loc);
        if (errors_.back().error_in_spec) errors_.back().in_spec = loc;
      }
    } else if (level == DiagnosticsEngine::Note && !errors_.empty()) {
      pending& error = errors_.back();
      static const llvm::Regex error_template("kiln::error::[a-z_]+<([0-9]+)");
      SmallVector<StringRef, 2> match;
      if (error.layer < 0 && error_template.match(message, &match))
        error.layer = std::stoi(match[1].str());
      if (!located) return;
      const SourceManager& sm = info.getSourceManager();
      const SourceLocation loc = sm.getExpansionLoc(info.getLocation());
      // A bad hyperparameter calls detail::bad_hyperparameter("kiln::dropout: ...") during
      // constant evaluation: the message is the literal at the call.
      if (message.starts_with("non-constexpr function 'bad_hyperparameter'")) {
        const StringRef line = sm.getCharacterData(loc);
        const std::size_t open = line.find('"'), close = line.find('"', open + 1);
        if (open != StringRef::npos && close != StringRef::npos && line.find('\n') > close)
          error.message = line.substr(open + 1, close - open - 1).str();
      }
      if (sm.isInMainFile(loc)) error.in_spec = loc;
    }
  }

  /// The DSL's errors, each with the last place in the spec its notes lead to.
  std::vector<pending> take_pending() {
    std::vector<pending> out;
    for (pending& p : errors_)
      if (!p.message.empty() && p.in_spec.isValid()) out.push_back(std::move(p));
    errors_.clear();
    return out;
  }
  /// While set, diagnostics are printed but not collected (the repeated ones).
  void set_repeating(bool on) { repeating_ = on; }

 private:
  IntrusiveRefCntPtr<DiagnosticOptions> options_;
  std::unique_ptr<TextDiagnosticPrinter> printer_;
  std::vector<pending> errors_;
  bool repeating_ = false;
};

source_location where_of(const SourceManager& sm, SourceLocation loc) {
  const PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
  if (p.isInvalid()) return {};
  return {p.getFilename(), p.getLine(), p.getColumn()};
}

void report(DiagnosticsEngine& diags, SourceLocation loc, const std::string& message) {
  diags.Report(loc, diags.getCustomDiagID(DiagnosticsEngine::Error, "%0")) << message;
}

// ---- Reading the network ----------------------------------------------------------------------

bool is_specialization_of(QualType type, StringRef qualified_name) {
  const auto* record = type.isNull() ? nullptr : type->getAsCXXRecordDecl();
  const auto* spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(record);
  return spec && spec->getSpecializedTemplate()->getQualifiedNameAsString() == qualified_name;
}

const FieldDecl* field_named(const RecordDecl* record, StringRef name) {
  for (const FieldDecl* field : record->fields())
    if (field->getName() == name) return field;
  return nullptr;
}

// The value of a static constexpr member of the network type, or nothing. Clang instantiates the
// initializer of a class template's static member only when it is used: here, if need be.
std::optional<APValue> static_member(Sema& sema, const CXXRecordDecl* record, StringRef name) {
  for (Decl* decl : record->decls())
    if (auto* var = dyn_cast<VarDecl>(decl); var && var->getName() == name) {
      const VarDecl* definition = nullptr;
      if (!var->getAnyInitializer(definition)) {
        sema.InstantiateVariableDefinition(var->getLocation(), var);
        sema.PerformPendingInstantiations();
      }
      if (!var->getAnyInitializer(definition) || definition->getInit()->isValueDependent())
        return std::nullopt;
      if (const APValue* value = definition->evaluateValue()) return *value;
    }
  return std::nullopt;
}

// net.nodes: std::array<kiln::node, N>, whose one field is the C array (_M_elems in libstdc++,
// __elems_ in libc++).
std::optional<std::vector<node>> read_nodes(const CXXRecordDecl* network, const APValue& value) {
  const FieldDecl* nodes_field = field_named(network, "nodes");
  if (!nodes_field || !value.isStruct()) return std::nullopt;
  const APValue& array_value = value.getStructField(nodes_field->getFieldIndex());
  const RecordDecl* array_record = nodes_field->getType()->getAsRecordDecl();
  if (!array_record || !array_value.isStruct()) return std::nullopt;
  const FieldDecl* elems = nullptr;
  for (const FieldDecl* field : array_record->fields())
    if (field->getType()->isConstantArrayType()) elems = field;
  if (!elems) return std::nullopt;
  const APValue& elements = array_value.getStructField(elems->getFieldIndex());
  if (!elements.isArray()) return std::nullopt;
  const RecordDecl* node_record =
      elems->getType()->getAsArrayTypeUnsafe()->getElementType()->getAsRecordDecl();
  if (!node_record) return std::nullopt;

  auto integer = [&](const APValue& n, StringRef name) -> std::optional<std::int64_t> {
    const FieldDecl* f = field_named(node_record, name);
    if (!f || !n.getStructField(f->getFieldIndex()).isInt()) return std::nullopt;
    return n.getStructField(f->getFieldIndex()).getInt().getExtValue();
  };
  std::vector<node> nodes;
  for (unsigned i = 0; i < elements.getArraySize(); ++i) {
    const APValue& n = i < elements.getArrayInitializedElts() ? elements.getArrayInitializedElt(i)
                                                              : elements.getArrayFiller();
    if (!n.isStruct()) return std::nullopt;
    const auto k = integer(n, "k"), in = integer(n, "in"), out = integer(n, "out"),
               offset = integer(n, "param_offset"), count = integer(n, "param_count"),
               bias = integer(n, "bias"), link = integer(n, "link");
    const FieldDecl* hp = field_named(node_record, "hp");
    const FieldDecl* hp2 = field_named(node_record, "hp2");
    if (!k || !in || !out || !offset || !count || !bias || !link || !hp || !hp2 ||
        !n.getStructField(hp->getFieldIndex()).isFloat() ||
        !n.getStructField(hp2->getFieldIndex()).isFloat())
      return std::nullopt;
    if (*k < 0 || *k >= kind_count) return std::nullopt;
    node out_node;
    out_node.k = kind(*k);
    out_node.in = int(*in);
    out_node.out = int(*out);
    out_node.param_offset = int(*offset);
    out_node.param_count = int(*count);
    out_node.bias = *bias != 0;
    out_node.hp = n.getStructField(hp->getFieldIndex()).getFloat().convertToDouble();
    out_node.link = int(*link);
    out_node.hp2 = n.getStructField(hp2->getFieldIndex()).getFloat().convertToDouble();
    nodes.push_back(out_node);
  }
  return nodes;
}

// The constructor call `kiln::network{...}` (or `kiln::residual{...}`) under the implicit nodes
// and copies around it.
const CXXConstructExpr* construction(const Expr* e) {
  while (e) {
    e = e->IgnoreImplicit();
    if (const auto* cast = dyn_cast<CXXFunctionalCastExpr>(e)) {
      e = cast->getSubExpr();
    } else if (const auto* construct = dyn_cast<CXXConstructExpr>(e)) {
      if (construct->getNumArgs() == 1 && construct->getConstructor()->isCopyOrMoveConstructor()) {
        e = construct->getArg(0);
        continue;
      }
      return construct;
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

// One location per node, as the DSL flattens: a residual is a begin node, its body, an end node.
void layer_locations(llvm::ArrayRef<const Expr*> layers, std::vector<SourceLocation>& out) {
  for (const Expr* arg : layers) {
    const CXXConstructExpr* block = construction(arg);
    if (block && is_specialization_of(arg->getType(), "kiln::residual")) {
      out.push_back(arg->getBeginLoc());
      layer_locations({block->getArgs(), block->getNumArgs()}, out);
      out.push_back(arg->getBeginLoc());
    } else {
      out.push_back(arg->getBeginLoc());
    }
  }
}

// The layer expressions of `kiln::network{...}`; also of a declaration clang rejected (a DSL
// static_assert failed), whose initializer it keeps as a RecoveryExpr around the braced list.
std::vector<SourceLocation> layer_locations(const VarDecl* var) {
  std::vector<SourceLocation> out;
  const Expr* init = var->getInit();
  if (const CXXConstructExpr* call = construction(init)) {
    if (is_specialization_of(call->getType(), "kiln::network"))
      layer_locations({call->getArgs(), call->getNumArgs()}, out);
  } else if (const auto* recovery = dyn_cast_or_null<RecoveryExpr>(init)) {
    for (const Expr* sub : recovery->subExpressions())
      if (const auto* list = dyn_cast<InitListExpr>(sub)) {
        layer_locations({list->getInits(), list->getNumInits()}, out);
        break;
      }
  }
  return out;
}

std::string qualified_name(const VarDecl* var) {
  PrintingPolicy policy(var->getASTContext().getLangOpts());
  policy.SuppressUnwrittenScope = true;  // anonymous and inline namespaces
  std::string name;
  llvm::raw_string_ostream os(name);
  var->printQualifiedName(os, policy);
  return name;
}

std::string strip_global(std::string name) {
  return name.rfind("::", 0) == 0 ? name.substr(2) : name;
}

// ---- The matcher and its callback -------------------------------------------------------------

auto network_variable() {
  return varDecl(hasStaticStorageDuration(), isExpansionInMainFile(),
                 hasType(hasUnqualifiedDesugaredType(recordType(
                     hasDeclaration(classTemplateSpecializationDecl(hasName("::kiln::network")))))))
      .bind("network");
}

class collector : public MatchFinder::MatchCallback {
 public:
  collector(Sema& sema, std::vector<spec_network>& out) : sema_(sema), out_(out) {}

  void run(const MatchFinder::MatchResult& result) override {
    const auto* var = result.Nodes.getNodeAs<VarDecl>("network");
    if (!var || var->isInvalidDecl() || var->isTemplated() ||
        isa<VarTemplateSpecializationDecl>(var) || !var->isThisDeclarationADefinition() ||
        var->getParentFunctionOrMethod())  // a static local: generated code cannot name it
      return;
    if (!seen_.insert(var->getCanonicalDecl()).second) return;
    const SourceManager& sm = *result.SourceManager;
    DiagnosticsEngine& diags = result.Context->getDiagnostics();
    const auto* record = var->getType()->getAsCXXRecordDecl();

    spec_network net;
    net.qualified_name = qualified_name(var);
    net.where = where_of(sm, var->getLocation());
    const APValue* value = var->evaluateValue();
    if (!value) {
      report(diags, var->getLocation(),
             "kiln-gen: network '" + net.qualified_name + "' is not a constant expression");
      return;
    }
    std::optional<std::vector<node>> nodes = read_nodes(record, *value);
    const auto input = static_member(sema_, record, "input_size"),
               output = static_member(sema_, record, "output_size"),
               params = static_member(sema_, record, "param_count"),
               loss = static_member(sema_, record, "has_loss");
    if (!nodes || !input || !output || !params || !loss || !input->isInt() || !output->isInt() ||
        !params->isInt() || !loss->isInt()) {
      report(diags, var->getLocation(),
             "kiln-gen: cannot read the value of network '" + net.qualified_name +
                 "': is this kiln::network from a different version of Kiln?");
      return;
    }
    net.nodes = std::move(*nodes);
    net.input_size = int(input->getInt().getExtValue());
    net.output_size = int(output->getInt().getExtValue());
    net.param_count = int(params->getInt().getExtValue());
    net.has_loss = loss->getInt().getBoolValue();

    // Per node: the layer's expression in the initializer, else the variable.
    const std::vector<SourceLocation> locations = layer_locations(var);
    for (std::size_t i = 0; i < net.nodes.size(); ++i)
      net.layer_locations.push_back(
          locations.size() == net.nodes.size() ? where_of(sm, locations[i]) : net.where);
    out_.push_back(std::move(net));
  }

 private:
  Sema& sema_;
  std::vector<spec_network>& out_;
  std::set<const Decl*> seen_;
};

// Repeats each DSL error at the spec: at the offending layer when the error names one and the
// declaration's initializer can be read, else where the notes left the spec.
class repeat_spec_errors : public MatchFinder::MatchCallback {
 public:
  repeat_spec_errors(std::vector<spec_diagnostics::pending>& errors) : errors_(errors) {}
  void run(const MatchFinder::MatchResult& result) override {
    const auto* var = result.Nodes.getNodeAs<VarDecl>("variable");
    const SourceManager& sm = *result.SourceManager;
    const SourceRange range(sm.getExpansionLoc(var->getBeginLoc()),
                            sm.getExpansionLoc(var->getEndLoc()));
    for (spec_diagnostics::pending& error : errors_) {
      if (error.layer < 0 || error.in_spec.isInvalid()) continue;
      if (!sm.isPointWithin(error.in_spec, range.getBegin(), range.getEnd())) continue;
      const std::vector<SourceLocation> locations = layer_locations(var);
      if (std::size_t(error.layer) < locations.size()) {
        error.in_spec = sm.getExpansionLoc(locations[error.layer]);
        error.message += " (layer " + std::to_string(error.layer) + ")";
      }
      error.layer = -1;
    }
  }

 private:
  std::vector<spec_diagnostics::pending>& errors_;
};

class extract_consumer : public ASTConsumer {
 public:
  extract_consumer(CompilerInstance& compiler, spec_diagnostics& diagnostics,
                   const extract_options& opts, extraction& out, bool& failed)
      : compiler_(compiler), diagnostics_(diagnostics), opts_(opts), out_(out), failed_(failed) {}

  void HandleTranslationUnit(ASTContext& context) override {
    DiagnosticsEngine& diags = context.getDiagnostics();
    const SourceManager& sm = context.getSourceManager();
    record_dependencies(sm);
    if (diags.hasErrorOccurred()) {
      repeat_errors(context);
      failed_ = true;
      return;
    }

    Sema& sema = compiler_.getSema();
    std::vector<spec_network> found;
    collector collect(sema, found);
    MatchFinder finder;
    finder.addMatcher(network_variable(), &collect);
    finder.matchAST(context);

    const SourceLocation file_start = sm.getLocForStartOfFile(sm.getMainFileID());
    if (opts_.networks.empty()) {
      out_.networks = std::move(found);
      if (out_.networks.empty())
        report(diags, file_start, "kiln-gen: no kiln::network variable in this spec");
    }
    for (const std::string& wanted : opts_.networks) {
      auto it = std::find_if(found.begin(), found.end(), [&](const spec_network& n) {
        return n.qualified_name == strip_global(wanted);
      });
      if (it != found.end()) {
        out_.networks.push_back(*it);
        continue;
      }
      std::string names;
      for (const spec_network& n : found) names += (names.empty() ? "" : ", ") + n.qualified_name;
      report(diags, file_start,
             "kiln-gen: no kiln::network named '" + strip_global(wanted) + "' in this spec" +
                 (names.empty() ? std::string() : " (it declares " + names + ")"));
    }
    failed_ = diags.hasErrorOccurred();
  }

 private:
  void repeat_errors(ASTContext& context) {
    std::vector<spec_diagnostics::pending> errors = diagnostics_.take_pending();
    if (errors.empty()) return;
    repeat_spec_errors locate(errors);
    MatchFinder finder;
    finder.addMatcher(varDecl(isExpansionInMainFile()).bind("variable"), &locate);
    finder.matchAST(context);
    diagnostics_.set_repeating(true);
    for (const spec_diagnostics::pending& error : errors)
      report(context.getDiagnostics(), error.in_spec, error.message);
    diagnostics_.set_repeating(false);
  }

  void record_dependencies(const SourceManager& sm) {
    std::set<std::string> files;
    for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
      SmallString<256> path(it->first.getName());
      sm.getFileManager().makeAbsolutePath(path);
      llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
      files.insert(std::string(path));
    }
    out_.dependencies.assign(files.begin(), files.end());
  }

  CompilerInstance& compiler_;
  spec_diagnostics& diagnostics_;
  const extract_options& opts_;
  extraction& out_;
  bool& failed_;
};

class extract_action : public ASTFrontendAction {
 public:
  extract_action(spec_diagnostics& diagnostics, const extract_options& opts, extraction& out,
                 bool& failed)
      : diagnostics_(diagnostics), opts_(opts), out_(out), failed_(failed) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& compiler, StringRef) override {
    return std::make_unique<extract_consumer>(compiler, diagnostics_, opts_, out_, failed_);
  }

 private:
  spec_diagnostics& diagnostics_;
  const extract_options& opts_;
  extraction& out_;
  bool& failed_;
};

class extract_factory : public tooling::FrontendActionFactory {
 public:
  extract_factory(spec_diagnostics& diagnostics, const extract_options& opts, extraction& out,
                  bool& failed)
      : diagnostics_(diagnostics), opts_(opts), out_(out), failed_(failed) {}
  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<extract_action>(diagnostics_, opts_, out_, failed_);
  }

 private:
  spec_diagnostics& diagnostics_;
  const extract_options& opts_;
  extraction& out_;
  bool& failed_;
};

}  // namespace

std::optional<extraction> extract(const clang::tooling::CompilationDatabase& db,
                                  const std::string& spec, const extract_options& opts) {
  clang::tooling::ClangTool tool(db, {spec});
  tool.appendArgumentsAdjuster(drop_unknown_flags());
  tool.appendArgumentsAdjuster(quiet_pragma_once());
  tool.appendArgumentsAdjuster(default_standard());
  tool.appendArgumentsAdjuster(clang::tooling::getInsertArgumentAdjuster(
      {"-resource-dir", opts.resource_dir}, clang::tooling::ArgumentInsertPosition::BEGIN));
  spec_diagnostics diagnostics;
  tool.setDiagnosticConsumer(&diagnostics);
  extraction out;
  bool failed = false;
  extract_factory factory(diagnostics, opts, out, failed);
  const int status = tool.run(&factory);
  if (status != 0 || failed || diagnostics.getNumErrors() > 0) return std::nullopt;
  return out;
}

void report_error(const source_location& where, const std::string& message) {
  using namespace clang;
  IntrusiveRefCntPtr<DiagnosticOptions> options(new DiagnosticOptions);
  options->ShowColors = llvm::errs().has_colors();
  TextDiagnosticPrinter printer(llvm::errs(), options.get());
  DiagnosticsEngine diags(new DiagnosticIDs, options, &printer, /*ShouldOwnClient=*/false);
  FileManager files{FileSystemOptions{}};
  SourceManager sources(diags, files);
  diags.setSourceManager(&sources);
  SourceLocation loc;
  if (!where.file.empty())
    if (auto file = files.getOptionalFileRef(where.file)) {
      const FileID id = sources.createFileID(*file, SourceLocation(), SrcMgr::C_User);
      loc = sources.translateLineCol(id, std::max(1u, where.line), std::max(1u, where.column));
    }
  LangOptions lang;
  printer.BeginSourceFile(lang, nullptr);
  const std::string prefix = loc.isValid() || where.file.empty()
                                 ? std::string()
                                 : where.file + ":" + std::to_string(where.line) + ":" +
                                       std::to_string(where.column) + ": ";
  diags.Report(loc, diags.getCustomDiagID(DiagnosticsEngine::Error, "%0")) << prefix + message;
  printer.EndSourceFile();
}

}  // namespace kiln::codegen
