#include "memsgd/data/binary_labels.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

LabelSummary summaryOf(std::vector<LabelCount> labels) {
  const auto distinct = static_cast<std::uint64_t>(labels.size());
  return {std::move(labels), distinct, true};
}

// The message of the DataError that requireBinaryLabels throws, or "" when it accepts.
std::string refusal(const LabelSummary& found, LabelRole role) {
  try {
    requireBinaryLabels("data.svm", found, role);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(BinaryLabels, AcceptsBothSpellingsOfTwoClasses) {
  EXPECT_EQ(refusal(summaryOf({{1, 5}, {-1, 3}}), LabelRole::kTraining), "");
  EXPECT_EQ(refusal(summaryOf({{0, 5}, {1, 3}}), LabelRole::kTraining), "");
  EXPECT_EQ(refusal(summaryOf({{0, 5}, {1, 3}}), LabelRole::kTest), "");
}

TEST(BinaryLabels, ATestSetMayHoldOneClassATrainingSetMayNot) {
  for (const double label : {-1.0, 0.0, 1.0}) {
    EXPECT_EQ(refusal(summaryOf({{label, 4}}), LabelRole::kTest), "") << label;
  }
  EXPECT_EQ(refusal(summaryOf({{1, 4}}), LabelRole::kTraining),
            "data.svm: a binary model trains on exactly two classes, labelled -1/+1 (or 1) or "
            "0/1; found 1 distinct label: +1 (4 rows)");
}

TEST(BinaryLabels, RefusesThreeLabelsInsteadOfMergingZeroIntoMinusOne) {
  EXPECT_EQ(refusal(summaryOf({{1, 90}, {-1, 80}, {0, 1}}), LabelRole::kTraining),
            "data.svm: a binary model trains on exactly two classes, labelled -1/+1 (or 1) or "
            "0/1; found 3 distinct labels: +1 (90 rows), -1 (80 rows), 0 (1 row)");
  EXPECT_NE(refusal(summaryOf({{1, 9}, {-1, 8}, {0, 1}}), LabelRole::kTest), "");
}

TEST(BinaryLabels, RefusesMixedSpellingsAndOtherValues) {
  EXPECT_NE(refusal(summaryOf({{-1, 2}, {0, 2}}), LabelRole::kTraining), "");
  EXPECT_NE(refusal(summaryOf({{-1, 2}, {0, 2}}), LabelRole::kTest), "");
  EXPECT_EQ(refusal(summaryOf({{2, 3}}), LabelRole::kTest),
            "data.svm: a binary model's test set needs labels -1/+1 (or 1) or 0/1; found 1 "
            "distinct label: +2 (3 rows)");
  EXPECT_NE(refusal(summaryOf({{1, 2}, {2, 2}}), LabelRole::kTraining), "");
}

TEST(BinaryLabels, ListsTheTenMostFrequentOfARegressionLikeFile) {
  std::vector<LabelCount> labels;
  for (int i = 0; i < 25; ++i) labels.push_back({0.5 * i, static_cast<std::uint64_t>(30 - i)});
  const std::string message = refusal(summaryOf(labels), LabelRole::kTraining);
  EXPECT_NE(message.find("found 25 distinct labels: 0 (30 rows), +0.5 (29 rows)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("+4.5 (21 rows) and 15 more"), std::string::npos) << message;
  EXPECT_EQ(message.find("+5 (20 rows)"), std::string::npos) << message;

  // When the ranks only sent their most frequent labels, the count is a lower bound.
  LabelSummary partial = summaryOf({{1, 3}, {2, 2}});
  partial.distinct = 40;
  partial.exact = false;
  EXPECT_NE(refusal(partial, LabelRole::kTraining)
                .find("40+ distinct labels: +1 (3 rows), +2 (2 "
                      "rows) and at least 38 more"),
            std::string::npos);
}

TEST(BinaryLabels, MapsToMinusOneAndPlusOne) {
  RowBlock rows;
  rows.labels = {1, 0, 1, -1, 0};
  toSignLabels(rows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1, 1, -1, -1}));
}

}  // namespace
}  // namespace memsgd
