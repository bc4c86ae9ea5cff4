#include "memsgd/run/run_observer.hpp"

#include <algorithm>

namespace memsgd {

void RunObservers::add(RunObserver& observer) {
  observers_.push_back(&observer);
  updateNextDue();
}

void RunObservers::atStart() {
  for (RunObserver* observer : observers_) {
    observer->atStart();
  }
  updateNextDue();
}

void RunObservers::onSchedule(std::uint64_t samples) {
  for (RunObserver* observer : observers_) {
    if (samples >= observer->nextDue()) {
      clock_.offStep([&] { observer->onSchedule(samples); });
    }
  }
  updateNextDue();
}

void RunObservers::atEnd() {
  // NOLINTNEXTLINE(modernize-loop-convert): clang 14 fails on libstdc++ 12's std::views::reverse
  for (auto observer = observers_.rbegin(); observer != observers_.rend(); ++observer) {
    clock_.offStep([&] { (*observer)->atEnd(); });
  }
}

void RunObservers::updateNextDue() {
  nextDue_ = kNever;
  for (const RunObserver* observer : observers_) {
    nextDue_ = std::min(nextDue_, observer->nextDue());
  }
}

}  // namespace memsgd
