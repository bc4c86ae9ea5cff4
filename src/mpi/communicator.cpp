#include "memsgd/mpi/communicator.hpp"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/mpi/smpi_build.hpp"

namespace memsgd {

namespace detail {

void throwMpiError(int code, const char* call, const char* file, int line) {
  char description[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, description, &length);
  int rank = -1;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  }
  throw MpiError(std::string(call) + " failed on rank " + std::to_string(rank) + ": " +
                 std::string(description, static_cast<std::size_t>(length)) + " (" + file + ":" +
                 std::to_string(line) + ")");
}

}  // namespace detail

Communicator::Communicator(MPI_Comm parent) {
  MEMSGD_MPI_CHECK(MPI_Comm_dup(parent, &comm_));
  MEMSGD_MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
  MEMSGD_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  MEMSGD_MPI_CHECK(MPI_Comm_size(comm_, &size_));
  watchdog_ = std::make_unique<CollectiveWatchdog>(rank_);
}

Communicator::~Communicator() {
  watchdog_.reset();  // its thread ends before the communicator it watches
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && finalized == 0) {
    MPI_Comm_free(&comm_);  // a failure cannot be reported from a destructor
  }
}

Communicator::Communicator(Communicator&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)),
      rank_(other.rank_),
      size_(other.size_),
      watchdog_(std::move(other.watchdog_)) {}

Communicator& Communicator::operator=(Communicator&& other) noexcept {
  if (this != &other) {
    Communicator dying(std::move(*this));
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
    rank_ = other.rank_;
    size_ = other.size_;
    watchdog_ = std::move(other.watchdog_);
  }
  return *this;
}

void Communicator::allreduceSum(std::span<double> values, const char* collective) const {
  const auto watched = watch(collective);
  MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                                 MPI_DOUBLE, MPI_SUM, comm_));
}

void Communicator::allreduceSum(std::span<std::uint64_t> values) const {
  const auto watched = watch("a sum over ranks");
  MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                                 MPI_UINT64_T, MPI_SUM, comm_));
}

std::uint64_t Communicator::allreduceMax(std::uint64_t value) const {
  const auto watched = watch("a maximum over ranks");
  MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_MAX, comm_));
  return value;
}

double Communicator::allreduceMax(double value) const {
  const auto watched = watch("a maximum over ranks");
  MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, comm_));
  return value;
}

std::uint64_t Communicator::allreduceMin(std::uint64_t value) const {
  const auto watched = watch("a minimum over ranks");
  MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_MIN, comm_));
  return value;
}

void Communicator::allgather(std::span<const std::uint64_t> mine, std::span<std::uint64_t> all,
                             const char* collective) const {
  const auto watched = watch(collective);
  const int count = static_cast<int>(mine.size());
  MEMSGD_MPI_CHECK(
      MPI_Allgather(mine.data(), count, MPI_UINT64_T, all.data(), count, MPI_UINT64_T, comm_));
}

void Communicator::agreeOnFailure(const std::exception_ptr& failure) const {
  std::string message;
  int exitCode = kExitRuntimeError;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& error) {
      message = error.what();
      exitCode = error.exitCode();
    } catch (const std::exception& error) {
      message = error.what();
    }
  }
  // One scope for the whole agreement (scopes do not nest), so no allreduceMin here.
  const auto watched = watch("the ranks' agreement on errors");
  const auto noFailure = static_cast<std::uint64_t>(size_);
  std::uint64_t origin = failure ? static_cast<std::uint64_t>(rank_) : noFailure;
  MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &origin, 1, MPI_UINT64_T, MPI_MIN, comm_));
  if (origin == noFailure) {
    return;
  }
  const int originRank = static_cast<int>(origin);
  int header[2] = {exitCode, static_cast<int>(message.size())};
  MEMSGD_MPI_CHECK(MPI_Bcast(header, 2, MPI_INT, originRank, comm_));
  message.resize(static_cast<std::size_t>(header[1]));
  MEMSGD_MPI_CHECK(MPI_Bcast(message.data(), header[1], MPI_CHAR, originRank, comm_));
  throw AgreedError(message, originRank, header[0]);
}

int Communicator::ranksOnNode() const {
  // SMPI runs every rank in this one process, whatever simulated host it is on.
  if (kSmpiBuild) {
    return size_;
  }
  MPI_Comm node = MPI_COMM_NULL;
  MEMSGD_MPI_CHECK(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node));
  int ranks = 1;
  const int sizeResult = MPI_Comm_size(node, &ranks);
  MPI_Comm_free(&node);
  MEMSGD_MPI_CHECK(sizeResult);
  return ranks;
}

void Communicator::abort(int exitCode) const {
  MPI_Abort(comm_, exitCode);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]] if it ever did
}

}  // namespace memsgd
