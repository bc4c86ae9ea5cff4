// memsgd-optimum-nonconvex: memsgd-optimum (optimum_tool.hpp, the same body) in a program that
// registered a model without f* first, as model.type = tanh: what memsgd-optimum meets for a
// non-convex model, which no built-in model is.
//   mpirun -np 2 memsgd-optimum-nonconvex CONFIG --model.type=tanh [--section.key=value ...]
#include "memsgd/model/model_factory.hpp"
#include "optimum_tool.hpp"
#include "tanh_regression.hpp"
#include "tool_main.hpp"

int main(int argc, char** argv) {
  memsgd::registerModel<memsgd::test::TanhRegression>("tanh");
  return memsgd::tools::runTool("memsgd-optimum-nonconvex", argc, argv, memsgd::tools::runOptimum);
}
