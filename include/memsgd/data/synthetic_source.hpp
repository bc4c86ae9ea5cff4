#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"
#include "memsgd/data/synthetic_data.hpp"

namespace memsgd {

// A "synthetic:NAME" split (synthetic_data.hpp): each rank generates its block and nothing else.
// Its d is the generator's, or data.dim, or for a test split the training split's (the bound
// readShard is given), as a test file's is.
class SyntheticSource : public DataSource {
 public:
  SyntheticSource(DataConfig config, SyntheticSplit split)
      : config_(std::move(config)), split_(split) {}
  [[nodiscard]] RowShard readShard(const Communicator& comm, DimLimit limit) const override;
  // Generated labels are binary: a class model is refused them rather than given two classes it
  // did not ask for.
  void requireLabels(LabelKind labels) const override;

 private:
  DataConfig config_;
  SyntheticSplit split_;
};

// Whether `source` names a generator ("synthetic:" and a name, checked when it is read); no file
// is opened.
bool recognizesSynthetic(const std::string& source, std::span<const char> head);
// The split named by files.rowsKey (data.train or data.test); refuses a labels file, as a
// generator makes its own labels.
std::unique_ptr<DataSource> openSynthetic(const SplitFiles& files, const DataConfig& config);

}  // namespace memsgd
