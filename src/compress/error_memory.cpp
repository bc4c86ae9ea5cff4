#include "memsgd/compress/error_memory.hpp"

namespace memsgd {

template <typename Scalar>
void ErrorMemory<Scalar>::retain(const SparseMessage& sent) {
  if (!enabled_) {
    values_.setZero();
    return;
  }
  for (std::size_t i = 0; i < sent.size(); ++i) {
    Scalar& value = values_[sent.indices[i]];
    value = static_cast<Scalar>(value - sent.values[i]);
  }
}

template class ErrorMemory<float>;
template class ErrorMemory<double>;

}  // namespace memsgd
