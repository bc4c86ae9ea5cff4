#pragma once

namespace memsgd {

// What a model reports on the test set: the fraction of rows classified correctly, or the root
// mean squared error of its predictions.
enum class Metric { kAccuracy, kRmse };

}  // namespace memsgd
