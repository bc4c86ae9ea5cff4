#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/io/run_file.hpp"

namespace memsgd {

// Read-only access to a run file, for tests and tools (plots read run files with h5py).
class RunFileReader {
 public:
  explicit RunFileReader(const std::string& path);

  // A 1-D dataset such as "/metrics/train_loss", converted to double.
  [[nodiscard]] std::vector<double> readColumn(const std::string& dataset) const;
  // A 2-D [rows x P] dataset such as "/ranks/bytes_sent", row-major, converted to int64.
  [[nodiscard]] std::vector<std::vector<std::int64_t>> readMatrix(const std::string& dataset) const;
  // An attribute of /config. Throws IoError if it is missing or has another type.
  [[nodiscard]] AttributeValue readConfigAttribute(const std::string& name) const;
  // An attribute of `owner` ("/" for the root, "/config", ...), like readConfigAttribute.
  [[nodiscard]] AttributeValue readAttribute(const std::string& owner,
                                             const std::string& name) const;
  [[nodiscard]] bool hasAttribute(const std::string& owner, const std::string& name) const;
  [[nodiscard]] bool hasDataset(const std::string& dataset) const;
  // Whether the run that wrote the file finished (RunFile::markComplete).
  [[nodiscard]] bool isComplete() const;

 private:
  std::string path_;
  Hdf5Handle file_;
};

}  // namespace memsgd
