// memsgd-optimum: f* and x* of the run's problem (data set, normalisation, lambda) by full-batch
// L-BFGS polished with Newton steps to ||grad f|| <= 1e-10, written to log.output (HDF5: /x_star,
// /f_star, ...) for model.optimum = FILE of later runs. Takes the same config as memsgd-train and
// ignores the optimizer/compression sections:
//   mpirun -np 2 memsgd-optimum configs/quickstart.ini --log.output=runs/a9a_optimum.h5
#include "optimum_tool.hpp"
#include "tool_main.hpp"

int main(int argc, char** argv) {
  return memsgd::tools::runTool("memsgd-optimum", argc, argv, memsgd::tools::runOptimum);
}
