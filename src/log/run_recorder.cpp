#include "memsgd/log/run_recorder.hpp"

#include <array>
#include <exception>
#include <ostream>
#include <string>

namespace memsgd {
namespace {

// Per-rank counters in the order they are gathered.
constexpr std::array<const char*, 8> kCounterNames = {
    "index_bytes_sent",     "value_bytes_sent",      "header_bytes_sent", "index_bytes_received",
    "value_bytes_received", "header_bytes_received", "paper_bits",        "pairs_sent"};

std::array<std::uint64_t, kCounterNames.size()> flatten(const CommCounters& c) {
  return {c.sent.index,     c.sent.value,      c.sent.header, c.received.index,
          c.received.value, c.received.header, c.paperBits,   c.pairs};
}

}  // namespace

RunRecorder::RunRecorder(const LogConfig& config, const Communicator& comm,
                         const std::vector<std::pair<std::string, AttributeValue>>& attributes,
                         std::ostream& console, std::optional<std::uint64_t> resumeAfterRows)
    : comm_(comm), console_(console), quiet_(config.quiet), rows_(resumeAfterRows.value_or(0)) {
  std::exception_ptr failure;
  if (comm.rank() == 0) {
    try {
      file_.emplace(resumeAfterRows ? RunFile::reopen(config.output, *resumeAfterRows)
                                    : RunFile::create(config.output, config.overwrite));
      file_->writeConfig(attributes);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  comm.agreeOnFailure(failure);
}

void RunRecorder::record(const Trainer& trainer, const Evaluation& evaluation,
                         double elapsedSeconds) {
  const int ranks = comm_.size();
  const auto mine = flatten(trainer.counters());
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
  const double epoch = static_cast<double>(trainer.samples()) /
                       static_cast<double>(trainer.model().data().globalRows());

  MetricsRow row;
  row.integers = {{"step", static_cast<std::int64_t>(trainer.steps())},
                  {"samples", static_cast<std::int64_t>(trainer.samples())},
                  {"bytes_sent", static_cast<std::int64_t>(bytesSent)},
                  {"bytes_received", static_cast<std::int64_t>(bytesReceived)}};
  for (std::size_t c = 0; c < kCounterNames.size(); ++c) {
    row.integers.emplace_back(kCounterNames[c], static_cast<std::int64_t>(totals[c]));
  }
  row.reals = {{"epoch", epoch},
               {"wall_s", elapsedSeconds},
               {"learning_rate", trainer.learningRate()},
               {"train_loss", evaluation.trainLoss}};
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
           trainer.samples(),
           evaluation.trainLoss,
           evaluation.testAccuracy,
           static_cast<double>(bytesSent) / 1e6,
           elapsedSeconds};
  paperBits_ = totals[6];
  if (!quiet_) {
    console_ << formatProgress(last_) << std::endl;
  }
}

void RunRecorder::finish(const Trainer& trainer) {
  if (comm_.rank() == 0) {
    console_ << formatSummary({last_, trainer.steps(), paperBits_, file_->path()}) << std::endl;
  }
}

}  // namespace memsgd
