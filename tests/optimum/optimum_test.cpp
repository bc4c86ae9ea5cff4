// f* from findOptimum (distributed L-BFGS + Newton polish) against an independent dense Newton
// solve on the whole file, and the optimum file's round trip.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/io/optimum_file.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/model/least_squares.hpp"
#include "memsgd/model/logistic_regression.hpp"
#include "memsgd/model/softmax.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/optimum.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

struct Reference {
  double value = 0.0;
  double gradientNorm = 0.0;
  Eigen::VectorXd x;
};

// Dense Newton on the whole file, written from the objective's definition without memsgd's model.
Reference denseNewton(const std::string& path, bool normalize, double lambda) {
  const RowBlock rows = readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()});
  const auto n = static_cast<Eigen::Index>(rows.rows());
  const auto d = static_cast<Eigen::Index>(rows.maxIndex);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, d);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (auto k = rows.rowOffsets[i]; k < rows.rowOffsets[i + 1]; ++k) {
      a(i, rows.indices[k]) = rows.values[k];
    }
    if (normalize && a.row(i).norm() > 0) {
      a.row(i) /= a.row(i).norm();
    }
    y[i] = rows.labels[i];
  }
  Reference reference;
  reference.x = Eigen::VectorXd::Zero(d);
  const auto evaluate = [&](const Eigen::VectorXd& x, Eigen::VectorXd& gradient,
                            Eigen::VectorXd& weights) {
    const Eigen::VectorXd z = y.cwiseProduct(a * x);
    double loss = 0.0;
    Eigen::VectorXd coefficient(n);
    weights.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      loss += std::log1p(std::exp(-std::abs(z[i]))) + std::max(-z[i], 0.0);
      const double p = 1.0 / (1.0 + std::exp(z[i]));  // sigma(-z)
      coefficient[i] = -p * y[i];
      weights[i] = p * (1.0 - p);
    }
    gradient = a.transpose() * coefficient / static_cast<double>(n) + lambda * x;
    return loss / static_cast<double>(n) + 0.5 * lambda * x.squaredNorm();
  };
  Eigen::VectorXd gradient;
  Eigen::VectorXd weights;
  reference.value = evaluate(reference.x, gradient, weights);
  for (int step = 0; step < 100 && gradient.norm() >= 1e-12; ++step) {
    Eigen::MatrixXd hessian = a.transpose() * weights.asDiagonal() * a / static_cast<double>(n);
    hessian.diagonal().array() += lambda;
    reference.x += hessian.ldlt().solve(-gradient);  // f is smooth and strongly convex: full steps
    reference.value = evaluate(reference.x, gradient, weights);
  }
  reference.gradientNorm = gradient.norm();
  return reference;
}

void expectMatchesNewton(const std::string& file, const std::string& normalize) {
  const Communicator comm;
  const std::string path = test::sourcePath("configs/data/" + file);
  const RunConfig config =
      test::configFrom({"--data.train=" + path, "--data.normalize=" + normalize});
  const ShardedData<double> shards = loadShards<double>(config.data, comm);
  const double lambda = 1.0 / static_cast<double>(shards.train.globalRows());
  const LogisticRegression<double> model({static_cast<std::uint64_t>(shards.train.dim()), lambda});

  const OptimumResult optimum = findOptimum(model, shards.train, comm, 1e-10, 10000);
  const Reference reference = denseNewton(path, normalize == "l2", lambda);
  ASSERT_LT(reference.gradientNorm, 1e-12) << "the reference Newton solve did not converge";
  EXPECT_LE(optimum.gradientNorm, 1e-10) << file << " " << normalize;
  EXPECT_NEAR(optimum.value, reference.value, 1e-9) << file << " " << normalize;
  EXPECT_LT((optimum.x - reference.x).norm(), 1e-6);
  // The reported gradient norm is that of the returned point.
  Eigen::VectorXd gradient(optimum.x.size());
  EXPECT_DOUBLE_EQ(fullObjective(model, shards.train, comm, optimum.x, gradient), optimum.value);
  EXPECT_DOUBLE_EQ(gradient.norm(), optimum.gradientNorm);
  if (comm.rank() == 0) {
    std::printf("%s %s: f* = %.17g, ||g|| = %.3g, %d iterations (%d Newton), ref f* = %.17g\n",
                file.c_str(), normalize.c_str(), optimum.value, optimum.gradientNorm,
                optimum.iterations, optimum.newtonSteps, reference.value);
  }
}

TEST(Optimum, HeartScaleUnnormalizedMatchesDenseNewton) {
  expectMatchesNewton("heart_scale", "none");
}
TEST(Optimum, HeartScaleL2MatchesDenseNewton) { expectMatchesNewton("heart_scale", "l2"); }
TEST(Optimum, A9aL2MatchesDenseNewton) { expectMatchesNewton("a9a.bz2", "l2"); }

// Dense rows take the blocked Hessian: Newton from L-BFGS's 1e-7 must converge quadratically, so
// one or two steps reach 1e-10 (a wrong Hessian converges linearly at best).
TEST(Optimum, DenseSyntheticEpsilonNewtonConvergesQuadratically) {
  const Communicator comm;
  const RunConfig config = test::configFrom({"--data.train=synthetic:epsilon", "--data.rows=1000"});
  const ShardedData<double> shards = loadShards<double>(config.data, comm);
  ASSERT_TRUE(shards.train.isDense());
  const LogisticRegression<double> model({static_cast<std::uint64_t>(shards.train.dim()),
                                          1.0 / static_cast<double>(shards.train.globalRows())});
  const OptimumResult optimum = findOptimum(model, shards.train, comm, 1e-10, 10000);
  EXPECT_LE(optimum.gradientNorm, 1e-10);
  EXPECT_GE(optimum.newtonSteps, 1);
  EXPECT_LE(optimum.newtonSteps, 2);
}

// Ridge regression's minimiser solves the normal equations (A^T A / n + lambda I) x = A^T y / n;
// here solved by Eigen's LDLT on the whole file (real labels, as read), independently of the
// model's code, against findOptimum over the ranks' shards.
TEST(Optimum, LeastSquaresMatchesTheNormalEquations) {
  const Communicator comm;
  const std::string path = test::sourcePath("configs/data/diabetes");
  const RunConfig config = test::configFrom({"--data.train=" + path});
  const ShardedData<double> shards = loadShards<double>(config.data, comm, LabelKind::kReal);
  const auto n = static_cast<double>(shards.train.globalRows());
  const double lambda = 1.0 / n;
  const LeastSquares<double> model({static_cast<std::uint64_t>(shards.train.dim()), lambda});
  const OptimumResult optimum = findOptimum(model, shards.train, comm, 1e-10, 10000);

  const RowBlock rows = readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()});
  const auto d = static_cast<Eigen::Index>(rows.maxIndex);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.rows()), d);
  Eigen::VectorXd y(a.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (auto k = rows.rowOffsets[i]; k < rows.rowOffsets[i + 1]; ++k) {
      a(i, rows.indices[k]) = rows.values[k];
    }
    y[i] = rows.labels[i];
  }
  ASSERT_GT(y.maxCoeff() - y.minCoeff(), 2.0) << "real labels, not two classes";
  Eigen::MatrixXd normal = a.transpose() * a / n;
  normal.diagonal().array() += lambda;
  const Eigen::VectorXd x = normal.ldlt().solve(a.transpose() * y / n);
  const double value = (a * x - y).squaredNorm() / (2.0 * n) + 0.5 * lambda * x.squaredNorm();

  EXPECT_LE(optimum.gradientNorm, 1e-10);
  EXPECT_LT((optimum.x - x).norm(), 1e-8 * x.norm());
  EXPECT_NEAR(optimum.value, value, 1e-12 * value);
  if (comm.rank() == 0) {
    std::printf("diabetes least squares: f* = %.17g, normal equations %.17g, %d iterations\n",
                optimum.value, value, optimum.iterations);
  }
}

// Softmax with C = 2 depends on x_1 - x_0 only, and at the optimum x_1 = -x_0 = w/2 (the split of
// a difference w with the least norm), where its loss is logistic's at w and its regulariser
// (lambda/2) ||x||^2 = (lambda/4) ||w||^2. So f* of softmax at 2 lambda is logistic's f* at lambda,
// and x*'s class rows are -w*/2 and w*/2. heart_scale's -1/+1 labels become classes 0/1.
TEST(Optimum, SoftmaxOfTwoClassesAtTwiceLambdaIsLogistic) {
  const Communicator comm;
  const RunConfig config = test::configFrom(
      {"--data.train=" + test::sourcePath("configs/data/heart_scale"), "--data.normalize=l2"});
  const ShardedData<double> binary = loadShards<double>(config.data, comm);
  const ShardedData<double> classes = loadShards<double>(config.data, comm, LabelKind::kClasses);
  ASSERT_EQ(classes.classLabels, (std::vector<std::int64_t>{-1, 1}));
  const auto d = static_cast<std::uint64_t>(binary.train.dim());
  const double lambda = 1.0 / static_cast<double>(binary.train.globalRows());
  const LogisticRegression<double> logistic({d, lambda});
  const Softmax<double> softmax({d, 2 * lambda, 2});
  const OptimumResult expected = findOptimum(logistic, binary.train, comm, 1e-10, 10000);
  const OptimumResult actual = findOptimum(softmax, classes.train, comm, 1e-10, 10000);
  EXPECT_LE(actual.gradientNorm, 1e-10);
  EXPECT_NEAR(actual.value, expected.value, 1e-13);
  for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(d); ++j) {
    EXPECT_NEAR(actual.x[2 * j + 1], expected.x[j] / 2, 1e-8) << j;
    EXPECT_NEAR(actual.x[2 * j], -expected.x[j] / 2, 1e-8) << j;
  }
}

// f* of softmax over the 10 digit classes (p = 640: Newton on the dense Hessian), against an
// objective and gradient written here from the definition on the whole file in dense matrices:
// the same value, and a gradient that vanishes at x*.
TEST(Optimum, SoftmaxOnDigitsHasAZeroGradientAtItsOptimum) {
  const Communicator comm;
  const std::string path = test::sourcePath("configs/data/digits");
  const RunConfig config = test::configFrom({"--data.train=" + path, "--data.normalize=l2"});
  const ShardedData<double> shards = loadShards<double>(config.data, comm, LabelKind::kClasses);
  ASSERT_EQ(shards.classLabels.size(), 10U);
  const auto d = static_cast<Eigen::Index>(shards.train.dim());
  const auto n = static_cast<double>(shards.train.globalRows());
  const double lambda = 1.0 / n;
  const Softmax<double> model({static_cast<std::uint64_t>(d), lambda, 10});
  const OptimumResult optimum = findOptimum(model, shards.train, comm, 1e-10, 10000);
  EXPECT_LE(optimum.gradientNorm, 1e-10);
  EXPECT_GE(optimum.newtonSteps, 1);

  const RowBlock rows = readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()});
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.rows()), d);
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(a.rows(), 10);  // one-hot; labels 0..9 are classes
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (auto k = rows.rowOffsets[i]; k < rows.rowOffsets[i + 1]; ++k) {
      a(i, rows.indices[k]) = rows.values[k];
    }
    a.row(i) /= a.row(i).norm();
    y(i, static_cast<Eigen::Index>(rows.labels[i])) = 1.0;
  }
  // W(c, j) = x[j C + c].
  const Eigen::MatrixXd w = Eigen::Map<const Eigen::MatrixXd>(optimum.x.data(), 10, d);
  const Eigen::MatrixXd z = a * w.transpose();
  const Eigen::VectorXd largest = z.rowwise().maxCoeff();
  const Eigen::MatrixXd e = (z.colwise() - largest).array().exp();
  const Eigen::VectorXd logSum = largest.array() + e.rowwise().sum().array().log();
  const double value =
      (logSum - z.cwiseProduct(y).rowwise().sum()).sum() / n + 0.5 * lambda * w.squaredNorm();
  const Eigen::MatrixXd probabilities = e.array().colwise() / e.rowwise().sum().array();
  const Eigen::MatrixXd gradient = (probabilities - y).transpose() * a / n + lambda * w;
  EXPECT_NEAR(optimum.value, value, 1e-13 * value);
  EXPECT_LT(gradient.norm(), 1e-9);
  if (comm.rank() == 0) {
    std::printf("digits softmax: f* = %.17g, dense check %.17g, ||g|| %.3g, %d iterations\n",
                optimum.value, value, gradient.norm(), optimum.iterations);
  }
}

// d = 47236 is above the dense Hessian's limit, so Newton runs conjugate gradients on
// Hessian-vector products. Before, L-BFGS alone ended at ||g|| = 3.8e-10 on 2 ranks (above the
// tolerance, after "0 Newton" steps); near rounding level its line search had also proposed a NaN
// step on this problem (one rank) and then evaluated NaN points forever.
TEST(Optimum, SyntheticRcv1ReachesTheToleranceWithNewtonCg) {
  const Communicator comm;
  const RunConfig config = test::configFrom({"--data.train=synthetic:rcv1"});
  const ShardedData<double> shards = loadShards<double>(config.data, comm);
  const LogisticRegression<double> model({static_cast<std::uint64_t>(shards.train.dim()),
                                          1.0 / static_cast<double>(shards.train.globalRows())});
  const OptimumResult optimum = findOptimum(model, shards.train, comm, 1e-10, 10000);
  EXPECT_TRUE(optimum.x.allFinite());
  EXPECT_LE(optimum.gradientNorm, 1e-10);
  EXPECT_EQ(optimum.stop, OptimumStop::kTolerance);
  // Inexact Newton from L-BFGS's 1e-7 converges superlinearly: a few steps, not dozens.
  EXPECT_GE(optimum.newtonSteps, 1);
  EXPECT_LE(optimum.newtonSteps, 3);
  EXPECT_GT(optimum.hessianProducts, 0);
  Eigen::VectorXd gradient(optimum.x.size());
  EXPECT_DOUBLE_EQ(fullObjective(model, shards.train, comm, optimum.x, gradient), optimum.value);
  EXPECT_DOUBLE_EQ(gradient.norm(), optimum.gradientNorm);
  if (comm.rank() == 0) {
    std::printf("synthetic rcv1: ||g|| = %.3g, %d iterations (%d Newton, %d Hv products)\n",
                optimum.gradientNorm, optimum.iterations, optimum.newtonSteps,
                optimum.hessianProducts);
  }
}

OptimumResult smallResult() {
  OptimumResult result;
  result.x = Eigen::VectorXd::LinSpaced(5, -1.0, 1.0);
  result.value = 0.3251234567890123;
  result.gradientNorm = 3e-11;
  result.iterations = 42;
  return result;
}

const OptimumIdentity kIdentity{"logistic",           270, 5, 1.0 / 270.0, Normalization::kL2,
                                0x0123456789abcdefULL};

TEST(OptimumFile, RoundTripAndMissingFStar) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "optimum_file");
  if (comm.rank() == 0) {
    const OptimumResult result = smallResult();
    const std::string file = scratch.path("sub/optimum.h5");
    writeOptimumFile(file, result, kIdentity, {{"data_train", std::string("a9a")}});
    EXPECT_EQ(readOptimumValue(file, kIdentity), result.value);
    EXPECT_THROW(writeOptimumFile(file, result, kIdentity, {}, false), IoError);

    // An HDF5 file without /f_star (e.g. a run file given by mistake).
    const std::string other = scratch.path("other.h5");
    const hid_t handle = H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(handle, 0);
    H5Fclose(handle);
    try {
      (void)readOptimumValue(other, kIdentity);
      ADD_FAILURE() << "no IoError";
    } catch (const IoError& error) {
      EXPECT_NE(std::string(error.what()).find(other), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("/f_star"), std::string::npos) << error.what();
    }
    EXPECT_THROW((void)readOptimumValue(scratch.path("missing.h5"), kIdentity), IoError);
  }
}

TEST(OptimumFile, AnotherProblemIsRefusedNamingEveryDifference) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "optimum_identity");
  if (comm.rank() == 0) {
    const std::string file = scratch.path("optimum.h5");
    writeOptimumFile(file, smallResult(), kIdentity, {});
    OptimumIdentity other = kIdentity;
    other.rows = 271;
    other.trainFingerprint = 0x0123456789abcdeeULL;
    other.normalization = Normalization::kNone;
    try {
      (void)readOptimumValue(file, other);
      ADD_FAILURE() << "no ConfigError";
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      EXPECT_EQ(error.exitCode(), kExitConfigError);
      for (const char* expected :
           {"model.optimum = ", "rows is 270 in the file and 271 in this run",
            "normalize is l2 in the file and none in this run",
            "train_fingerprint is 0123456789abcdef in the file and 0123456789abcdee in this run"}) {
        EXPECT_NE(message.find(expected), std::string::npos) << message;
      }
      EXPECT_EQ(message.find("dim is"), std::string::npos) << message;
      EXPECT_EQ(message.find("lambda is"), std::string::npos) << message;
    }
    other = kIdentity;
    other.lambda = std::nextafter(kIdentity.lambda, 1.0);
    EXPECT_THROW((void)readOptimumValue(file, other), ConfigError);
  }
}

TEST(OptimumFile, AFileWithoutIdentityIsRefused) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "optimum_no_identity");
  if (comm.rank() == 0) {
    // What memsgd-optimum wrote before it stored the identity: /f_star alone.
    const std::string file = scratch.path("old.h5");
    const hid_t handle = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(handle, 0);
    const hsize_t one = 1;
    const hid_t space = H5Screate_simple(1, &one, nullptr);
    const hid_t dataset = H5Dcreate2(handle, "/f_star", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                                     H5P_DEFAULT, H5P_DEFAULT);
    const double value = 0.25;
    H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Fclose(handle);
    try {
      (void)readOptimumValue(file, kIdentity);
      ADD_FAILURE() << "no ConfigError";
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find("recompute it with memsgd-optimum"),
                std::string::npos)
          << error.what();
    }
  }
}

// memsgd-train uses an f* file of its own problem, records the value and the data's fingerprints,
// and refuses the same file for another problem (here: rows not normalised), naming the field.
TEST(OptimumFile, TrainingChecksAndRecordsTheOptimumItUses) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "optimum_train");
  const std::string data = test::sourcePath("configs/data/heart_scale");
  const std::string file = scratch.path("heart_optimum.h5");
  const ShardedData<double> shards = loadShards<double>(
      test::configFrom({"--data.train=" + data, "--data.normalize=l2"}).data, comm);
  const auto rows = shards.train.globalRows();
  const double lambda = 1.0 / static_cast<double>(rows);
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  const OptimumResult optimum =
      findOptimum(LogisticRegression<double>({dim, lambda}), shards.train, comm, 1e-10, 10000);
  if (comm.rank() == 0) {
    writeOptimumFile(file, optimum,
                     {"logistic", rows, dim, lambda, Normalization::kL2, shards.trainFingerprint},
                     {});
  }
  MPI_Barrier(comm.raw());

  std::ostringstream console;
  const std::vector<std::string> run{"--data.train=" + data, "--model.optimum=" + file,
                                     "--compression.method=top_k", "--compression.k=2",
                                     "--log.output=" + scratch.path("run.h5")};
  std::vector<std::string> normalized = run;
  normalized.emplace_back("--data.normalize=l2");
  (void)runTraining(test::configFrom(normalized), comm, console);
  if (comm.rank() == 0) {
    const RunFileReader reader(scratch.path("run.h5"));
    EXPECT_EQ(std::get<double>(reader.readConfigAttribute("optimum_value")), optimum.value);
    EXPECT_EQ(std::get<std::string>(reader.readConfigAttribute("train_fingerprint")),
              formatFingerprint(shards.trainFingerprint));
    EXPECT_EQ(std::get<std::string>(reader.readConfigAttribute("test_fingerprint")), "");
    EXPECT_GT(reader.readColumn("/metrics/suboptimality").back(), 0.0);
  }
  try {
    (void)runTraining(test::configFrom(run), comm, console);
    ADD_FAILURE() << "used the f* of normalised rows for raw rows";
  } catch (const AgreedError& error) {
    EXPECT_EQ(error.exitCode(), kExitConfigError);
    EXPECT_NE(std::string(error.what()).find("normalize is l2 in the file and none in this run"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace memsgd
