// Loading data on 1 or more ranks, in MB/s of each rank's share of the file, next to the time the
// rank takes to read the same bytes with plain sequential reads (1 MiB std::ifstream::read calls
// over the rank's byte range [r S/P, (r+1) S/P) of the S bytes, all ranks at once, from the page
// cache; median of 5, measured once per file before its first benchmark, in the same run).
// On one rank only (MPI singleton or -np 1), the text parser's passes over the whole file:
//   - load/<shape>/count: countLibsvmRows, the pass that finds n;
//   - load/<shape>/parse: readLibsvmRows of all rows, the pass that parses them;
//   - load/<shape>/source: LibsvmSource::readShard, both (what a rank of 1 does).
// On every rank count, a rank's readShard (collective) of the same rows stored as
//   - load/npP/<shape>/text: the LIBSVM file, split at byte offsets;
//   - load/npP/<shape>/bz2: the same file compressed by bzip2 -1, which every rank decompresses
//     from its start (a compressed stream cannot be entered at an offset);
//   - load/npP/<shape>/hdf5_f64 and hdf5_f32: memsgd's HDF5 dataset written by
//     Hdf5DatasetWriter (/dense for epsilon, CSR for rcv1), values float64 or float32.
// Shapes, written once by rank 0 to $TMPDIR (removed at exit), 8 significant digits per value as
// LIBSVM tools write them; --load_mb=M sets the text's size (default 64):
//   - rcv1: 70 nonzeros per row in d = 47236, about 64 MB (some 50,000 rows);
//   - epsilon: dense rows of d = 2000, about 64 MB (2,700 rows; the paper's set has 400,000).
// Counters: MBps (the rank's share of the file per second), x_raw (time / raw read of the share
// into a hot 1 MiB buffer) and x_raw_fresh (time / raw read of the share into freshly mapped
// memory of its size, which pays the page faults a loader's arrays pay). Every rank runs every
// benchmark with a fixed iteration count; only rank 0 reports. Run from build/: launch/mpirun.sh
// -np 2 tests/bench/memsgd_load_benchmark
//   --benchmark_repetitions=5 --benchmark_report_aggregates_only=true     (and with -np 1)
#include <benchmark/benchmark.h>

#include <sys/mman.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "memsgd/data/hdf5_dataset_source.hpp"
#include "memsgd/data/hdf5_dataset_writer.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/libsvm_source.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/util/random.hpp"
#include "paired_timing.hpp"
#include "rank_zero_reporting.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kSeed = 1;
constexpr std::uint64_t kRowsPerBlock = 4096;  // what the HDF5 writer is given at a time

std::uint64_t targetBytes = std::uint64_t{64} << 20;

struct Shape {
  const char* name;
  std::uint64_t dim;
  std::uint64_t nonZeros;  // per row; dim: dense
};

constexpr std::array kShapes{Shape{"rcv1", 47236, 70}, Shape{"epsilon", 2000, 2000}};

enum class Input { kText, kBzip2, kHdf5Float64, kHdf5Float32 };

struct InputKind {
  const char* label;
  Input input;
  benchmark::IterationCount iterations;  // fixed: every rank runs as many
};

constexpr std::array kInputs{InputKind{"text", Input::kText, 5}, InputKind{"bz2", Input::kBzip2, 3},
                             InputKind{"hdf5_f64", Input::kHdf5Float64, 7},
                             InputKind{"hdf5_f32", Input::kHdf5Float32, 7}};

// Shared by all ranks: rank 0's process id names it.
std::filesystem::path& folder() {
  static std::filesystem::path path;
  return path;
}

void setFolder(const Communicator& comm) {
  std::array<std::uint64_t, 1> id{comm.rank() == 0 ? static_cast<std::uint64_t>(::getpid()) : 0};
  comm.allreduceSum(id);
  folder() =
      std::filesystem::temp_directory_path() / ("memsgd_load_benchmark_" + std::to_string(id[0]));
}

// Every rank waits here until all have arrived.
void barrier(const Communicator& comm) {
  std::array<std::uint64_t, 1> nothing{0};
  comm.allreduceSum(nothing);
}

std::string pathOf(const Shape& shape, Input input) {
  const std::string base = (folder() / shape.name).string();
  switch (input) {
    case Input::kText:
      return base + ".svm";
    case Input::kBzip2:
      return base + ".svm.bz2";
    case Input::kHdf5Float64:
      return base + "_f64.h5";
    case Input::kHdf5Float32:
      return base + "_f32.h5";
  }
  return base;
}

// Rows of the shape until the file holds about targetBytes.
void writeText(const Shape& shape, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("cannot write " + path);
  Rng rng(kSeed);
  std::uint64_t bytes = 0;
  const std::uint64_t stride = shape.dim / shape.nonZeros;
  while (bytes < targetBytes) {
    int written = std::fprintf(file, "%s", rng.below(2) == 0 ? "-1" : "+1");
    std::uint64_t index = 0;
    for (std::uint64_t f = 0; f < shape.nonZeros; ++f) {
      index += shape.nonZeros == shape.dim ? 1 : 1 + rng.below(2 * stride - 1) % stride;
      written += std::fprintf(file, " %llu:%.8g", static_cast<unsigned long long>(index),
                              (2.0 * rng.uniform() - 1.0) * 0.05);
    }
    written += std::fprintf(file, "\n");
    bytes += static_cast<std::uint64_t>(written);
  }
  std::fclose(file);
}

void writeBzip2(const std::string& text, const std::string& path) {
  const std::string command = "bzip2 -1 -c '" + text + "' > '" + path + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

void writeHdf5(const Shape& shape, const std::string& text, const std::string& path,
               hdf5_dataset::ValueType values) {
  Hdf5DatasetWriter writer(
      path,
      {.values = values, .denseDim = shape.nonZeros == shape.dim ? shape.dim : 0, .source = text});
  LibsvmRowStream stream(text);
  for (RowBlock rows = stream.next(kRowsPerBlock); rows.rows() > 0;
       rows = stream.next(kRowsPerBlock)) {
    writer.append(rows, 0);
  }
  writer.finish();
}

// Collective: rank 0 writes the shape's files on first use, the others wait for them.
std::string fileOf(const Communicator& comm, const Shape& shape, Input input) {
  static std::map<std::string, bool> written;
  if (!written[shape.name]) {
    if (comm.rank() == 0) {
      std::filesystem::create_directories(folder());
      const std::string text = pathOf(shape, Input::kText);
      writeText(shape, text);
      writeBzip2(text, pathOf(shape, Input::kBzip2));
      writeHdf5(shape, text, pathOf(shape, Input::kHdf5Float64), hdf5_dataset::ValueType::kFloat64);
      writeHdf5(shape, text, pathOf(shape, Input::kHdf5Float32), hdf5_dataset::ValueType::kFloat32);
    }
    barrier(comm);
    written[shape.name] = true;
  }
  return pathOf(shape, input);
}

double secondsOf(auto&& call) {
  const auto start = std::chrono::steady_clock::now();
  call();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// This rank's byte range of the file.
struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

ByteRange shareOf(const std::string& path, const Communicator& comm) {
  const std::uint64_t size = std::filesystem::file_size(path);
  const auto ranks = static_cast<std::uint64_t>(comm.size());
  const auto rank = static_cast<std::uint64_t>(comm.rank());
  return {size * rank / ranks, size * (rank + 1) / ranks};
}

// Reads the range with 1 MiB reads into `destination`, which advances by `stride` bytes a read
// (0: every read lands in the same 1 MiB).
void readShareInto(const std::string& path, ByteRange share, char* destination,
                   std::uint64_t stride) {
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(share.begin));
  for (std::uint64_t left = share.end - share.begin; left > 0;) {
    const std::uint64_t chunk = std::min<std::uint64_t>(left, kChunk);
    in.read(destination, static_cast<std::streamsize>(chunk));
    destination += stride;
    left -= chunk;
  }
  benchmark::DoNotOptimize(destination);
}

// Reads the range into a hot 1 MiB buffer: no page is touched for the first time.
void readShare(const std::string& path, ByteRange share) {
  static std::vector<char> buffer(std::size_t{1} << 20);
  readShareInto(path, share, buffer.data(), 0);
}

// Reads the range into anonymous memory of its size, mapped for this read and unmapped after:
// every page is faulted in, as it is for any loader's fresh arrays (malloc may hand back warm
// memory, mmap does not).
void readShareFresh(const std::string& path, ByteRange share) {
  const std::uint64_t bytes = std::max<std::uint64_t>(share.end - share.begin, 1);
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::runtime_error("mmap of " + std::to_string(bytes) + " bytes");
  readShareInto(path, share, static_cast<char*>(memory), std::uint64_t{1} << 20);
  ::munmap(memory, bytes);
}

// Seconds to read the range, median of 5 (the first read, not timed, warms the page cache);
// measured once per file.
double rawReadSeconds(const std::string& path, ByteRange share) {
  static std::map<std::string, double> measured;
  if (const auto found = measured.find(path); found != measured.end()) return found->second;
  readShare(path, share);
  std::vector<double> seconds(5);
  for (double& s : seconds) s = secondsOf([&] { readShare(path, share); });
  return measured[path] = median(seconds);
}

enum class Pass { kCount, kParse, kSource };

// One rank: the text parser's passes over the whole file.
void pass(benchmark::State& state, const Communicator& comm, const Shape& shape, Pass which) {
  const std::string path = fileOf(comm, shape, Input::kText);
  const ByteRange share = shareOf(path, comm);
  const double raw = rawReadSeconds(path, share);
  for (auto _ : state) {
    if (which == Pass::kCount) {
      benchmark::DoNotOptimize(countLibsvmRows(path));
    } else if (which == Pass::kParse) {
      benchmark::DoNotOptimize(
          readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()}));
    } else {
      benchmark::DoNotOptimize(LibsvmSource(path).readShard(comm, {}));
    }
  }
  state.counters["MBps"] = benchmark::Counter(static_cast<double>(share.end - share.begin) / 1e6,
                                              benchmark::Counter::kIsIterationInvariantRate);
  state.counters["x_raw"] = benchmark::Counter(
      raw, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// Every rank: its readShard of the input, timed in the same iterations as the raw reads of its
// share (paired_timing.hpp: medians, wall clock), into a hot buffer and into fresh memory.
void shard(benchmark::State& state, const Communicator& comm, const Shape& shape, Input input) {
  const std::string path = fileOf(comm, shape, input);
  const ByteRange share = shareOf(path, comm);
  const bool text = input == Input::kText || input == Input::kBzip2;
  std::vector<double> hot;
  std::vector<double> fresh;
  const PairedMedians medians = timePaired(
      state, comm,
      [&] {
        if (text) {
          benchmark::DoNotOptimize(LibsvmSource(path).readShard(comm, {}));
        } else {
          benchmark::DoNotOptimize(Hdf5DatasetSource(path).readShard(comm, {}));
        }
      },
      [&] {
        hot.push_back(secondsOf([&] { readShare(path, share); }));
        fresh.push_back(secondsOf([&] { readShareFresh(path, share); }));
      });
  const auto megabytes = static_cast<double>(share.end - share.begin) / 1e6;
  const double raw = median(hot);
  state.counters["MBps"] = megabytes / medians.measured;
  state.counters["raw_MBps"] = megabytes / raw;
  state.counters["x_raw"] = medians.measured / raw;
  state.counters["x_raw_fresh"] = medians.measured / median(fresh);
}

}  // namespace

void registerLoadBenchmarks(const Communicator& comm) {
  setFolder(comm);
  for (const Shape& shape : kShapes) {
    const std::string name = std::string("load/") + shape.name;
    if (comm.size() == 1) {
      for (const auto& [label, which] :
           {std::pair{"count", Pass::kCount}, {"parse", Pass::kParse}, {"source", Pass::kSource}}) {
        benchmark::RegisterBenchmark((name + "/" + label).c_str(), pass, std::cref(comm),
                                     std::cref(shape), which)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
    const std::string ranked = "load/np" + std::to_string(comm.size()) + "/" + shape.name + "/";
    for (const InputKind& kind : kInputs) {
      benchmark::RegisterBenchmark((ranked + kind.label).c_str(), shard, std::cref(comm),
                                   std::cref(shape), kind.input)
          ->Unit(benchmark::kMillisecond)
          ->Iterations(kind.iterations)
          ->UseManualTime();
    }
  }
}

}  // namespace memsgd

// --load_mb=M is this benchmark's own; the rest go to Google Benchmark.
int main(int argc, char** argv) {
  constexpr std::string_view kSizeFlag = "--load_mb=";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument.starts_with(kSizeFlag)) {
      memsgd::targetBytes = std::stoull(std::string(argument.substr(kSizeFlag.size()))) << 20;
    } else {
      argv[kept++] = argv[i];
    }
  }
  bool removes = false;
  const int status = memsgd::runOnEveryRank(
      kept, argv,
      [&](const memsgd::Communicator& comm) {
        removes = comm.rank() == 0;
        memsgd::registerLoadBenchmarks(comm);
      },
      "x_raw", "time / the rank's share of the file read with 1 MiB sequential reads");
  if (removes) std::filesystem::remove_all(memsgd::folder());
  return status;
}
