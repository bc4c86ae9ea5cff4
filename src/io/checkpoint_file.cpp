#include "memsgd/io/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <numeric>
#include <span>
#include <type_traits>

#include "memsgd/io/run_file.hpp"
#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/util/hdf5_handle.hpp"

namespace memsgd {
namespace {

// Per-rank scalars, gathered as one row of uint64 per rank.
enum PerRankScalar : std::size_t {
  kSamplePosition,
  kSamplingRng0,                         // 4 words of the sampler's generator
  kCompressionRng0 = kSamplingRng0 + 4,  // 4 words, all zero without a randomised compressor
  kHasCompressionRng = kCompressionRng0 + 4,
  kCounters0,  // the traffic counters, in the order of forEachCounter()
  kPerRankScalars = kCounters0 + kCommCounterCount
};

// Replicated scalars, stored once.
enum ReplicatedScalar : std::size_t {
  kSteps,
  kSamples,
  kNextEvaluation,
  kNextCheckpoint,
  kRunFileRows,
  kReplicatedScalars
};

template <typename T>
hid_t hdf5Type() {
  if constexpr (std::is_same_v<T, double>) {
    return H5T_NATIVE_DOUBLE;
  } else if constexpr (std::is_same_v<T, float>) {
    return H5T_NATIVE_FLOAT;
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    return H5T_NATIVE_UINT64;
  } else if constexpr (std::is_same_v<T, std::uint32_t>) {
    return H5T_NATIVE_UINT32;
  } else {
    static_assert(std::is_same_v<T, char>);
    return H5T_NATIVE_CHAR;
  }
}

template <typename T>
void writeArray(hid_t file, const std::string& path, const char* name, const T* data,
                const std::vector<hsize_t>& dims) {
  detail::writeDataset(file, path, name, hdf5Type<T>(), dims, data);
}

hsize_t datasetSize(hid_t file, const std::string& path, const char* name) {
  const Hdf5Handle dataset(MEMSGD_HDF5_CHECK(H5Dopen2(file, name, H5P_DEFAULT), path, name));
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Dget_space(dataset.get()), path, name));
  return static_cast<hsize_t>(
      MEMSGD_HDF5_CHECK(H5Sget_simple_extent_npoints(space.get()), path, name));
}

// Reads `count` values from flat (row-major) element `offset` on of dataset `name`.
template <typename T>
std::vector<T> readArray(hid_t file, const std::string& path, const char* name, hsize_t offset,
                         hsize_t count) {
  const Hdf5Handle dataset(MEMSGD_HDF5_CHECK(H5Dopen2(file, name, H5P_DEFAULT), path, name));
  const hsize_t total = datasetSize(file, path, name);
  if (offset + count > total) {
    throw IoError(path + ", " + name + ": holds " + std::to_string(total) +
                  " values, too few for this run");
  }
  // Select the range through a flat view of the same number of elements.
  const Hdf5Handle flat(MEMSGD_HDF5_CHECK(H5Screate_simple(1, &total, nullptr), path, name));
  MEMSGD_HDF5_CHECK(
      H5Sselect_hyperslab(flat.get(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr), path,
      name);
  const Hdf5Handle memory(MEMSGD_HDF5_CHECK(H5Screate_simple(1, &count, nullptr), path, name));
  std::vector<T> values(count);
  if (count > 0) {
    MEMSGD_HDF5_CHECK(
        H5Dread(dataset.get(), hdf5Type<T>(), memory.get(), flat.get(), H5P_DEFAULT, values.data()),
        path, name);
  }
  return values;
}

template <typename T>
std::vector<T> readWhole(hid_t file, const std::string& path, const char* name) {
  return readArray<T>(file, path, name, 0, datasetSize(file, path, name));
}

template <typename Scalar>
VectorOf<Scalar> toVector(const std::vector<Scalar>& values) {
  return Eigen::Map<const VectorOf<Scalar>>(values.data(),
                                            static_cast<Eigen::Index>(values.size()));
}

std::string identityText(const CheckpointIdentity& identity) {
  std::string text;
  for (const auto& [key, value] : identity) {
    text += key + "=" + value + "\n";
  }
  return text;
}

// identityText's "key=value" lines by key.
std::map<std::string, std::string> identityValues(const std::string& stored) {
  std::map<std::string, std::string> values;
  for (std::size_t begin = 0; begin < stored.size();) {
    const std::size_t end = std::min(stored.find('\n', begin), stored.size());
    const std::string line = stored.substr(begin, end - begin);
    const std::size_t equals = line.find('=');
    values[line.substr(0, equals)] =
        equals == std::string::npos ? std::string() : line.substr(equals + 1);
    begin = end + 1;
  }
  return values;
}

// "key is Y now; the checkpoint has X" for every setting that differs, by key, so that a
// checkpoint of an older identity layout names what it lacks rather than a shifted line.
std::string differences(const std::string& stored, const CheckpointIdentity& current) {
  std::map<std::string, std::string> storedValues = identityValues(stored);
  std::string text;
  const auto add = [&text](const std::string& difference) {
    text += (text.empty() ? "" : ", ") + difference;
  };
  for (const auto& [key, value] : current) {
    const auto found = storedValues.find(key);
    if (found == storedValues.end()) {
      add(key + " is " + value + " now; the checkpoint has none");
    } else if (found->second != value) {
      add(key + " is " + value + " now; the checkpoint has " + found->second);
    }
    if (found != storedValues.end()) storedValues.erase(found);
  }
  for (const auto& [key, value] : storedValues) {
    add(key + " is not a setting now; the checkpoint has " + value);
  }
  return text;
}

// The checkpoint at `path`, open for reading.
Hdf5Handle openCheckpoint(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw IoError("--resume " + path + ": no such checkpoint file");
  }
  detail::silenceHdf5Errors();
  const Hdf5Handle access = detail::runFileAccess(path);
  return Hdf5Handle(
      MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), path, ""));
}

std::string storedIdentity(hid_t file, const std::string& path) {
  const std::vector<char> stored = readWhole<char>(file, path, "identity");
  return {stored.begin(), stored.end()};
}

// Data is on disk before the rename makes it the checkpoint (a crash leaves old or new, whole).
void syncFile(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY);
  if (descriptor < 0 || ::fsync(descriptor) != 0) {
    const int reason = errno;  // before close() can change it
    if (descriptor >= 0) {
      ::close(descriptor);
    }
    throw IoError(path + ": cannot fsync the new checkpoint: " + std::strerror(reason));
  }
  ::close(descriptor);
}

template <typename Scalar>
void writeFile(const std::string& path, const TrainerState<Scalar>& mine,
               const RunProgress& progress, const CheckpointIdentity& identity,
               const std::vector<Scalar>& memories, const std::vector<Scalar>& velocities,
               const std::vector<std::uint32_t>& orders, const std::vector<std::uint64_t>& offsets,
               const std::vector<std::uint64_t>& perRank, const std::vector<std::uint64_t>& steps,
               int ranks) {
  const std::string temporary = path + ".tmp";
  {
    const Hdf5Handle file = detail::createOutputFile(temporary, /*overwrite=*/true);
    const hid_t f = file.get();
    const auto d = static_cast<hsize_t>(mine.x.size());
    const auto p = static_cast<hsize_t>(ranks);
    writeArray(f, temporary, "x", mine.x.data(), {d});
    writeArray(f, temporary, "averaging_weighted_sum", mine.averaging.weightedSum.data(),
               {static_cast<hsize_t>(mine.averaging.weightedSum.size())});
    writeArray(f, temporary, "averaging_folded_weight", mine.averaging.foldedWeight.data(),
               {static_cast<hsize_t>(mine.averaging.foldedWeight.size())});
    const std::array<double, 2> reals{mine.averaging.totalWeight, progress.elapsedSeconds};
    writeArray(f, temporary, "total_weight_and_elapsed_s", reals.data(), {2});
    const std::array<double, 2> progressReals{progress.stepSeconds, progress.startLoss};
    writeArray(f, temporary, "step_s_and_start_loss", progressReals.data(), {2});
    const std::array<std::uint64_t, kReplicatedScalars> scalars{
        mine.steps, mine.samples, progress.nextEvaluation, progress.nextCheckpoint,
        progress.runFileRows};
    writeArray(f, temporary, "progress", scalars.data(), {kReplicatedScalars});
    writeArray(f, temporary, "rank_memory", memories.data(), {p, d});
    if (!velocities.empty()) {  // optimizer.momentum > 0
      writeArray(f, temporary, "rank_velocity", velocities.data(), {p, d});
    }
    writeArray(f, temporary, "rank_sample_order", orders.data(), {orders.size()});
    writeArray(f, temporary, "rank_sample_order_offsets", offsets.data(), {p + 1});
    writeArray(f, temporary, "rank_scalars", perRank.data(), {p, kPerRankScalars});
    if (mine.stepsPerRank) {  // communication.mode = shared; progress holds rank 0's steps
      writeArray(f, temporary, "rank_steps", steps.data(), {p});
    }
    const std::string text = identityText(identity);
    writeArray(f, temporary, "identity", text.data(), {text.size()});
  }
  syncFile(temporary);
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    throw IoError(path + ": cannot replace the checkpoint: " + error.message());
  }
}

template <typename Scalar>
std::array<std::uint64_t, kPerRankScalars> perRankScalars(const TrainerState<Scalar>& state) {
  std::array<std::uint64_t, kPerRankScalars> row{};
  row[kSamplePosition] = state.sampling.position;
  std::copy(state.sampling.rng.begin(), state.sampling.rng.end(), row.begin() + kSamplingRng0);
  if (state.compressionRng) {
    std::copy(state.compressionRng->begin(), state.compressionRng->end(),
              row.begin() + kCompressionRng0);
    row[kHasCompressionRng] = 1;
  }
  const auto counters = toWords(state.counters);
  std::copy(counters.begin(), counters.end(), row.begin() + kCounters0);
  return row;
}

}  // namespace

template <typename Scalar>
void writeCheckpoint(const std::string& path, const Communicator& comm,
                     const TrainerState<Scalar>& mine, const RunProgress& progress,
                     const CheckpointIdentity& identity) {
  const auto ranks = static_cast<std::size_t>(comm.size());
  const bool root = comm.rank() == 0;
  const auto d = static_cast<std::size_t>(mine.memory.size());
  std::vector<Scalar> memories(root ? ranks * d : 0);
  // Every rank has a velocity or none (optimizer.momentum is the same on all).
  const auto velocitySize = static_cast<std::size_t>(mine.velocity.size());
  std::vector<Scalar> velocities(root ? ranks * velocitySize : 0);
  const auto scalars = perRankScalars(mine);
  std::vector<std::uint64_t> perRank(root ? ranks * kPerRankScalars : 0);
  std::vector<std::uint64_t> offsets(ranks + 1, 0);
  std::vector<std::uint32_t> orders;
  // Every rank has per-rank steps or none (communication.mode is the same on all).
  std::vector<std::uint64_t> steps(root && mine.stepsPerRank ? ranks : 0);
  {
    const auto watched = comm.watch("the checkpoint's gathers");
    const MPI_Datatype memoryType = std::is_same_v<Scalar, float> ? MPI_FLOAT : MPI_DOUBLE;
    MEMSGD_MPI_CHECK(MPI_Gather(mine.memory.data(), static_cast<int>(d), memoryType,
                                memories.data(), static_cast<int>(d), memoryType, 0, comm.raw()));
    if (velocitySize > 0) {
      MEMSGD_MPI_CHECK(MPI_Gather(mine.velocity.data(), static_cast<int>(velocitySize), memoryType,
                                  velocities.data(), static_cast<int>(velocitySize), memoryType, 0,
                                  comm.raw()));
    }
    MEMSGD_MPI_CHECK(MPI_Gather(scalars.data(), kPerRankScalars, MPI_UINT64_T, perRank.data(),
                                kPerRankScalars, MPI_UINT64_T, 0, comm.raw()));
    if (mine.stepsPerRank) {
      MEMSGD_MPI_CHECK(
          MPI_Gather(&mine.steps, 1, MPI_UINT64_T, steps.data(), 1, MPI_UINT64_T, 0, comm.raw()));
    }

    const int orderSize = static_cast<int>(mine.sampling.order.size());
    std::vector<int> orderSizes(ranks);
    MEMSGD_MPI_CHECK(
        MPI_Gather(&orderSize, 1, MPI_INT, orderSizes.data(), 1, MPI_INT, 0, comm.raw()));
    std::vector<int> displacements(ranks, 0);
    for (std::size_t r = 0; r < ranks; ++r) {
      offsets[r + 1] = offsets[r] + static_cast<std::uint64_t>(orderSizes[r]);
      displacements[r] = static_cast<int>(offsets[r]);
    }
    orders.resize(root ? offsets.back() : 0);
    MEMSGD_MPI_CHECK(MPI_Gatherv(mine.sampling.order.data(), orderSize, MPI_UINT32_T, orders.data(),
                                 orderSizes.data(), displacements.data(), MPI_UINT32_T, 0,
                                 comm.raw()));
  }
  if (root) {
    writeFile(path, mine, progress, identity, memories, velocities, orders, offsets, perRank, steps,
              comm.size());
  }
}

template <typename Scalar>
Checkpoint<Scalar> readCheckpoint(const std::string& path, const Communicator& comm,
                                  const CheckpointIdentity& identity) {
  Checkpoint<Scalar> checkpoint;
  comm.agreeOn([&] {
    const Hdf5Handle file = openCheckpoint(path);
    const hid_t f = file.get();
    const std::string storedText = storedIdentity(f, path);
    if (storedText != identityText(identity)) {
      throw ConfigError("--resume " + path + ": the checkpoint belongs to another run (" +
                        differences(storedText, identity) +
                        "); only optimizer.epochs and log settings may change");
    }
    TrainerState<Scalar>& state = checkpoint.state;
    state.x = toVector(readWhole<Scalar>(f, path, "x"));
    const auto d = static_cast<hsize_t>(state.x.size());
    state.averaging.weightedSum = toVector(readWhole<double>(f, path, "averaging_weighted_sum"));
    state.averaging.foldedWeight = toVector(readWhole<double>(f, path, "averaging_folded_weight"));
    const auto reals = readArray<double>(f, path, "total_weight_and_elapsed_s", 0, 2);
    state.averaging.totalWeight = reals[0];
    checkpoint.progress.elapsedSeconds = reals[1];
    const auto progressReals = readArray<double>(f, path, "step_s_and_start_loss", 0, 2);
    checkpoint.progress.stepSeconds = progressReals[0];
    checkpoint.progress.startLoss = progressReals[1];
    const auto scalars = readArray<std::uint64_t>(f, path, "progress", 0, kReplicatedScalars);
    state.steps = scalars[kSteps];
    state.samples = scalars[kSamples];
    checkpoint.progress.nextEvaluation = scalars[kNextEvaluation];
    checkpoint.progress.nextCheckpoint = scalars[kNextCheckpoint];
    checkpoint.progress.runFileRows = scalars[kRunFileRows];

    const auto r = static_cast<hsize_t>(comm.rank());
    state.memory = toVector(readArray<Scalar>(f, path, "rank_memory", r * d, d));
    // Written with momentum only; the identity holds optimizer.momentum, so the trainer agrees.
    if (MEMSGD_HDF5_CHECK(H5Lexists(f, "rank_velocity", H5P_DEFAULT), path, "rank_velocity") > 0) {
      state.velocity = toVector(readArray<Scalar>(f, path, "rank_velocity", r * d, d));
    }
    // Written in communication.mode = shared only, which the identity holds.
    if (MEMSGD_HDF5_CHECK(H5Lexists(f, "rank_steps", H5P_DEFAULT), path, "rank_steps") > 0) {
      state.steps = readArray<std::uint64_t>(f, path, "rank_steps", r, 1)[0];
      state.stepsPerRank = true;
    }
    const auto offsets = readArray<std::uint64_t>(f, path, "rank_sample_order_offsets", r, 2);
    state.sampling.order =
        readArray<std::uint32_t>(f, path, "rank_sample_order", offsets[0], offsets[1] - offsets[0]);
    const auto mine =
        readArray<std::uint64_t>(f, path, "rank_scalars", r * kPerRankScalars, kPerRankScalars);
    state.sampling.position = mine[kSamplePosition];
    std::copy_n(mine.begin() + kSamplingRng0, 4, state.sampling.rng.begin());
    if (mine[kHasCompressionRng] != 0) {
      state.compressionRng.emplace();
      std::copy_n(mine.begin() + kCompressionRng0, 4, state.compressionRng->begin());
    }
    state.counters = fromWords(std::span<const std::uint64_t, kCommCounterCount>(
        mine.data() + kCounters0, kCommCounterCount));
  });
  return checkpoint;
}

std::optional<std::string> readCheckpointIdentityValue(const std::string& path,
                                                       const Communicator& comm,
                                                       const std::string& key) {
  std::optional<std::string> value;
  comm.agreeOn([&] {
    const Hdf5Handle file = openCheckpoint(path);
    const auto values = identityValues(storedIdentity(file.get(), path));
    if (const auto found = values.find(key); found != values.end()) value = found->second;
  });
  return value;
}

#define MEMSGD_INSTANTIATE_CHECKPOINT(Scalar)                                                 \
  template void writeCheckpoint<Scalar>(const std::string&, const Communicator&,              \
                                        const TrainerState<Scalar>&, const RunProgress&,      \
                                        const CheckpointIdentity&);                           \
  template Checkpoint<Scalar> readCheckpoint<Scalar>(const std::string&, const Communicator&, \
                                                     const CheckpointIdentity&);
MEMSGD_INSTANTIATE_CHECKPOINT(float)
MEMSGD_INSTANTIATE_CHECKPOINT(double)
#undef MEMSGD_INSTANTIATE_CHECKPOINT

}  // namespace memsgd
