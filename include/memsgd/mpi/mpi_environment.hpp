#pragma once

namespace memsgd {

// Initialises MPI on construction (unless something already did) and finalises it on destruction
// if this guard initialised it. One per process, in main.
class MpiEnvironment {
 public:
  MpiEnvironment(int& argc, char**& argv);
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;
  MpiEnvironment(MpiEnvironment&&) = delete;
  MpiEnvironment& operator=(MpiEnvironment&&) = delete;

 private:
  bool ownsMpi_ = false;
};

}  // namespace memsgd
