// The split virtqueue on rings built by hand in a guest RAM buffer: the
// chains a driver makes, and one test per way a hostile driver breaks them
// (virtio 1.2 section 2.7).
#include <gtest/gtest.h>

#include <vector>

#include "mosaic/virtio/queue.hpp"

namespace mosaic::virtio {
namespace {

class SplitQueueTest : public ::testing::Test {
 public:  // the hostile-ring builders below reach in
  static constexpr std::uint16_t kSize = 8;
  static constexpr std::uint64_t kDescriptors = 0x1000, kAvail = 0x2000, kUsed = 0x3000, kData = 0x10000;

  void put16(std::uint64_t at, std::uint16_t v) { for (int i = 0; i < 2; ++i) ram[at + i] = std::byte(v >> (8 * i)); }
  void put32(std::uint64_t at, std::uint32_t v) { for (int i = 0; i < 4; ++i) ram[at + i] = std::byte(v >> (8 * i)); }
  void put64(std::uint64_t at, std::uint64_t v) { for (int i = 0; i < 8; ++i) ram[at + i] = std::byte(v >> (8 * i)); }
  std::uint32_t get32(std::uint64_t at) const {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | std::to_integer<std::uint32_t>(ram[at + i]);
    return v;
  }
  void descriptor(std::uint64_t table, unsigned index, std::uint64_t address, std::uint32_t length,
                  std::uint16_t flags, std::uint16_t next = 0) {
    const std::uint64_t at = table + 16 * index;
    put64(at, address);
    put32(at + 8, length);
    put16(at + 12, flags);
    put16(at + 14, next);
  }
  // Makes `head` available as the next entry of the available ring.
  void make_available(std::uint16_t head) {
    put16(kAvail + 4 + 2 * (available % kSize), head);
    put16(kAvail + 2, ++available);
  }
  SplitQueue queue(bool event_index = false) { return SplitQueue(memory, {kSize, kDescriptors, kAvail, kUsed}, event_index); }

  std::vector<std::byte> ram = std::vector<std::byte>(1 << 20);
  GuestMemory memory{ram.data(), ram.size()};
  std::uint16_t available = 0;
};

TEST_F(SplitQueueTest, AChainYieldsItsReadableThenWritableBuffers) {
  descriptor(kDescriptors, 0, kData, 16, descriptor::kNext, 1);
  descriptor(kDescriptors, 1, kData + 0x100, 512, descriptor::kNext | descriptor::kWrite, 2);
  descriptor(kDescriptors, 2, kData + 0x400, 1, descriptor::kWrite);
  make_available(0);
  auto q = queue();
  auto chain = q.pop();
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->head, 0);
  EXPECT_EQ(chain->readable_bytes, 16u);
  EXPECT_EQ(chain->writable_bytes, 513u);
  EXPECT_EQ(chain->readable[0].data(), ram.data() + kData);
  EXPECT_FALSE(q.pop());  // nothing more available
  // The used ring gets {id, len} and its index moves; no EVENT_IDX and no
  // NO_INTERRUPT flag: the driver wants an interrupt.
  EXPECT_TRUE(q.push(0, 513));
  EXPECT_EQ(get32(kUsed + 4), 0u);
  EXPECT_EQ(get32(kUsed + 8), 513u);
  EXPECT_EQ(get32(kUsed) >> 16, 1u);
  EXPECT_FALSE(q.broken());
}

TEST_F(SplitQueueTest, IndirectTablesAreFollowed) {
  const std::uint64_t table = 0x5000;
  descriptor(table, 0, kData, 16, descriptor::kNext, 1);
  descriptor(table, 1, kData + 0x100, 4, descriptor::kWrite);
  descriptor(kDescriptors, 3, table, 32, descriptor::kIndirect);
  make_available(3);
  auto q = queue();
  auto chain = q.pop();
  ASSERT_TRUE(chain) << q.error();
  EXPECT_EQ(chain->head, 3);
  EXPECT_EQ(chain->readable_bytes, 16u);
  EXPECT_EQ(chain->writable_bytes, 4u);
}

TEST_F(SplitQueueTest, AZeroLengthBufferIsAnEmptyBuffer) {
  descriptor(kDescriptors, 0, kData, 0, descriptor::kWrite);
  make_available(0);
  auto q = queue();
  auto chain = q.pop();
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->writable_bytes, 0u);
}

// Each malformed ring: no chain, the queue broken with a reason, and no
// access outside RAM (AddressSanitizer would see one).
struct Hostile {
  const char* name;
  void (*build)(SplitQueueTest&);
};

class HostileRingTest : public SplitQueueTest, public ::testing::WithParamInterface<Hostile> {};

TEST_P(HostileRingTest, BreaksTheQueueInsteadOfTheVmm) {
  GetParam().build(*this);
  auto q = queue();
  EXPECT_FALSE(q.pop());
  EXPECT_TRUE(q.broken());
  EXPECT_FALSE(q.error().empty());
  EXPECT_FALSE(q.pop());  // and stays so
}

INSTANTIATE_TEST_SUITE_P(
    Rings, HostileRingTest,
    ::testing::Values(
        Hostile{"DescriptorLoop", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, t.kData, 16, descriptor::kNext, 1);
          t.descriptor(t.kDescriptors, 1, t.kData, 16, descriptor::kNext, 0);
          t.make_available(0);
        }},
        Hostile{"SelfLoop", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 2, t.kData, 16, descriptor::kNext, 2);
          t.make_available(2);
        }},
        Hostile{"BufferPastRam", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, (1 << 20) - 8, 16, 0);
          t.make_available(0);
        }},
        Hostile{"GiantBuffer", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, t.kData, 0xffffffff, descriptor::kWrite);
          t.make_available(0);
        }},
        Hostile{"AddressWraps", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, ~std::uint64_t{0} - 4, 16, 0);
          t.make_available(0);
        }},
        Hostile{"HeadOutOfRange", [](SplitQueueTest& t) { t.make_available(t.kSize); }},
        Hostile{"NextOutOfRange", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, t.kData, 16, descriptor::kNext, 200);
          t.make_available(0);
        }},
        Hostile{"AvailableIndexRunsAhead", [](SplitQueueTest& t) { t.put16(t.kAvail + 2, t.kSize + 1); }},
        Hostile{"ReadableAfterWritable", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, t.kData, 16, descriptor::kWrite | descriptor::kNext, 1);
          t.descriptor(t.kDescriptors, 1, t.kData, 16, 0);
          t.make_available(0);
        }},
        Hostile{"NestedIndirect", [](SplitQueueTest& t) {
          t.descriptor(0x5000, 0, 0x6000, 16, descriptor::kIndirect);
          t.descriptor(t.kDescriptors, 0, 0x5000, 16, descriptor::kIndirect);
          t.make_available(0);
        }},
        Hostile{"IndirectWithNext", [](SplitQueueTest& t) {
          t.descriptor(0x5000, 0, t.kData, 16, 0);
          t.descriptor(t.kDescriptors, 0, 0x5000, 16, descriptor::kIndirect | descriptor::kNext, 1);
          t.make_available(0);
        }},
        Hostile{"IndirectTableBadLength", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, 0x5000, 20, descriptor::kIndirect);
          t.make_available(0);
        }},
        Hostile{"IndirectTablePastRam", [](SplitQueueTest& t) {
          t.descriptor(t.kDescriptors, 0, (1 << 20) - 16, 64, descriptor::kIndirect);
          t.make_available(0);
        }},
        Hostile{"LoopInsideIndirect", [](SplitQueueTest& t) {
          t.descriptor(0x5000, 0, t.kData, 16, descriptor::kNext, 1);
          t.descriptor(0x5000, 1, t.kData, 16, descriptor::kNext, 0);
          t.descriptor(t.kDescriptors, 0, 0x5000, 32, descriptor::kIndirect);
          t.make_available(0);
        }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(SplitQueueTest, RingsOutsideRamOrMisalignedBreakTheQueueAtSetUp) {
  EXPECT_TRUE(SplitQueue(memory, {kSize, (1 << 20) - 16, kAvail, kUsed}, false).broken());
  EXPECT_TRUE(SplitQueue(memory, {kSize, kDescriptors + 8, kAvail, kUsed}, false).broken());
  EXPECT_TRUE(SplitQueue(memory, {kSize, kDescriptors, kAvail, kUsed + 2}, false).broken());
  EXPECT_TRUE(SplitQueue(memory, {6, kDescriptors, kAvail, kUsed}, false).broken());  // not a power of two
  EXPECT_TRUE(SplitQueue(memory, {0, kDescriptors, kAvail, kUsed}, false).broken());
}

TEST_F(SplitQueueTest, EventIndexAsksForAnInterruptOnlyWhenTheDriversEventIsCrossed) {
  for (std::uint16_t i = 0; i < 3; ++i) {
    descriptor(kDescriptors, i, kData, 1, descriptor::kWrite);
    make_available(i);
  }
  put16(kAvail + 4 + 2 * kSize, 1);  // used_event: interrupt when used passes index 1
  auto q = queue(true);
  auto a = q.pop(), b = q.pop(), c = q.pop();
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(q.push(a->head, 1));  // used 0 -> 1: event 1 not crossed yet
  EXPECT_TRUE(q.push(b->head, 1));   // used 1 -> 2: crossed
  EXPECT_FALSE(q.push(c->head, 1));
  // The device asks to be kicked for the next available entry (avail_event).
  EXPECT_EQ(get32(kUsed + 4 + 8 * kSize) & 0xffff, 3u);
}

TEST_F(SplitQueueTest, NoInterruptFlagSuppressesInterruptsWithoutEventIndex) {
  descriptor(kDescriptors, 0, kData, 1, descriptor::kWrite);
  make_available(0);
  put16(kAvail, kAvailNoInterrupt);
  auto q = queue();
  auto chain = q.pop();
  ASSERT_TRUE(chain);
  EXPECT_FALSE(q.push(chain->head, 1));
}

TEST_F(SplitQueueTest, ChainsGatherAndScatterAcrossBuffers) {
  descriptor(kDescriptors, 0, kData, 3, descriptor::kNext, 1);
  descriptor(kDescriptors, 1, kData + 0x10, 5, descriptor::kNext, 2);
  descriptor(kDescriptors, 2, kData + 0x20, 4, descriptor::kWrite | descriptor::kNext, 3);
  descriptor(kDescriptors, 3, kData + 0x30, 4, descriptor::kWrite);
  for (int i = 0; i < 3; ++i) ram[kData + i] = std::byte(i + 1);
  for (int i = 0; i < 5; ++i) ram[kData + 0x10 + i] = std::byte(i + 4);
  make_available(0);
  auto q = queue();
  auto chain = q.pop();
  ASSERT_TRUE(chain);
  std::vector<std::byte> out(10);
  EXPECT_EQ(chain->read(1, out), 7u);
  EXPECT_EQ(out[0], std::byte{2});
  EXPECT_EQ(out[6], std::byte{8});
  const std::vector<std::byte> in(6, std::byte{0xee});
  EXPECT_EQ(chain->write(2, in), 6u);
  EXPECT_EQ(ram[kData + 0x22], std::byte{0xee});
  EXPECT_EQ(ram[kData + 0x33], std::byte{0xee});
  EXPECT_EQ(ram[kData + 0x21], std::byte{0});
}

}  // namespace
}  // namespace mosaic::virtio
