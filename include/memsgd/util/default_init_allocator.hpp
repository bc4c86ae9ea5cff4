#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace memsgd {

// std::allocator, except that resize() and the size constructor leave new elements of a trivial
// type uninitialised, as `new T[n]` does: an array a reader fills right after (HDF5's H5Dread, a
// parser) is not zero-filled first. Every other use (push_back, assign, copies) is std::vector's.
template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };

  DefaultInitAllocator() noexcept = default;
  template <typename U>
  // NOLINTNEXTLINE(google-explicit-constructor): allocators convert implicitly, as std::allocator
  DefaultInitAllocator(const DefaultInitAllocator<U>& /*other*/) noexcept {}

  // Called with no arguments by resize(n): default-initialise (nothing for double, int32).
  template <typename U>
  void construct(U* at) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(at)) U;
  }
  template <typename U, typename... Args>
  void construct(U* at, Args&&... args) {
    std::allocator_traits<std::allocator<T>>::construct(static_cast<std::allocator<T>&>(*this), at,
                                                        std::forward<Args>(args)...);
  }
};

// A vector whose resize() does not zero-fill (see above).
template <typename T>
using UninitializedVector = std::vector<T, DefaultInitAllocator<T>>;

// The same elements as a plain vector: what tests and callers compare against.
template <typename T>
bool operator==(const UninitializedVector<T>& a, const std::vector<T>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace memsgd
