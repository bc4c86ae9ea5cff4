#include "memsgd/data/data_format.hpp"

#include <algorithm>
#include <array>

#include "memsgd/core/error.hpp"
#include "memsgd/data/compressed_input.hpp"
#include "memsgd/data/csv_source.hpp"
#include "memsgd/data/hdf5_dataset_source.hpp"
#include "memsgd/data/idx_source.hpp"
#include "memsgd/data/libsvm_source.hpp"
#include "memsgd/data/synthetic_source.hpp"

namespace memsgd {
namespace {

// Enough for every format's signature.
constexpr std::size_t kHeadBytes = 64;

const DataFormat* generatedFormatOf(const std::string& source) {
  const std::vector<DataFormat>& formats = dataFormats();
  const auto found = std::ranges::find_if(formats, [&](const DataFormat& format) {
    return format.generated && format.recognizes(source, {});
  });
  return found == formats.end() ? nullptr : &*found;
}

}  // namespace

const std::vector<DataFormat>& dataFormats() {
  static const std::vector<DataFormat> formats{
      {"synthetic", recognizesSynthetic, openSynthetic, true},
      {"idx", recognizesIdx, openIdx},
      {"hdf5", recognizesHdf5Dataset, openHdf5Dataset},
      {std::string(kCsvFormat), recognizesCsv, openCsv},
      {"libsvm", recognizesLibsvm, openLibsvm},  // any file: last
  };
  return formats;
}

std::vector<std::string> dataFormatNames() {
  std::vector<std::string> names{"auto"};
  for (const DataFormat& format : dataFormats()) {
    if (!format.generated) names.push_back(format.name);
  }
  return names;
}

const DataFormat& formatOf(const std::string& path, const std::string& configured) {
  if (const DataFormat* generated = generatedFormatOf(path)) return *generated;
  const std::vector<DataFormat>& formats = dataFormats();
  if (configured != "auto") {
    const auto named = std::ranges::find_if(formats, [&](const DataFormat& format) {
      return !format.generated && format.name == configured;
    });
    if (named == formats.end()) {
      throw ConfigError("data.format = " + configured + ": not a known format");
    }
    return *named;
  }
  CompressedInput input(path);
  std::array<char, kHeadBytes> head{};
  try {
    input.stream().read(head.data(), head.size());
  } catch (...) {
    throw DataError(path, "cannot read: " + describeReadFailure());
  }
  const std::span<const char> read(head.data(), static_cast<std::size_t>(input.stream().gcount()));
  return *std::ranges::find_if(formats, [&](const DataFormat& format) {
    return !format.generated && format.recognizes(path, read);
  });
}

std::unique_ptr<DataSource> openDataSource(const SplitFiles& files, const DataConfig& config) {
  const DataFormat& format = formatOf(files.rows, config.format);
  if (format.name != kCsvFormat) refuseCsvKeys(files, format.name, config);
  return format.open(files, config);
}

void refuseUnusedFormat(const DataConfig& config) {
  const bool testIsFile = !config.test.empty() && generatedFormatOf(config.test) == nullptr;
  if (config.format != "auto" && generatedFormatOf(config.train) != nullptr && !testIsFile) {
    throw ConfigError("data.format = " + config.format + " names a file format, but data.train = " +
                      config.train + " is generated and no data.test file is read");
  }
}

}  // namespace memsgd
