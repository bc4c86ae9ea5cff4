// memsgd-fault: trains like memsgd-train with the real Trainer and exchange, but one rank throws
// mid-run while its peers wait for it inside the exchange. It exercises the failure path of every
// memsgd tool (tool_main.hpp) for faults that no input file can provoke on a rank other than 0.
//   MEMSGD_FAULT=RANK:STEP mpirun -np P memsgd-fault CONFIG [--section.key=value ...]
// Just before it throws, the faulty rank creates the file `fault.now` in the working folder, so
// that a test can time how fast the whole job ends.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "memsgd/data/distributed_load.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/trainer.hpp"
#include "tool_main.hpp"

namespace {

struct Fault {
  int rank;
  std::uint64_t step;
};

Fault faultFromEnvironment() {
  const char* spec = std::getenv("MEMSGD_FAULT");
  const std::string text = spec != nullptr ? spec : "";
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    throw memsgd::ConfigError("MEMSGD_FAULT must be RANK:STEP, got '" + text + "'");
  }
  return {std::stoi(text.substr(0, colon)), std::stoull(text.substr(colon + 1))};
}

}  // namespace

int main(int argc, char** argv) {
  return memsgd::tools::runTool(
      "memsgd-fault", argc, argv,
      [](const memsgd::RunConfig& config, const memsgd::Communicator& comm) {
        const Fault fault = faultFromEnvironment();
        const auto data = memsgd::loadShards<double>(config.data, comm);
        const auto model = memsgd::makeModel(config.model, data.train);
        memsgd::Trainer<double> trainer(config, comm, *model, data.train);
        // Far more steps than the fault needs: the job ends only through the fault.
        while (trainer.steps() <= fault.step + 1000000) {
          if (comm.rank() == fault.rank && trainer.steps() == fault.step) {
            std::ofstream("fault.now").close();
            throw std::runtime_error("injected fault at step " + std::to_string(fault.step));
          }
          trainer.step();
        }
      });
}
