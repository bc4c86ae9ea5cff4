#include "memsgd/util/hdf5_handle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

static_assert(!std::is_copy_constructible_v<Hdf5Handle>);
static_assert(!std::is_copy_assignable_v<Hdf5Handle>);
static_assert(std::is_nothrow_move_constructible_v<Hdf5Handle>);
static_assert(std::is_nothrow_move_assignable_v<Hdf5Handle>);

bool isOpen(hid_t id) { return H5Iis_valid(id) > 0; }

// A file that lives in memory only (core driver without backing store), so no disk is touched.
Hdf5Handle createMemoryFile() {
  Hdf5Handle access(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_core(access.get(), 1 << 16, false);
  return Hdf5Handle(H5Fcreate("hdf5_handle_test.h5", H5F_ACC_TRUNC, H5P_DEFAULT, access.get()));
}

TEST(Hdf5HandleTest, DefaultHandleIsInvalid) { EXPECT_FALSE(Hdf5Handle().valid()); }

TEST(Hdf5HandleTest, ClosesEveryKindOfIdentifier) {
  std::vector<hid_t> ids;
  {
    const Hdf5Handle file = createMemoryFile();
    const Hdf5Handle group(H5Gcreate2(file.get(), "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    const Hdf5Handle space(H5Screate(H5S_SCALAR));
    const Hdf5Handle type(H5Tcopy(H5T_NATIVE_INT));
    const Hdf5Handle dataset(H5Dcreate2(group.get(), "d", type.get(), space.get(), H5P_DEFAULT,
                                        H5P_DEFAULT, H5P_DEFAULT));
    const Hdf5Handle attribute(
        H5Acreate2(dataset.get(), "a", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    const Hdf5Handle properties(H5Pcreate(H5P_DATASET_XFER));
    for (const Hdf5Handle* handle :
         {&file, &group, &space, &type, &dataset, &attribute, &properties}) {
      ASSERT_TRUE(isOpen(handle->get()));
      ids.push_back(handle->get());
    }
  }
  for (const hid_t id : ids) {
    EXPECT_FALSE(isOpen(id));
  }
}

TEST(Hdf5HandleTest, MoveTransfersOwnership) {
  Hdf5Handle first(H5Screate(H5S_SCALAR));
  const hid_t id = first.get();
  Hdf5Handle second(std::move(first));
  // Checks the moved-from state on purpose.
  // NOLINTNEXTLINE(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  EXPECT_FALSE(first.valid());
  EXPECT_EQ(second.get(), id);
  EXPECT_TRUE(isOpen(id));

  Hdf5Handle third(H5Screate(H5S_SCALAR));
  const hid_t replaced = third.get();
  third = std::move(second);
  EXPECT_FALSE(isOpen(replaced));
  EXPECT_EQ(third.get(), id);
  EXPECT_TRUE(isOpen(id));
}

TEST(Hdf5HandleTest, CheckPassesResultsThrough) {
  const Hdf5Handle file = createMemoryFile();
  EXPECT_EQ(MEMSGD_HDF5_CHECK(H5Lexists(file.get(), "/absent", H5P_DEFAULT), "f.h5", "/absent"), 0);
}

TEST(Hdf5HandleTest, CheckThrowsIoErrorNamingCallObjectCauseAndSourceLine) {
  detail::silenceHdf5Errors();
  const Hdf5Handle file = createMemoryFile();
  try {
    MEMSGD_HDF5_CHECK(H5Dopen2(file.get(), "/absent", H5P_DEFAULT), "f.h5", "/absent");
    FAIL() << "no IoError";
  } catch (const IoError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("f.h5, /absent: H5Dopen2(file.get(), \"/absent\", H5P_DEFAULT) failed"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("'absent' doesn't exist"), std::string::npos) << message;
    EXPECT_NE(message.find("hdf5_handle_test.cpp:"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace memsgd
