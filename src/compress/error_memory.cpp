#include "memsgd/compress/error_memory.hpp"

namespace memsgd {

void ErrorMemory::retain(const SparseMessage& sent) {
  if (!enabled_) {
    values_.setZero();
    return;
  }
  for (std::size_t i = 0; i < sent.size(); ++i) {
    values_[sent.indices[i]] -= sent.values[i];
  }
}

}  // namespace memsgd
