#include "memsgd/log/console.hpp"

#include <algorithm>
#include <cstdio>

namespace memsgd {
namespace {

template <typename... Args>
std::string format(const char* pattern, Args... args) {
  char buffer[256];
  const int length = std::snprintf(buffer, sizeof buffer, pattern, args...);
  return std::string(buffer, static_cast<std::size_t>(length < 0 ? 0 : length));
}

// "test_acc 0.8503" or "test_rmse 0.1234"; "test_acc -" or "test_rmse -" without a test set.
std::string testText(const ProgressLine& line) {
  const char* name = line.metric == Metric::kAccuracy ? "test_acc" : "test_rmse";
  return line.testMetric ? format("%s %.4f", name, *line.testMetric) : format("%s -", name);
}

// A straggler waits least: the slowest rank is the one with the smallest share of its step time
// spent waiting in the exchange, the fastest the one with the largest.
std::string waitLine(const std::vector<double>& waitShares) {
  if (waitShares.size() < 2) {
    return {};
  }
  const auto [least, most] = std::minmax_element(waitShares.begin(), waitShares.end());
  return format(
      "wait in the exchange: slowest rank %d %.1f%% of step time, fastest rank %d %.1f%%\n",
      static_cast<int>(least - waitShares.begin()), 100.0 * *least,
      static_cast<int>(most - waitShares.begin()), 100.0 * *most);
}

}  // namespace

std::string formatProgress(const ProgressLine& line) {
  const std::string suboptimality =
      line.suboptimality ? format("  subopt %.3e", *line.suboptimality) : std::string();
  return format("epoch %7.3f  samples %10llu  train_loss %.6f%s  %s  sent %10.4f MB  %8.2f s",
                line.epoch, static_cast<unsigned long long>(line.samples), line.trainLoss,
                suboptimality.c_str(), testText(line).c_str(), line.megabytesSent,
                line.elapsedSeconds);
}

std::string formatStart(const RunStart& start) {
  const std::string k =
      start.sendsK ? format(" k = %llu,", static_cast<unsigned long long>(start.k)) : std::string();
  // k counts parameters: with p != d (softmax, mlp) the line says p, so that k reads against it.
  const std::string p =
      start.parameters != start.dim
          ? format(", p = %llu", static_cast<unsigned long long>(start.parameters))
          : std::string();
  return format("start: %s,%s memory %s, %d ranks, n = %llu, d = %llu%s", start.method.c_str(),
                k.c_str(), start.memory ? "on" : "off", start.ranks,
                static_cast<unsigned long long>(start.rows),
                static_cast<unsigned long long>(start.dim), p.c_str());
}

std::string formatSummary(const RunSummary& summary) {
  const ProgressLine& last = summary.last;
  const RunTiming& timing = summary.timing;
  const double perEpoch =
      timing.epochsStepped > 0.0 ? timing.stepSeconds / timing.epochsStepped : 0.0;
  return format("done: %llu steps, %.3f epochs in %.2f s; train_loss %.6f, %s\n",
                static_cast<unsigned long long>(summary.steps), last.epoch, last.elapsedSeconds,
                last.trainLoss, testText(last).c_str()) +
         format("sent %.4f MB over all ranks (%.4f Mbit by the paper's 64-bit convention)\n",
                last.megabytesSent, static_cast<double>(summary.paperBits) / 1e6) +
         format("time: load %.3f s, steps %.3f s for %.3f epochs (%.3f s per epoch)\n",
                timing.loadSeconds, timing.stepSeconds, timing.epochsStepped, perEpoch) +
         waitLine(summary.waitShares) + "run file: " + summary.outputPath;
}

}  // namespace memsgd
