// pci::StandardFunction's configuration header (PCI Local Bus 3.0 chapter
// 6) and virtio::PciTransport driven as Linux's virtio_pci_modern drives
// it (virtio 1.2 sections 3.1 and 4.1), with a small echo device.
#include <algorithm>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "mosaic/virtio/pci_transport.hpp"
#include "support/null_logger.hpp"

namespace mosaic::virtio {
namespace {

// Copies each request's readable bytes into its writable ones.
class EchoDevice final : public Device {
 public:
  std::uint16_t device_type() const override { return 42; }
  std::uint64_t device_features() const override { return 1ull << 3; }
  unsigned queue_count() const override { return 2; }
  std::uint16_t queue_max_size(unsigned) const override { return 8; }
  std::uint32_t config_size() const override { return 8; }
  void read_config(std::uint32_t offset, std::span<std::byte> out) override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte(0xc0 + offset + i);
  }
  void activate(std::uint64_t features, Queues& queues) override {
    negotiated = features;
    queues_ = &queues;
  }
  void queue_notified(unsigned queue) override {
    ++kicks;
    while (auto chain = queues_->pop(queue)) {
      std::vector<std::byte> data(chain->readable_bytes);
      chain->read(0, data);
      queues_->complete(queue, *chain, static_cast<std::uint32_t>(chain->write(0, data)));
    }
  }
  void reset() override { ++resets; queues_ = nullptr; }

  std::uint64_t negotiated = 0;
  unsigned kicks = 0, resets = 0;

 private:
  Queues* queues_ = nullptr;
};

class Sink final : public pci::InterruptSink {
 public:
  void set_intx(bool asserted) override { level = asserted; }
  void signal_msi(std::uint64_t address, std::uint32_t data) override { messages.push_back({address, data}); }
  bool level = false;
  std::vector<pci::MsiMessage> messages;
};

class VirtioPciTest : public ::testing::Test {
 public:
  VirtioPciTest() {
    auto device = std::make_unique<EchoDevice>();
    echo = device.get();
    transport = std::make_unique<PciTransport>(memory, std::move(device), testing::null_logger());
    transport->attach(sink);
  }

  // Finds each virtio capability (ID 9) by cfg_type, as a driver walks the list.
  std::map<std::uint8_t, std::uint8_t> capabilities() {
    std::map<std::uint8_t, std::uint8_t> found;
    for (std::uint32_t at = transport->config_read(0x34, 1); at != 0; at = transport->config_read(at + 1, 1)) {
      if (transport->config_read(at, 1) == pci_cap::kVendorSpecific) found[transport->config_read(at + 3, 1)] = at;
    }
    return found;
  }
  void common_write(std::uint32_t offset, unsigned size, std::uint64_t value) { transport->bar_write(0, offset, size, value); }
  std::uint64_t common_read(std::uint32_t offset, unsigned size) { return transport->bar_read(0, offset, size); }
  void put16(std::uint64_t at, std::uint16_t v) { for (int i = 0; i < 2; ++i) ram[at + i] = std::byte(v >> (8 * i)); }

  // Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue 0, DRIVER_OK
  // (3.1.1); returns the status the device then shows.
  std::uint8_t bring_up(std::uint64_t features) {
    transport->config_write(0x04, 2, 0x6);  // Memory Space, Bus Master
    common_write(0x14, 1, 0);
    common_write(0x14, 1, status::kAcknowledge);
    common_write(0x14, 1, status::kAcknowledge | status::kDriver);
    common_write(0x08, 4, 0);
    common_write(0x0c, 4, features & 0xffffffff);
    common_write(0x08, 4, 1);
    common_write(0x0c, 4, features >> 32);
    common_write(0x14, 1, status::kAcknowledge | status::kDriver | status::kFeaturesOk);
    if (!(common_read(0x14, 1) & status::kFeaturesOk)) return static_cast<std::uint8_t>(common_read(0x14, 1));
    common_write(0x16, 2, 0);
    common_write(0x20, 4, kDescriptors);
    common_write(0x24, 4, 0);
    common_write(0x28, 8, kAvail);
    common_write(0x30, 8, kUsed);
    common_write(0x1c, 2, 1);
    if (map_vectors) map_vectors();
    common_write(0x14, 1, status::kAcknowledge | status::kDriver | status::kFeaturesOk | status::kDriverOk);
    return static_cast<std::uint8_t>(common_read(0x14, 1));
  }

  // Called by bring_up after the queue is set up, before DRIVER_OK.
  std::function<void()> map_vectors;
  static constexpr std::uint64_t kDescriptors = 0x1000, kAvail = 0x2000, kUsed = 0x3000;
  std::vector<std::byte> ram = std::vector<std::byte>(1 << 20);
  GuestMemory memory{ram.data(), ram.size()};
  Sink sink;
  EchoDevice* echo = nullptr;
  std::unique_ptr<PciTransport> transport;
};

TEST_F(VirtioPciTest, TheHeaderNamesAModernVirtioDeviceAndIgnoresWritesToReadOnlyFields) {
  EXPECT_EQ(transport->config_read(0x00, 2), kPciVendor);
  EXPECT_EQ(transport->config_read(0x02, 2), kPciDeviceBase + 42u);
  EXPECT_EQ(transport->config_read(0x08, 1), 1u);  // revision 1: no legacy interface
  EXPECT_NE(transport->config_read(0x06, 2) & pci::config::kStatusCapabilities, 0u);
  transport->config_write(0x00, 4, 0xffffffff);
  transport->config_write(0x08, 4, 0);
  EXPECT_EQ(transport->config_read(0x00, 2), kPciVendor);
  EXPECT_EQ(transport->config_read(0x08, 1), 1u);
  transport->config_write(0x04, 2, 0xffff);
  EXPECT_EQ(transport->config_read(0x04, 2), 0x0406u);  // only Memory Space, Bus Master, INTx Disable stick
}

TEST_F(VirtioPciTest, BarSizingReadsBackTheSizeAndDecodingFollowsMemorySpace) {
  transport->config_write(0x10, 4, 0xffffffff);
  EXPECT_EQ(transport->config_read(0x10, 4), static_cast<std::uint32_t>(~(PciTransport::kBarSize - 1)));
  transport->config_write(0x10, 4, 0x80004000);
  EXPECT_EQ(transport->decode(0x80004010), std::nullopt);  // Memory Space still off
  transport->config_write(0x04, 2, 0x2);
  const auto bar = transport->decode(0x80004010);
  ASSERT_TRUE(bar);
  EXPECT_EQ(bar->address, 0x80004000u);
  EXPECT_EQ(bar->size, PciTransport::kBarSize);
  EXPECT_EQ(transport->decode(0x80004000 + PciTransport::kBarSize), std::nullopt);
  transport->config_write(0x14, 4, 0xffffffff);  // BAR 1: the MSI-X table
  EXPECT_EQ(transport->config_read(0x14, 4), static_cast<std::uint32_t>(~(pci::MsixTable::kBarSize - 1)));
  EXPECT_EQ(transport->config_read(0x18, 4), 0u);  // no BAR 2
  transport->config_write(0x18, 4, 0xffffffff);
  EXPECT_EQ(transport->config_read(0x18, 4), 0u);
}

TEST_F(VirtioPciTest, EveryVirtioCapabilityIsThereAndPointsIntoBarZero) {
  const auto found = capabilities();
  for (std::uint8_t type : {pci_cap::kCommonConfig, pci_cap::kNotifyConfig, pci_cap::kIsrConfig,
                            pci_cap::kDeviceConfig, pci_cap::kPciConfig}) {
    ASSERT_TRUE(found.count(type)) << "cfg_type " << int(type);
    EXPECT_EQ(transport->config_read(found.at(type) + 4, 1), 0u);  // bar
  }
  EXPECT_EQ(transport->config_read(found.at(pci_cap::kCommonConfig) + 12, 4), 0x38u);  // length
  EXPECT_EQ(transport->config_read(found.at(pci_cap::kNotifyConfig) + 16, 4), PciTransport::kNotifyMultiplier);
}

TEST_F(VirtioPciTest, ADriverBringsTheDeviceUpAndARequestIsEchoedWithAnInterrupt) {
  EXPECT_EQ(common_read(0x12, 2), 2u);  // num_queues
  common_write(0x00, 4, 1);
  EXPECT_EQ(common_read(0x04, 4) & 1, 1u);  // VERSION_1 is feature bit 32
  const std::uint64_t features = feature::kVersion1 | (1ull << 3);
  ASSERT_EQ(bring_up(features), status::kAcknowledge | status::kDriver | status::kFeaturesOk | status::kDriverOk);
  EXPECT_EQ(echo->negotiated, features);
  // One request: 4 readable bytes, 4 writable.
  auto put_descriptor = [&](unsigned i, std::uint64_t address, std::uint32_t length, std::uint16_t flags, std::uint16_t next) {
    for (int b = 0; b < 8; ++b) ram[kDescriptors + 16 * i + b] = std::byte(address >> (8 * b));
    for (int b = 0; b < 4; ++b) ram[kDescriptors + 16 * i + 8 + b] = std::byte(length >> (8 * b));
    put16(kDescriptors + 16 * i + 12, flags);
    put16(kDescriptors + 16 * i + 14, next);
  };
  put_descriptor(0, 0x8000, 4, descriptor::kNext, 1);
  put_descriptor(1, 0x9000, 4, descriptor::kWrite, 0);
  for (int i = 0; i < 4; ++i) ram[0x8000 + i] = std::byte(0x10 + i);
  put16(kAvail + 4, 0);
  put16(kAvail + 2, 1);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> written;
  memory.set_write_listener([&](std::uint64_t address, std::uint64_t length) { written.emplace_back(address, length); });
  transport->bar_write(0, PciTransport::kNotifyOffset, 2, 0);
  memory.set_write_listener({});
  EXPECT_EQ(echo->kicks, 1u);
  EXPECT_EQ(ram[0x9003], std::byte{0x13});
  // The accelerator hears of the bytes the device wrote (and of the used ring).
  EXPECT_NE(std::find(written.begin(), written.end(), std::pair<std::uint64_t, std::uint64_t>{0x9000, 4}), written.end());
  EXPECT_TRUE(sink.level);
  EXPECT_EQ(transport->bar_read(0, PciTransport::kIsrOffset, 1), kIsrQueue);
  EXPECT_FALSE(sink.level);  // reading the ISR deasserts INTx
  EXPECT_EQ(transport->bar_read(0, PciTransport::kIsrOffset, 1), 0u);
  EXPECT_EQ(transport->bar_read(0, PciTransport::kDeviceOffset + 2, 2), 0xc3c2u);
}

TEST_F(VirtioPciTest, WithoutVersionOneOrWithUnofferedFeaturesFeaturesOkDoesNotStick) {
  EXPECT_FALSE(bring_up(1ull << 3) & status::kFeaturesOk);
  EXPECT_FALSE(bring_up(feature::kVersion1 | (1ull << 7)) & status::kFeaturesOk);
  EXPECT_EQ(echo->negotiated, 0u);
}

TEST_F(VirtioPciTest, KicksBeforeDriverOkOrWithoutBusMasterAreIgnored) {
  transport->bar_write(0, PciTransport::kNotifyOffset, 2, 0);
  EXPECT_EQ(echo->kicks, 0u);
  ASSERT_TRUE(bring_up(feature::kVersion1) & status::kDriverOk);
  transport->config_write(0x04, 2, 0x2);  // Bus Master off
  transport->bar_write(0, PciTransport::kNotifyOffset, 2, 0);
  EXPECT_EQ(echo->kicks, 0u);
  transport->bar_write(0, PciTransport::kNotifyOffset + 4 * 7, 2, 0);  // past the queues
  EXPECT_EQ(echo->kicks, 0u);
}

TEST_F(VirtioPciTest, ABrokenRingSetsDeviceNeedsResetAndStatusZeroResetsEverything) {
  ASSERT_TRUE(bring_up(feature::kVersion1) & status::kDriverOk);
  put16(kAvail + 2, 100);  // the available index runs far ahead
  transport->bar_write(0, PciTransport::kNotifyOffset, 2, 0);
  EXPECT_TRUE(common_read(0x14, 1) & status::kDeviceNeedsReset);
  EXPECT_TRUE(sink.level);
  EXPECT_EQ(transport->bar_read(0, PciTransport::kIsrOffset, 1), kIsrConfigChange);
  const unsigned resets = echo->resets;
  common_write(0x14, 1, 0);
  EXPECT_EQ(common_read(0x14, 1), 0u);
  EXPECT_EQ(echo->resets, resets + 1);
  EXPECT_EQ(common_read(0x20, 8), 0u);
}

TEST_F(VirtioPciTest, TheQueueLayoutCannotChangeOnceTheDeviceIsLive) {
  ASSERT_TRUE(bring_up(feature::kVersion1) & status::kDriverOk);
  common_write(0x20, 8, 0x7000);
  common_write(0x18, 2, 2);
  EXPECT_EQ(common_read(0x20, 8), kDescriptors);
  EXPECT_EQ(common_read(0x18, 2), 8u);
}

TEST_F(VirtioPciTest, ThePciConfigCapabilityReachesTheBarThroughConfigSpace) {
  const std::uint8_t cap = capabilities().at(pci_cap::kPciConfig);
  transport->config_write(cap + 4, 1, 0);        // bar
  transport->config_write(cap + 8, 4, 0x12);     // offset: num_queues
  transport->config_write(cap + 12, 4, 2);       // length
  EXPECT_EQ(transport->config_read(cap + 16, 2), 2u);
  transport->config_write(cap + 8, 4, 0x16);     // queue_select
  transport->config_write(cap + 16, 2, 1);
  EXPECT_EQ(common_read(0x16, 2), 1u);
}

}  // namespace
}  // namespace mosaic::virtio

namespace mosaic::virtio {
namespace {

// MSI-X as Linux's virtio_pci sets it up on pseries: firmware programs the
// table, the driver maps a vector to configuration changes and one to
// each queue, enables MSI-X and unmasks the vectors it uses.
class VirtioMsixTest : public VirtioPciTest {
 public:
  std::uint8_t msix_capability() {
    for (std::uint32_t at = transport->config_read(0x34, 1); at != 0; at = transport->config_read(at + 1, 1)) {
      if (transport->config_read(at, 1) == pci::msix::kCapabilityId) return static_cast<std::uint8_t>(at);
    }
    ADD_FAILURE() << "no MSI-X capability";
    return 0;
  }
  void set_msix_control(std::uint16_t control) { transport->config_write(msix_capability() + 2, 2, control); }
  void unmask(unsigned vector) { transport->bar_write(PciTransport::kMsixBar, 16 * vector + 12, 4, 0); }
  std::uint64_t pending_bits() { return transport->bar_read(PciTransport::kMsixBar, pci::MsixTable::kPbaOffset, 8); }

  // One request on queue 0, as in the echo test above.
  void request() {
    for (int b = 0; b < 8; ++b) ram[kDescriptors + b] = std::byte(std::uint64_t{0x9000} >> (8 * b));
    ram[kDescriptors + 8] = std::byte{4};
    put16(kDescriptors + 12, descriptor::kWrite);
    const std::uint16_t index = next_avail++;
    put16(kAvail + 4 + 2 * (index % 8), 0);
    put16(kAvail + 2, next_avail);
    transport->bar_write(0, PciTransport::kNotifyOffset, 2, 0);
  }
  std::uint16_t next_avail = 0;
};

TEST_F(VirtioMsixTest, TheCapabilityOffersAVectorPerQueueAndOneForConfigurationRoundedToAPowerOfTwo) {
  const std::uint8_t cap = msix_capability();
  EXPECT_EQ(transport->msix_vector_count(), 4u);                // 2 queues + 1, rounded up
  EXPECT_EQ(transport->config_read(cap + 2, 2), 3u);            // Table Size is N - 1, disabled, not masked
  EXPECT_EQ(transport->config_read(cap + 4, 4), PciTransport::kMsixBar);  // table at offset 0 of BAR 1
  EXPECT_EQ(transport->config_read(cap + 8, 4), pci::MsixTable::kPbaOffset | PciTransport::kMsixBar);
  transport->config_write(cap + 2, 2, 0xffff);  // only Enable and Function Mask are writable
  EXPECT_EQ(transport->config_read(cap + 2, 2), 0xc003u);
  transport->config_write(cap + 4, 4, 0);
  EXPECT_EQ(transport->config_read(cap + 4, 4), PciTransport::kMsixBar);
}

TEST_F(VirtioMsixTest, VectorsTheFunctionLacksReadBackAsNoVector) {
  common_write(0x10, 2, 3);
  EXPECT_EQ(common_read(0x10, 2), 3u);
  common_write(0x10, 2, 4);
  EXPECT_EQ(common_read(0x10, 2), kNoVector);
  common_write(0x16, 2, 1);
  common_write(0x1a, 2, 2);
  EXPECT_EQ(common_read(0x1a, 2), 2u);
  common_write(0x1a, 2, 0x1234);
  EXPECT_EQ(common_read(0x1a, 2), kNoVector);
  common_write(0x14, 1, 0);  // reset: every mapping is gone
  EXPECT_EQ(common_read(0x10, 2), kNoVector);
  common_write(0x16, 2, 1);
  EXPECT_EQ(common_read(0x1a, 2), kNoVector);
}

TEST_F(VirtioMsixTest, AQueueInterruptIsTheQueuesMessageAndAMaskedOneWaitsInThePendingBits) {
  for (unsigned vector = 0; vector < 4; ++vector) transport->program_msix_vector(vector, 0xfee0000, 0x100 + vector);
  map_vectors = [this] {
    common_write(0x10, 2, 0);  // configuration changes: vector 0
    common_write(0x1a, 2, 1);  // queue 0 (selected): vector 1
  };
  set_msix_control(pci::msix::kControlEnable);
  ASSERT_TRUE(bring_up(feature::kVersion1) & status::kDriverOk);
  EXPECT_EQ(common_read(0x1a, 2), 1u);

  request();  // vector 1 is still masked, as every vector starts
  EXPECT_TRUE(sink.messages.empty());
  EXPECT_FALSE(sink.level);  // no INTx while MSI-X is on
  EXPECT_EQ(pending_bits(), 0b10u);
  unmask(1);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0], (pci::MsiMessage{0xfee0000, 0x101}));
  EXPECT_EQ(pending_bits(), 0u);
  EXPECT_EQ(transport->bar_read(0, PciTransport::kIsrOffset, 1), 0u);  // the queue bit is INTx's only

  request();
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[1].data, 0x101u);

  // The Function Mask holds every vector back; clearing it sends what waited.
  set_msix_control(pci::msix::kControlEnable | pci::msix::kControlFunctionMask);
  request();
  EXPECT_EQ(sink.messages.size(), 2u);
  set_msix_control(pci::msix::kControlEnable);
  ASSERT_EQ(sink.messages.size(), 3u);
  EXPECT_EQ(sink.messages[2].data, 0x101u);

  // Turning MSI-X off brings INTx back.
  set_msix_control(0);
  request();
  EXPECT_EQ(sink.messages.size(), 3u);
  EXPECT_TRUE(sink.level);
}

TEST_F(VirtioMsixTest, AConfigurationChangeUsesTheConfigurationVectorAndStillSetsTheIsrBit) {
  transport->program_msix_vector(2, 0xfee0000, 0x77);
  map_vectors = [this] { common_write(0x10, 2, 2); };
  set_msix_control(pci::msix::kControlEnable);
  unmask(2);
  ASSERT_TRUE(bring_up(feature::kVersion1) & status::kDriverOk);
  put16(kAvail + 2, 100);  // a broken ring: DEVICE_NEEDS_RESET and a configuration interrupt
  transport->bar_write(0, PciTransport::kNotifyOffset, 2, 0);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].data, 0x77u);
  EXPECT_EQ(transport->bar_read(0, PciTransport::kIsrOffset, 1), kIsrConfigChange);
  EXPECT_FALSE(sink.level);
}

TEST_F(VirtioMsixTest, AQueueMappedToNoVectorInterruptsNobody) {
  set_msix_control(pci::msix::kControlEnable);
  ASSERT_TRUE(bring_up(feature::kVersion1) & status::kDriverOk);
  request();
  EXPECT_TRUE(sink.messages.empty());
  EXPECT_FALSE(sink.level);
  EXPECT_EQ(pending_bits(), 0u);
}

}  // namespace
}  // namespace mosaic::virtio
