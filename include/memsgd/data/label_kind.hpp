#pragma once

namespace memsgd {

// The labels a model trains on, which the loader checks before any model exists: two classes
// (a binary spelling, mapped to -1/+1, binary_labels.hpp), classes (integers, mapped to 0..C-1 in
// sorted order), or real values kept as read.
enum class LabelKind { kBinary, kClasses, kReal };

}  // namespace memsgd
