// The PCI host bridge: slots, config space, BARs, the device tree, INTx
// reaching the XICS, and MSI-X assigned through RTAS as Linux's pseries
// msi.c asks for it.
#include <gtest/gtest.h>

#include <map>

#include "fake_pci_function.hpp"
#include "mosaic/errors.hpp"
#include "phb.hpp"
#include "rtas.hpp"
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
  std::vector<std::byte> ram = std::vector<std::byte>(1 << 20);
  GuestMemory memory{ram.data(), ram.size()};
  Phb phb{xics, memory, [this] { return next_source++; }, mosaic::testing::null_logger()};
  Rtas rtas{memory, mosaic::testing::null_logger()};
  PhbTest() { phb.register_rtas_functions(rtas); }

  // An RTAS call by name through the KVMPPC_H_RTAS argument buffer
  // (token, nargs, nret, arguments, returns; big-endian words). Returns
  // the returns, status first.
  std::vector<std::int32_t> rtas_call(const std::string& name, std::vector<std::uint32_t> args, std::uint32_t nret) {
    std::uint32_t token = 0;
    for (const auto& property : rtas.device_tree_node(0, {}).properties) {
      if (property.name != name) continue;
      for (int b = 0; b < 4; ++b) token = token << 8 | std::to_integer<std::uint32_t>(property.value[b]);
    }
    EXPECT_NE(token, 0u) << name;
    std::vector<std::uint32_t> words{token, static_cast<std::uint32_t>(args.size()), nret};
    words.insert(words.end(), args.begin(), args.end());
    words.resize(words.size() + nret);
    constexpr std::uint64_t kBuffer = 0x1000;
    for (std::size_t i = 0; i < words.size(); ++i) {
      for (int b = 0; b < 4; ++b) ram[kBuffer + 4 * i + b] = static_cast<std::byte>(words[i] >> (24 - 8 * b));
    }
    HypercallCall call;
    call.args[0] = kBuffer;
    EXPECT_EQ(rtas.hypercall(call), 0);
    std::vector<std::int32_t> rets;
    for (std::size_t i = 3 + args.size(); i < words.size(); ++i) {
      std::uint32_t word = 0;
      for (int b = 0; b < 4; ++b) word = word << 8 | std::to_integer<std::uint32_t>(ram[kBuffer + 4 * i + b]);
      rets.push_back(static_cast<std::int32_t>(word));
    }
    return rets;
  }
  static constexpr std::uint32_t kBuidHigh = PhbLayout::kBuid >> 32;
  static constexpr std::uint32_t kBuidLow = static_cast<std::uint32_t>(PhbLayout::kBuid);
  std::vector<std::int32_t> change_msi(unsigned device, std::uint32_t function, std::uint32_t count) {
    return rtas_call("ibm,change-msi", {config_address(device, 0, 0), kBuidHigh, kBuidLow, function, count, 1}, 4);
  }
  std::vector<std::int32_t> query_source(unsigned device, std::uint32_t vector) {
    return rtas_call("ibm,query-interrupt-source-number", {config_address(device, 0, 0), kBuidHigh, kBuidLow, vector}, 3);
  }

  // A PAPR configuration address on bus 0 (LoPAPR 7.3.4: register bits 8-11
  // in address bits 24-27, the bus in 16-23, devfn in 8-15).
  static std::uint32_t config_address(unsigned device, unsigned function, unsigned reg) {
    return (reg & 0xf00) << 16 | (device << 3 | function) << 8 | (reg & 0xff);
  }

  const DeviceTreeNode& node(const std::vector<DeviceTreeNode>& nodes, const std::string& path) {
    for (const auto& n : nodes) if (n.path == path) return n;
    ADD_FAILURE() << "no node " << path;
    return nodes.front();
  }
  static std::vector<std::uint32_t> cells(const DeviceTreeNode& node, const std::string& name) {
    for (const auto& property : node.properties) {
      if (property.name != name) continue;
      std::vector<std::uint32_t> values;
      for (std::size_t i = 0; i + 4 <= property.value.size(); i += 4) {
        values.push_back(std::to_integer<std::uint32_t>(property.value[i]) << 24 |
                         std::to_integer<std::uint32_t>(property.value[i + 1]) << 16 |
                         std::to_integer<std::uint32_t>(property.value[i + 2]) << 8 |
                         std::to_integer<std::uint32_t>(property.value[i + 3]));
      }
      return values;
    }
    ADD_FAILURE() << "no property " << name << " in " << node.path;
    return {};
  }
};

TEST_F(PhbTest, ConfigSpaceIsReachedByConfigAddressAndAbsentFunctionsAreErrors) {
  phb.add_function(make_function());
  EXPECT_EQ(phb.config_read(config_address(0, 0, 0), 4), 0x10441af4u);
  EXPECT_EQ(phb.config_read(config_address(0, 0, 2), 2), 0x1044u);
  EXPECT_EQ(phb.config_read(config_address(1, 0, 0), 4), std::nullopt);   // no device 1
  EXPECT_EQ(phb.config_read(config_address(0, 1, 0), 4), std::nullopt);   // no function 1
  EXPECT_EQ(phb.config_read(0x00010000, 4), std::nullopt);                // bus 1
  EXPECT_EQ(phb.config_read(config_address(0, 0, 2), 4), std::nullopt);   // misaligned
  EXPECT_EQ(phb.config_read(config_address(0, 0, 0), 3), std::nullopt);   // no such size
  EXPECT_EQ(phb.config_read(config_address(0, 0, 0x100), 4), std::nullopt);  // past conventional space
  EXPECT_TRUE(phb.config_write(config_address(0, 0, 0x3c), 1, 0x5a));
  EXPECT_EQ(phb.config_read(config_address(0, 0, 0x3c), 1), 0x5au);
  EXPECT_FALSE(phb.config_write(config_address(2, 0, 0x3c), 1, 0x5a));
}

TEST_F(PhbTest, FirmwarePlacesBarsAlignedInTheirWindowsAndEnablesDecoding) {
  auto first = make_function();
  auto second = make_function();
  phb.add_function(first);
  phb.add_function(second);
  phb.assign_resources();
  for (const auto& function : {first, second}) {
    // 4 KiB 32-bit BAR 0 in the 2 GiB window at bus 0x80000000; 16 KiB
    // 64-bit BAR 4 in the 64-bit window; both naturally aligned.
    const std::uint64_t bar0 = function->bar_address(0);
    const std::uint64_t bar4 = function->bar_address(4);
    EXPECT_GE(bar0, PhbLayout::kWindow32Bus);
    EXPECT_LT(bar0 + 0x1000, PhbLayout::kWindow32Bus + PhbLayout::kWindow32Size);
    EXPECT_EQ(bar0 % 0x1000, 0u);
    EXPECT_GE(bar4, PhbLayout::kWindow64Bus);
    EXPECT_EQ(bar4 % 0x4000, 0u);
    EXPECT_EQ(function->config_read(0x04, 2) & 0x6, 0x6u);  // Memory Space, Bus Master
  }
  EXPECT_NE(first->bar_address(0), second->bar_address(0));
  EXPECT_NE(first->bar_address(4), second->bar_address(4));
}

TEST_F(PhbTest, WindowAccessesReachTheBarThatDecodesThemAndNothingElse) {
  auto first = make_function();
  auto second = make_function();
  phb.add_function(first);
  phb.add_function(second);
  phb.assign_resources();
  const std::uint64_t cpu = PhbLayout::kWindow32Cpu + (second->bar_address(0) - PhbLayout::kWindow32Bus);
  second->read_value = 0x1234;
  EXPECT_EQ(phb.mmio_read(cpu + 8, 4), 0x1234u);
  phb.mmio_write(cpu + 0xffc, 4, 0xabcd);
  ASSERT_EQ(second->writes.size(), 1u);
  EXPECT_EQ(second->writes[0], (FakePciFunction::Access{0, 0xffc, 4, 0xabcd}));
  EXPECT_TRUE(first->reads.empty());
  // Running past the end of the BAR, or where no BAR is: all-ones, dropped.
  EXPECT_EQ(phb.mmio_read(cpu + 0xffe, 4), ~std::uint64_t{0});
  phb.mmio_write(PhbLayout::kWindow32Cpu + PhbLayout::kWindow32Size - 8, 8, 1);
  EXPECT_EQ(second->writes.size(), 1u);
  // The 64-bit window is identity-mapped.
  phb.mmio_write(first->bar_address(4) + 0x10, 2, 7);
  ASSERT_EQ(first->writes.size(), 1u);
  EXPECT_EQ(first->writes[0], (FakePciFunction::Access{4, 0x10, 2, 7}));
}

TEST_F(PhbTest, AGuestMovingBarsOverEachOtherReachesTheLowestSlotAndDisablingHidesThem) {
  auto first = make_function();
  auto second = make_function();
  phb.add_function(first);
  phb.add_function(second);
  phb.assign_resources();
  const std::uint32_t base = static_cast<std::uint32_t>(first->bar_address(0));
  ASSERT_TRUE(phb.config_write(config_address(1, 0, 0x10), 4, base));
  const std::uint64_t cpu = PhbLayout::kWindow32Cpu + (base - PhbLayout::kWindow32Bus);
  phb.mmio_write(cpu, 4, 1);
  EXPECT_EQ(first->writes.size(), 1u);
  EXPECT_TRUE(second->writes.empty());
  // Memory Space off in the first: the second now answers there.
  ASSERT_TRUE(phb.config_write(config_address(0, 0, 0x04), 2, 0));
  phb.mmio_write(cpu, 4, 2);
  EXPECT_EQ(first->writes.size(), 1u);
  EXPECT_EQ(second->writes.size(), 1u);
}

TEST_F(PhbTest, TheDeviceTreeDescribesWindowsInterruptsAndEachFunction) {
  phb.add_function(make_function());
  phb.assign_resources();
  const auto nodes = phb.device_tree_nodes(7);
  const auto& bridge = node(nodes, "/pci@800000020000000");
  // ranges: 32-bit memory (ss = 2) and 64-bit memory (ss = 3) windows as
  // child address (3 cells), parent address (2) and size (2).
  EXPECT_EQ(cells(bridge, "ranges"),
            (std::vector<std::uint32_t>{0x02000000, 0, 0x80000000, 0x2000, 0x80000000, 0, 0x80000000,
                                        0x03000000, 0x2100, 0, 0x2100, 0, 0x100, 0}));
  EXPECT_EQ(cells(bridge, "bus-range"), (std::vector<std::uint32_t>{0, 0xff}));
  EXPECT_EQ(cells(bridge, "interrupt-map-mask"), (std::vector<std::uint32_t>{0xf800, 0, 0, 7}));
  const auto map = cells(bridge, "interrupt-map");
  ASSERT_EQ(map.size(), 4u * 7);
  EXPECT_EQ(std::vector<std::uint32_t>(map.begin(), map.begin() + 7),
            (std::vector<std::uint32_t>{0, 0, 0, 1, 7, phb.intx_source(0), 1}));
  EXPECT_EQ(cells(bridge, "ibm,dma-window"), (std::vector<std::uint32_t>{TceTable::kLiobn, 0, 0, 0, 0x40000000}));

  const auto& function = node(nodes, "/pci@800000020000000/pci1af4,1044@0");
  EXPECT_EQ(cells(function, "vendor-id"), std::vector<std::uint32_t>{0x1af4});
  EXPECT_EQ(cells(function, "device-id"), std::vector<std::uint32_t>{0x1044});
  EXPECT_EQ(cells(function, "class-code"), std::vector<std::uint32_t>{0xff0000});
  EXPECT_EQ(cells(function, "interrupts"), std::vector<std::uint32_t>{1});
  const auto assigned = cells(function, "assigned-addresses");
  ASSERT_EQ(assigned.size(), 10u);
  // BAR 0: non-relocatable 32-bit memory at register 0x10; BAR 4 64-bit at 0x20.
  EXPECT_EQ(assigned[0], 0x82000010u);
  EXPECT_EQ(assigned[2], 0x80000000u);
  EXPECT_EQ(assigned[4], 0x1000u);
  EXPECT_EQ(assigned[5], 0x83000020u);
}

TEST_F(PhbTest, TceHypercallsMapTheDmaWindowAndRefuseWhatIsOutsideIt) {
  std::map<std::uint64_t, HypercallHandler> handlers;
  phb.dma_window().register_with([&](std::uint64_t number, HypercallHandler handler) { handlers[number] = handler; });
  auto call = [&](std::uint64_t number, std::initializer_list<std::uint64_t> args) {
    HypercallCall c;
    std::copy(args.begin(), args.end(), c.args.begin());
    const std::int64_t status = handlers.at(number)(c);
    return std::pair{status, c.outputs[0]};
  };
  constexpr std::uint64_t kPutTce = 0x20, kGetTce = 0x1c, kStuffTce = 0x138;
  EXPECT_EQ(call(kPutTce, {TceTable::kLiobn, 0x3000, 0x5000 | 3}).first, 0);
  EXPECT_EQ(call(kGetTce, {TceTable::kLiobn, 0x3000}), (std::pair<std::int64_t, std::uint64_t>{0, 0x5003}));
  EXPECT_EQ(phb.dma_window().translate(0x3010, true), 0x5010u);
  EXPECT_EQ(phb.dma_window().translate(0x4010, false), std::nullopt);
  EXPECT_EQ(call(kPutTce, {TceTable::kLiobn + 1, 0x3000, 0x5003}).first, -4);      // no such bus
  EXPECT_EQ(call(kPutTce, {TceTable::kLiobn, 0x3008, 0x5003}).first, -4);          // misaligned
  EXPECT_EQ(call(kPutTce, {TceTable::kLiobn, 0x40000000, 0x5003}).first, -4);      // past the window
  EXPECT_EQ(call(kPutTce, {TceTable::kLiobn, 0x3000, 0x200000 | 3}).first, -4);   // past RAM
  EXPECT_EQ(call(kStuffTce, {TceTable::kLiobn, 0, 0, 0x40000}).first, 0);          // the whole window
  EXPECT_EQ(call(kStuffTce, {TceTable::kLiobn, 0x1000, 0, 0x40000}).first, -4);    // one too many
  EXPECT_EQ(phb.dma_window().translate(0x3010, true), std::nullopt);
}

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

constexpr std::int32_t kParameterError = -3;
constexpr std::uint32_t kChangeMsi = 3, kChangeMsix = 4;

TEST_F(PhbTest, ChangeMsiGrantsMsixVectorsAndProgramsTheirTableEntries) {
  auto function = make_function(4);
  phb.add_function(function);
  // Function 4 (MSI-X), 4 asked for: status 0, 4 granted, type 2 (MSI-X).
  const auto granted = change_msi(0, kChangeMsix, 4);
  EXPECT_EQ(granted[0], 0);
  EXPECT_EQ(granted[1], 4);
  EXPECT_EQ(granted[3], 2);
  std::vector<std::uint32_t> sources;
  for (unsigned vector = 0; vector < 4; ++vector) {
    const auto query = query_source(0, vector);
    ASSERT_EQ(query[0], 0);
    EXPECT_EQ(query[2], 1);  // edge-triggered
    const auto source = static_cast<std::uint32_t>(query[1]);
    EXPECT_TRUE(xics.valid_source(source));
    EXPECT_NE(source, phb.intx_source(0));
    EXPECT_EQ(std::count(sources.begin(), sources.end(), source), 0);
    sources.push_back(source);
    EXPECT_EQ(function->msix(vector).address, PhbLayout::kMsiAddress);
    EXPECT_EQ(function->msix(vector).data, source);
  }
  EXPECT_EQ(query_source(0, 4)[0], kParameterError);
  EXPECT_EQ(change_msi(0, 0, 0)[1], 4);  // function 0 asks how many it holds

  // Fewer than asked for when the function has fewer.
  EXPECT_EQ(change_msi(0, kChangeMsix, 16)[1], 4);
  // Two of them: the other two entries are emptied.
  EXPECT_EQ(change_msi(0, kChangeMsix, 2)[1], 2);
  EXPECT_EQ(function->msix(3).address, 0u);
  EXPECT_EQ(query_source(0, 2)[0], kParameterError);
  // Linux disables "MSI or MSI-X" with the MSI function and a count of 0.
  EXPECT_EQ(change_msi(0, kChangeMsi, 0), (std::vector<std::int32_t>{0, 0, 2, 2}));
  EXPECT_EQ(query_source(0, 0)[0], kParameterError);
  EXPECT_EQ(function->msix(0).address, 0u);
}

TEST_F(PhbTest, ChangeMsiRefusesWhatThereIsNoneOf) {
  phb.add_function(make_function(0));  // INTx only
  phb.add_function(make_function(2));
  EXPECT_EQ(change_msi(0, kChangeMsix, 1)[0], kParameterError);
  EXPECT_EQ(change_msi(0, kChangeMsi, 0)[0], 0);         // releasing nothing is fine
  EXPECT_EQ(change_msi(1, kChangeMsi, 1)[0], kParameterError);  // no MSI capability
  EXPECT_EQ(change_msi(1, 9, 1)[0], kParameterError);     // no such function
  EXPECT_EQ(change_msi(5, kChangeMsix, 1)[0], kParameterError);  // no such device
  EXPECT_EQ(rtas_call("ibm,change-msi", {config_address(1, 0, 0), kBuidHigh, kBuidLow + 1, kChangeMsix, 1, 1}, 4)[0],
            kParameterError);  // another bridge
  EXPECT_EQ(rtas_call("ibm,change-msi", {config_address(1, 0, 0), kBuidHigh, kBuidLow, kChangeMsix, 1}, 4)[0],
            kParameterError);  // one argument short
  EXPECT_EQ(query_source(1, 0)[0], kParameterError);  // nothing granted yet
}

TEST_F(PhbTest, OnlyMessagesOfGrantedVectorsReachTheXicsAsEdges) {
  auto first = make_function(2);
  auto second = make_function(2);
  phb.add_function(first);
  phb.add_function(second);
  ASSERT_EQ(change_msi(0, kChangeMsix, 1)[1], 1);
  ASSERT_EQ(change_msi(1, kChangeMsix, 2)[1], 2);
  const auto source = static_cast<std::uint32_t>(query_source(0, 0)[1]);
  const auto others = static_cast<std::uint32_t>(query_source(1, 0)[1]);
  xics.set_priority(0, 0xff);
  xics.set_xive(source, 0, 5);
  xics.set_xive(others, 0, 5);
  xics.set_xive(source + 1, 0, 5);  // the first function's second, ungranted vector

  first->sink()->signal_msi(PhbLayout::kMsiAddress, others);     // another function's source
  first->sink()->signal_msi(PhbLayout::kMsiAddress, source + 1);  // not granted
  first->sink()->signal_msi(PhbLayout::kMsiAddress + 4, source);  // not the MSI address
  EXPECT_FALSE(lines[0]);

  first->sink()->signal_msi(PhbLayout::kMsiAddress, source);
  EXPECT_TRUE(lines[0]);
  EXPECT_EQ(xics.accept(0), 0xff000000u | source);
  xics.end_of_interrupt(0, 0xff000000u | source);
  EXPECT_FALSE(lines[0]);  // an edge: accepted once, not presented again

  // A message to a masked source waits for it to be unmasked.
  xics.interrupt_off(source);
  first->sink()->signal_msi(PhbLayout::kMsiAddress, source);
  EXPECT_FALSE(lines[0]);
  xics.interrupt_on(source);
  EXPECT_TRUE(lines[0]);
  EXPECT_EQ(xics.accept(0), 0xff000000u | source);
  xics.end_of_interrupt(0, 0xff000000u | source);

  // Reset takes the vectors back.
  phb.reset();
  first->sink()->signal_msi(PhbLayout::kMsiAddress, source);
  EXPECT_EQ(xics.poll(0).first & 0xffffff, 0u);
  EXPECT_EQ(query_source(0, 0)[0], kParameterError);
}

TEST_F(PhbTest, TheDeviceTreeTellsLinuxHowManyVectorsEachFunctionMayAskFor) {
  phb.add_function(make_function(8));
  phb.add_function(make_function(0));
  const auto nodes = phb.device_tree_nodes(7);
  EXPECT_EQ(cells(node(nodes, "/pci@800000020000000/pci1af4,1044@0"), "ibm,req#msi-x"), std::vector<std::uint32_t>{8});
  // Linux gives each function pe-total / functions: enough for the largest.
  EXPECT_EQ(cells(node(nodes, "/pci@800000020000000"), "ibm,pe-total-#msi"), std::vector<std::uint32_t>{16});
  for (const auto& property : node(nodes, "/pci@800000020000000/pci1af4,1044@1").properties) {
    EXPECT_NE(property.name, "ibm,req#msi-x");
  }
}

}  // namespace
