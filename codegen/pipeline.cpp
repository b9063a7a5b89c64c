// The driver: every network of a spec through the passes, in order, top to bottom.
#include "pipeline.hpp"

#include <ostream>

#include "check_shapes.hpp"
#include "differentiate.hpp"
#include "dump.hpp"
#include "emit.hpp"
#include "layout_params.hpp"
#include "schedule.hpp"

namespace kiln::codegen {

const std::vector<std::string>& pass_names() {
  static const std::vector<std::string> names{"extract",       "check_shapes", "differentiate",
                                              "layout_params", "schedule",     "emit"};
  return names;
}

std::string generate_header(const std::vector<spec_network>& networks,
                            const std::string& spec_include, const options& opts,
                            std::ostream* dump) {
  const std::string& after = opts.dump_after;
  if (!after.empty()) {
    bool known = false;
    for (const std::string& name : pass_names()) known = known || name == after;
    if (!known) throw std::invalid_argument("kiln-gen: no pass named '" + after + "'");
  }
  if (opts.unroll_budget < 0) throw std::invalid_argument("kiln-gen: negative unroll budget");
  const auto show = [&](const std::string& pass, const auto& ir) {
    if (dump && after == pass) dump_json(*dump, ir);
  };

  std::vector<op_graph> graphs;
  for (const spec_network& net : networks) {
    show("extract", net);
    op_graph g = check_shapes(net);
    show("check_shapes", g);
    differentiate(g);
    show("differentiate", g);
    layout_params(g);
    show("layout_params", g);
    schedule(g, opts);
    show("schedule", g);
    graphs.push_back(std::move(g));
  }
  std::string header = emit(graphs, spec_include, opts.weights);
  if (dump && after == "emit") *dump << header;
  return header;
}

}  // namespace kiln::codegen
