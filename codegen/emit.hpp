// Pass emit: prints the C++ of `<stem>.kiln.hpp` from scheduled op graphs: per network a struct of
// kernels over a lane type (kiln::generated::<id>::net) and the kiln::compiled<spec, T>
// specialization that binds it to the spec variable; with baked weights, also the weights as a
// constant array and kiln::baked<spec, T>.
#pragma once

#include <string>
#include <vector>

#include "op_graph.hpp"
#include "pipeline.hpp"

namespace kiln::codegen {

std::string emit(const std::vector<op_graph>& graphs, const std::string& spec_include,
                 const std::vector<baked_weights>& weights = {});

}  // namespace kiln::codegen
