#include "memsgd/log/run_recorder.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <exception>
#include <ostream>
#include <span>
#include <string>

#include "memsgd/mpi/mpi_check.hpp"

namespace memsgd {
namespace {

// Per step and rank in the trace: the step's traffic, from the counters before and after it.
struct TraceField {
  const char* name;
  std::uint64_t (*of)(const CommCounters&);
};
constexpr std::array<TraceField, 3> kTraceFields = {
    {{"bytes_sent", [](const CommCounters& c) { return c.sent.total(); }},
     {"bytes_received", [](const CommCounters& c) { return c.received.total(); }},
     {"pairs_sent", [](const CommCounters& c) { return c.pairs; }}}};

}  // namespace

RunRecorder::RunRecorder(const LogConfig& config, const Communicator& comm,
                         const std::vector<std::pair<std::string, AttributeValue>>& attributes,
                         std::ostream& console, std::optional<ResumePoint> resume)
    : comm_(comm),
      console_(console),
      quiet_(config.quiet),
      rows_(resume ? resume->rows : 0),
      tracing_(config.traceSteps),
      traced_(resume ? resume->counters : CommCounters{}) {
  comm.agreeOn([&] {
    if (comm.rank() == 0) {
      file_.emplace(resume ? RunFile::reopen(config.output, resume->rows, resume->steps)
                           : RunFile::create(config.output, config.overwrite));
      file_->writeConfig(attributes);
    }
  });
}

void RunRecorder::record(const TrainerStatus& trainer, const Evaluation& evaluation,
                         double elapsedSeconds, double stepSeconds) {
  flushTrace();
  const int ranks = comm_.size();
  // Per rank: the counters' words, then the wait in the exchange as a double's bits.
  constexpr std::size_t kWords = kCommCounterCount + 1;
  std::array<std::uint64_t, kWords> mine{};
  const auto counterWords = toWords(trainer.counters);
  std::copy(counterWords.begin(), counterWords.end(), mine.begin());
  mine.back() = std::bit_cast<std::uint64_t>(trainer.waitSeconds);
  gathered_.resize(kWords * static_cast<std::size_t>(ranks));
  comm_.allgather(mine, gathered_, "the gather of a run file row");
  ++rows_;
  if (comm_.rank() != 0) {
    return;
  }
  std::vector<CommCounters> perRank;
  perRank.reserve(static_cast<std::size_t>(ranks));
  std::vector<double> waitSeconds(static_cast<std::size_t>(ranks));
  CommCounters total;
  for (std::size_t r = 0; r < static_cast<std::size_t>(ranks); ++r) {
    perRank.push_back(fromWords(std::span<const std::uint64_t, kCommCounterCount>(
        gathered_.data() + r * kWords, kCommCounterCount)));
    waitSeconds[r] = std::bit_cast<double>(gathered_[r * kWords + kCommCounterCount]);
    total += perRank.back();
  }
  // One value per rank of `of(counters)`.
  const auto columnOf = [&perRank](const auto& of) {
    std::vector<std::int64_t> column;
    column.reserve(perRank.size());
    for (const CommCounters& counters : perRank) {
      column.push_back(static_cast<std::int64_t>(of(counters)));
    }
    return column;
  };
  const std::uint64_t bytesSent = total.sent.total();
  const std::uint64_t bytesReceived = total.received.total();
  const double epoch = trainer.epoch;

  MetricsRow row;
  row.integers = {{"step", static_cast<std::int64_t>(trainer.steps)},
                  {"samples", static_cast<std::int64_t>(trainer.samples)},
                  {"bytes_sent", static_cast<std::int64_t>(bytesSent)},
                  {"bytes_received", static_cast<std::int64_t>(bytesReceived)}};
  forEachCounter(total, [&row](const char* name, std::uint64_t value) {
    row.integers.emplace_back(name, static_cast<std::int64_t>(value));
  });
  row.reals = {{"epoch", epoch},
               {"wall_s", elapsedSeconds},
               {"step_s", stepSeconds},
               {"learning_rate", trainer.learningRate},
               {"train_loss", evaluation.trainLoss}};
  if (evaluation.suboptimality) {
    row.reals.emplace_back("suboptimality", *evaluation.suboptimality);
  }
  if (evaluation.testLoss) {
    row.reals.emplace_back("test_loss", *evaluation.testLoss);
    row.reals.emplace_back(evaluation.metric == Metric::kAccuracy ? "test_accuracy" : "test_rmse",
                           *evaluation.testMetric);
  }
  row.perRank = {
      {"bytes_sent", columnOf([](const CommCounters& c) { return c.sent.total(); })},
      {"bytes_received", columnOf([](const CommCounters& c) { return c.received.total(); })}};
  // Each counter's column, read from the gathered words in the list's order.
  std::size_t field = 0;
  forEachCounter(total, [&](const char* name, std::uint64_t) {
    std::vector<std::int64_t> column;
    column.reserve(perRank.size());
    for (std::size_t r = 0; r < perRank.size(); ++r) {
      column.push_back(static_cast<std::int64_t>(gathered_[r * kWords + field]));
    }
    row.perRank.emplace_back(name, std::move(column));
    ++field;
  });
  row.perRankReals = {{"wait_s", std::move(waitSeconds)}};
  file_->appendRow(row);

  last_ = {epoch,
           trainer.samples,
           evaluation.trainLoss,
           evaluation.suboptimality,
           evaluation.metric,
           evaluation.testMetric,
           static_cast<double>(bytesSent) / 1e6,
           elapsedSeconds};
  paperBits_ = total.paperBits;
  if (!quiet_) {
    console_ << formatProgress(last_) << std::endl;
  }
}

void RunRecorder::finish(const TrainerStatus& trainer, const RunTiming& timing) {
  // Each rank's wait against its own step time (both of this process): after an evaluation,
  // the others wait in the next exchange while rank 0 writes the row, outside its step time.
  const std::array<std::uint64_t, 2> mine{std::bit_cast<std::uint64_t>(trainer.waitSeconds),
                                          std::bit_cast<std::uint64_t>(timing.stepSeconds)};
  std::vector<std::uint64_t> all(mine.size() * static_cast<std::size_t>(comm_.size()));
  comm_.allgather(mine, all, "the gather of the ranks' wait times");
  if (comm_.rank() == 0) {
    std::vector<double> waitShares;
    for (std::size_t r = 0; r < all.size(); r += mine.size()) {
      const auto stepSeconds = std::bit_cast<double>(all[r + 1]);
      waitShares.push_back(stepSeconds > 0.0 ? std::bit_cast<double>(all[r]) / stepSeconds : 0.0);
    }
    file_->markComplete();
    console_ << formatSummary({last_, timing, trainer.steps, paperBits_, file_->path(),
                               std::move(waitShares)})
             << std::endl;
  }
}

void RunRecorder::traceStep(const TrainerStatus& trainer) {
  if (!tracing_) {
    return;
  }
  const CommCounters& now = trainer.counters;
  pending_.push_back(static_cast<std::int64_t>(trainer.steps));
  for (const TraceField& field : kTraceFields) {
    pending_.push_back(static_cast<std::int64_t>(field.of(now) - field.of(traced_)));
  }
  traced_ = now;
}

void RunRecorder::flushTrace() {
  if (!tracing_) {
    return;
  }
  // Every rank noted the same steps, so the blocks have one size and rank 0 can transpose them.
  constexpr std::size_t kFields = 1 + kTraceFields.size();
  const std::size_t steps = pending_.size() / kFields;
  const auto ranks = static_cast<std::size_t>(comm_.size());
  std::vector<std::int64_t> all(comm_.rank() == 0 ? pending_.size() * ranks : 0);
  {
    const auto watched = comm_.watch("the gather of the step trace");
    MEMSGD_MPI_CHECK(MPI_Gather(pending_.data(), static_cast<int>(pending_.size()), MPI_INT64_T,
                                all.data(), static_cast<int>(pending_.size()), MPI_INT64_T, 0,
                                comm_.raw()));
  }
  if (comm_.rank() == 0 && steps > 0) {
    TraceBlock block;
    for (std::size_t s = 0; s < steps; ++s) {
      block.steps.push_back(pending_[s * kFields]);
    }
    for (std::size_t f = 0; f < kTraceFields.size(); ++f) {
      std::vector<std::int64_t> values(steps * ranks);
      for (std::size_t s = 0; s < steps; ++s) {
        for (std::size_t r = 0; r < ranks; ++r) {
          values[s * ranks + r] = all[r * pending_.size() + s * kFields + 1 + f];
        }
      }
      block.perRank.emplace_back(kTraceFields[f].name, std::move(values));
    }
    file_->appendTrace(block);
  }
  pending_.clear();
}

}  // namespace memsgd
