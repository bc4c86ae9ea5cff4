#include "memsgd/util/hdf5_handle.hpp"

#include <string>
#include <utility>

#include "memsgd/core/error.hpp"

namespace memsgd {

Hdf5Handle::Hdf5Handle(Hdf5Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
  }
  return *this;
}

void Hdf5Handle::close() noexcept {
  if (!valid()) {
    return;
  }
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      H5Fclose(id_);
      break;
    case H5I_GROUP:
      H5Gclose(id_);
      break;
    case H5I_DATASET:
      H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      H5Tclose(id_);
      break;
    case H5I_ATTR:
      H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id_);
      break;
    default:
      // Any other kind of identifier is released by dropping the reference it holds.
      H5Idec_ref(id_);
      break;
  }
  id_ = H5I_INVALID_HID;
}

namespace detail {
namespace {

// H5Ewalk2 callback: keeps the description of the first error it is shown.
herr_t keepFirstDescription(unsigned /*index*/, const H5E_error2_t* error, void* description) {
  auto& text = *static_cast<std::string*>(description);
  if (text.empty() && error->desc != nullptr) {
    text = error->desc;
  }
  return 0;
}

}  // namespace

void throwHdf5Error(std::string_view call, std::string_view file, std::string_view object,
                    const char* source, int line) {
  // Walking upward starts at the innermost error, the one that names the cause (e.g. "object 'x'
  // doesn't exist") rather than the API function's generic "unable to open dataset".
  std::string cause;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keepFirstDescription, &cause);
  if (cause.empty()) {
    cause = "no HDF5 error description";
  }
  std::string where(file);
  if (!object.empty()) {
    where += ", " + std::string(object);
  }
  throw IoError(where + ": " + std::string(call) + " failed: " + cause + " (" + source + ":" +
                std::to_string(line) + ")");
}

void silenceHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace detail
}  // namespace memsgd
