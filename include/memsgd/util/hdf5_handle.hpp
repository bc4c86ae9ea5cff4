#pragma once

#include <hdf5.h>

#include <string_view>

namespace memsgd {

// Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property list)
// and closes it with the H5*close function of its kind, found with H5Iget_type when it is closed.
// Move-only; never wrap a predefined identifier such as H5T_NATIVE_DOUBLE, the library owns those.
class Hdf5Handle {
 public:
  Hdf5Handle() noexcept = default;
  // Takes ownership of `id`, which must be valid (pass it through MEMSGD_HDF5_CHECK first).
  explicit Hdf5Handle(hid_t id) noexcept : id_(id) {}
  ~Hdf5Handle() { close(); }

  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  Hdf5Handle(Hdf5Handle&& other) noexcept;
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept;

  [[nodiscard]] hid_t get() const noexcept { return id_; }
  [[nodiscard]] bool valid() const noexcept { return id_ != H5I_INVALID_HID; }

 private:
  // Errors are ignored: this runs in destructors, and a failed close cannot be retried.
  void close() noexcept;

  hid_t id_ = H5I_INVALID_HID;
};

namespace detail {

// Throws IoError "<file>, <object>: <call> failed: <HDF5's innermost error> (<source>:<line>)".
// Reads HDF5's error stack, so call it right after the failing call.
[[noreturn]] void throwHdf5Error(std::string_view call, std::string_view file,
                                 std::string_view object, const char* source, int line);

// Returns `result` (an hid_t, herr_t or htri_t) unless it is negative, HDF5's failure value.
template <typename Result>
Result checkHdf5(Result result, std::string_view call, std::string_view file,
                 std::string_view object, const char* source, int line) {
  if (result < 0) {
    throwHdf5Error(call, file, object, source, line);
  }
  return result;
}

// Stops HDF5 printing its error stack to stderr; checkHdf5 reports errors as IoError instead.
void silenceHdf5Errors();

}  // namespace detail
}  // namespace memsgd

// Checks an HDF5 call on `object` (e.g. "/metrics/train_loss"; empty for the whole file) in the
// file `file` and returns its result, throwing IoError with the call's text if it failed.
#define MEMSGD_HDF5_CHECK(call, file, object) \
  ::memsgd::detail::checkHdf5((call), #call, (file), (object), __FILE__, __LINE__)
