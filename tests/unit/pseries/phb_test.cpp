// The PCI host bridge: slots, and INTx reaching the XICS.
#include <gtest/gtest.h>

#include <map>

#include "fake_pci_function.hpp"
#include "mosaic/errors.hpp"
#include "phb.hpp"
#include "support/null_logger.hpp"

namespace {

using namespace mosaic;
using namespace mosaic::pseries;
using mosaic::testing::FakePciFunction;

class PhbTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakePciFunction> make_function(unsigned msix_vectors = 0) {
    return std::make_shared<FakePciFunction>(
        0x1af4, 0x1044, 0xff0000,
        std::array<FakePciFunction::BarSpec, pci::kBarCount>{
            FakePciFunction::BarSpec{0x1000, false, false}, {}, {}, {}, FakePciFunction::BarSpec{0x4000, true, true}, {}},
        1, msix_vectors);
  }

  std::map<std::uint32_t, bool> lines;
  Xics xics{1, 64, [this](std::uint32_t server, bool level) { lines[server] = level; }};
  std::uint32_t next_source = kFirstDeviceSource;
  Phb phb{xics, [this] { return next_source++; }, mosaic::testing::null_logger()};
};

TEST_F(PhbTest, ThirtyTwoDevicesFillTheBusAndTheNextIsRefused) {
  for (unsigned i = 0; i < Phb::kSlots; ++i) phb.add_function(make_function());
  EXPECT_EQ(phb.function_count(), 32u);
  EXPECT_THROW(phb.add_function(make_function()), SetupError);
  EXPECT_EQ(phb.function_count(), 32u);
}

TEST_F(PhbTest, EachFunctionGetsItsSinkAndItsOwnIntxSource) {
  auto first = make_function();
  auto second = make_function();
  phb.add_function(first);
  phb.add_function(second);
  ASSERT_NE(first->sink(), nullptr);
  ASSERT_NE(second->sink(), nullptr);
  EXPECT_NE(phb.intx_source(0), phb.intx_source(1));

  // The guest opens the source (RTAS ibm,set-xive) and its CPPR; the
  // second function's pin then reaches the vCPU as its own source.
  xics.set_xive(phb.intx_source(1), 0, 5);
  xics.set_priority(0, 0xff);
  second->sink()->set_intx(true);
  EXPECT_TRUE(lines[0]);
  EXPECT_EQ(xics.accept(0), 0xff000000u | phb.intx_source(1));
  second->sink()->set_intx(false);
  xics.end_of_interrupt(0, 0xff000000u | phb.intx_source(1));
  EXPECT_FALSE(lines[0]);
}

}  // namespace
