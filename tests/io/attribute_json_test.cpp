#include "memsgd/io/attribute_json.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>

namespace memsgd {
namespace {

TEST(AttributeJson, TypesAndOrderAsGiven) {
  EXPECT_EQ(toJson({{"compression.k", std::string("10")},
                    {"ranks", std::int64_t{4}},
                    {"lambda_resolved", 0.5}}),
            R"({"compression.k": "10", "ranks": 4, "lambda_resolved": 0.5})");
  EXPECT_EQ(toJson({}), "{}");
}

TEST(AttributeJson, StringsAreEscaped) {
  EXPECT_EQ(toJson({{"data.train", std::string("a \"b\"\\c\n\x01")}}),
            R"({"data.train": "a \"b\"\\c\u000a\u0001"})");
}

TEST(AttributeJson, DoublesKeepEveryBit) {
  const double lambda = 1.0 / 32561.0;
  const std::string json = toJson({{"x", lambda}});
  const std::string digits = json.substr(json.find(": ") + 2, json.size() - json.find(": ") - 3);
  EXPECT_EQ(std::strtod(digits.c_str(), nullptr), lambda) << json;
  EXPECT_EQ(toJson({{"x", std::numeric_limits<double>::quiet_NaN()}}), R"({"x": null})");
}

}  // namespace
}  // namespace memsgd
