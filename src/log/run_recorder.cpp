#include "memsgd/log/run_recorder.hpp"

#include <array>
#include <exception>
#include <ostream>
#include <string>

#include "memsgd/comm/mpi_check.hpp"

namespace memsgd {
namespace {

// Per-rank counters in the order they are gathered.
constexpr std::array<const char*, 8> kCounterNames = {
    "index_bytes_sent",     "value_bytes_sent",      "header_bytes_sent", "index_bytes_received",
    "value_bytes_received", "header_bytes_received", "paper_bits",        "pairs_sent"};

// Per step and rank in the trace: the step's traffic.
constexpr std::array<const char*, 3> kTraceNames = {"bytes_sent", "bytes_received", "pairs_sent"};

std::array<std::uint64_t, kCounterNames.size()> flatten(const CommCounters& c) {
  return {c.sent.index,     c.sent.value,      c.sent.header, c.received.index,
          c.received.value, c.received.header, c.paperBits,   c.pairs};
}

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
  const auto mine = flatten(trainer.counters);
  gathered_.resize(mine.size() * static_cast<std::size_t>(ranks));
  comm_.allgather(mine, gathered_);
  ++rows_;
  if (comm_.rank() != 0) {
    return;
  }
  // perRank[c][r]: counter c of rank r; totals[c]: summed over ranks.
  std::array<std::vector<std::int64_t>, kCounterNames.size()> perRank;
  std::array<std::uint64_t, kCounterNames.size()> totals{};
  for (std::size_t c = 0; c < kCounterNames.size(); ++c) {
    for (int r = 0; r < ranks; ++r) {
      const std::uint64_t value = gathered_[static_cast<std::size_t>(r) * mine.size() + c];
      perRank[c].push_back(static_cast<std::int64_t>(value));
      totals[c] += value;
    }
  }
  std::vector<std::int64_t> sentPerRank(static_cast<std::size_t>(ranks));
  std::vector<std::int64_t> receivedPerRank(static_cast<std::size_t>(ranks));
  for (std::size_t r = 0; r < sentPerRank.size(); ++r) {
    sentPerRank[r] = perRank[0][r] + perRank[1][r] + perRank[2][r];
    receivedPerRank[r] = perRank[3][r] + perRank[4][r] + perRank[5][r];
  }
  const std::uint64_t bytesSent = totals[0] + totals[1] + totals[2];
  const std::uint64_t bytesReceived = totals[3] + totals[4] + totals[5];
  const double epoch = trainer.epoch;

  MetricsRow row;
  row.integers = {{"step", static_cast<std::int64_t>(trainer.steps)},
                  {"samples", static_cast<std::int64_t>(trainer.samples)},
                  {"bytes_sent", static_cast<std::int64_t>(bytesSent)},
                  {"bytes_received", static_cast<std::int64_t>(bytesReceived)}};
  for (std::size_t c = 0; c < kCounterNames.size(); ++c) {
    row.integers.emplace_back(kCounterNames[c], static_cast<std::int64_t>(totals[c]));
  }
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
    row.reals.emplace_back("test_accuracy", *evaluation.testAccuracy);
  }
  row.perRank = {{"bytes_sent", sentPerRank}, {"bytes_received", receivedPerRank}};
  for (std::size_t c = 0; c < kCounterNames.size(); ++c) {
    row.perRank.emplace_back(kCounterNames[c], perRank[c]);
  }
  file_->appendRow(row);

  last_ = {epoch,
           trainer.samples,
           evaluation.trainLoss,
           evaluation.suboptimality,
           evaluation.testAccuracy,
           static_cast<double>(bytesSent) / 1e6,
           elapsedSeconds};
  paperBits_ = totals[6];
  if (!quiet_) {
    console_ << formatProgress(last_) << std::endl;
  }
}

void RunRecorder::finish(const TrainerStatus& trainer, const RunTiming& timing) {
  if (comm_.rank() == 0) {
    file_->markComplete();
    console_ << formatSummary({last_, timing, trainer.steps, paperBits_, file_->path()})
             << std::endl;
  }
}

void RunRecorder::traceStep(const TrainerStatus& trainer) {
  if (!tracing_) {
    return;
  }
  const CommCounters& now = trainer.counters;
  pending_.push_back(static_cast<std::int64_t>(trainer.steps));
  pending_.push_back(static_cast<std::int64_t>(now.sent.total() - traced_.sent.total()));
  pending_.push_back(static_cast<std::int64_t>(now.received.total() - traced_.received.total()));
  pending_.push_back(static_cast<std::int64_t>(now.pairs - traced_.pairs));
  traced_ = now;
}

void RunRecorder::flushTrace() {
  if (!tracing_) {
    return;
  }
  // Every rank noted the same steps, so the blocks have one size and rank 0 can transpose them.
  constexpr std::size_t kFields = 1 + kTraceNames.size();
  const std::size_t steps = pending_.size() / kFields;
  const auto ranks = static_cast<std::size_t>(comm_.size());
  std::vector<std::int64_t> all(comm_.rank() == 0 ? pending_.size() * ranks : 0);
  MEMSGD_MPI_CHECK(MPI_Gather(pending_.data(), static_cast<int>(pending_.size()), MPI_INT64_T,
                              all.data(), static_cast<int>(pending_.size()), MPI_INT64_T, 0,
                              comm_.raw()));
  if (comm_.rank() == 0 && steps > 0) {
    TraceBlock block;
    for (std::size_t s = 0; s < steps; ++s) {
      block.steps.push_back(pending_[s * kFields]);
    }
    for (std::size_t f = 0; f < kTraceNames.size(); ++f) {
      std::vector<std::int64_t> values(steps * ranks);
      for (std::size_t s = 0; s < steps; ++s) {
        for (std::size_t r = 0; r < ranks; ++r) {
          values[s * ranks + r] = all[r * pending_.size() + s * kFields + 1 + f];
        }
      }
      block.perRank.emplace_back(kTraceNames[f], std::move(values));
    }
    file_->appendTrace(block);
  }
  pending_.clear();
}

}  // namespace memsgd
