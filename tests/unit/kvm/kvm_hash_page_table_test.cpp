// The HPT accessors over a real KVM-HV's htab fd: random mixes of valid and
// invalid entries written one by one and read back in every shape of
// request (single entries, across PTEG boundaries, up to the table's end,
// the whole table), compared with a model of what was written.
#include <sys/mman.h>

#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "kvm_accelerator.hpp"
#include "mosaic/ppc_hash.hpp"

namespace {

using mosaic::ppc::Hpte;
using mosaic::ppc::HptStatus;

constexpr std::uint64_t kRamBytes = 64 << 20;
constexpr unsigned kOrder = 18;  // the smallest table: 16384 entries
constexpr std::uint64_t kEntries = (std::uint64_t{1} << kOrder) / 16;

class KvmHashPageTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    void* ram = mmap(nullptr, kRamBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(ram, MAP_FAILED);
    ram_ = static_cast<std::byte*>(ram);
    memory_ = std::make_unique<mosaic::GuestMemory>(ram_, kRamBytes);
    // No skip: this test exists to run where /dev/kvm is KVM-HV.
    accelerator_ = mosaic::kvm::create_kvm_accelerator("/dev/kvm", *memory_, spdlog::default_logger());
    ASSERT_EQ(accelerator_->hash_page_table().allocate(kOrder), HptStatus::ok);
    model_.assign(kEntries, Hpte{});
  }
  void TearDown() override {
    accelerator_.reset();
    munmap(ram_, kRamBytes);
  }

  // An entry H_ENTER keeps as written: a 4K page inside RAM (a page outside
  // would become an emulated-MMIO entry with its key changed), no bits the
  // kernel reserves for itself (HVLOCK, ABSENT in v; bit 62 of r), and an
  // AVPN within a 78-bit virtual address: ISA 3.0 hosts keep the entry in
  // the 3.0 format, which has no room for the AVPN's top ten bits.
  Hpte random_entry() {
    const bool valid = coin(random_) && coin(random_);
    if (!valid) return Hpte{};
    const std::uint64_t segment_size = coin(random_);  // 256M or 1T
    const std::uint64_t avpn = random_() & 0x000fffffffffff80ull;
    const std::uint64_t v = (segment_size << 62) | avpn | (coin(random_) ? 0x10 : 0) | (coin(random_) ? 0x2 : 0) | 1;
    const std::uint64_t page = random_() % (kRamBytes >> 12);
    const std::uint64_t r = (page << 12) | (coin(random_) ? 1ull << 63 : 0) | (coin(random_) ? 0x100 : 0) |
                            (coin(random_) ? 0x80 : 0) | 0x10 | (coin(random_) ? 0x4 : 0) | (random_() & 3);
    return Hpte{v, r};
  }

  void write(std::uint64_t ptex, const Hpte& entry) {
    ASSERT_EQ(accelerator_->hash_page_table().write_hpte(ptex, entry), HptStatus::ok) << "entry " << ptex;
    model_[ptex] = entry.v & 1 ? entry : Hpte{};
  }

  void expect_reads_back(std::uint64_t ptex, std::uint64_t count) {
    std::vector<Hpte> read(count, Hpte{~0ull, ~0ull});
    ASSERT_EQ(accelerator_->hash_page_table().read_hptes(ptex, read), HptStatus::ok) << ptex << "+" << count;
    for (std::uint64_t i = 0; i < count; ++i) {
      ASSERT_EQ(read[i].v, model_[ptex + i].v) << "v of entry " << ptex + i << " (read from " << ptex << ")";
      ASSERT_EQ(read[i].r, model_[ptex + i].r) << "r of entry " << ptex + i << " (read from " << ptex << ")";
    }
  }

  std::byte* ram_ = nullptr;
  std::unique_ptr<mosaic::GuestMemory> memory_;
  std::unique_ptr<mosaic::Accelerator> accelerator_;
  std::vector<Hpte> model_;
  std::mt19937_64 random_{20261129};
  std::bernoulli_distribution coin{0.5};
};

TEST_F(KvmHashPageTableTest, RandomMixesReadBackExactly) {
  // Three PTEG-straddling regions: the table's start, its middle, its end.
  const std::uint64_t regions[] = {0, kEntries / 2 - 12, kEntries - 40};
  for (const std::uint64_t start : regions) {
    for (std::uint64_t i = 0; i < 40; ++i) write(start + i, random_entry());
  }
  for (const std::uint64_t start : regions) {
    for (std::uint64_t i = 0; i < 40; ++i) expect_reads_back(start + i, 1);
    expect_reads_back(start, 40);
    expect_reads_back(start + 3, 17);  // starts and ends inside a PTEG
  }
  expect_reads_back(kEntries - 1, 1);
  expect_reads_back(0, kEntries);
}

TEST_F(KvmHashPageTableTest, InvalidatingAnEntryReadsBackZero) {
  Hpte entry = random_entry();
  entry.v |= 1;
  write(100, entry);
  expect_reads_back(96, 8);
  write(100, Hpte{});
  expect_reads_back(96, 8);
  write(100, entry);  // and the slot can be filled again
  expect_reads_back(100, 1);
}

TEST_F(KvmHashPageTableTest, LongRunsOfInvalidEntriesAreClampedToTheRequest) {
  Hpte entry = random_entry();
  entry.v |= 1;
  write(kEntries - 1, entry);  // the run before it spans almost the whole table
  expect_reads_back(5, 3);
  expect_reads_back(kEntries - 9, 9);
}

// What the gdb stub does for `x/s <kernel address>` under KVM: the
// machine's debug translation walks the SLB and the in-kernel HPT.
TEST_F(KvmHashPageTableTest, DebuggerTranslatesThroughTheInKernelTable) {
  constexpr std::uint64_t kVsid = 0x5a5a5;
  constexpr std::uint64_t kSegment = 0xc000000010000000;  // a 256M segment with 4K pages
  mosaic::ppc::Registers registers;
  registers.msr = mosaic::ppc::msr::kSixtyFour | mosaic::ppc::msr::kDataRelocate;
  registers.slb[0] = {kSegment | mosaic::ppc::slb::kValid, kVsid << 12};
  const auto page_sizes = accelerator_->capabilities().segment_page_sizes;
  // Power ISA 2.07 5.7.7.3: the primary hash of a 256M segment is the VSID
  // XOR the page index; the secondary is its complement. The AVPN is the
  // VSID and the top bits of the 16-bit-aligned page offset.
  const auto install = [&](std::uint64_t page_offset, bool secondary, std::uint64_t real_page) {
    const std::uint64_t hash = kVsid ^ (page_offset >> 12);
    const std::uint64_t group = (secondary ? ~hash : hash) & ((kEntries / 8) - 1);
    const std::uint64_t v = (kVsid << 12) | ((page_offset >> 16) & 0xf80) | (secondary ? 2 : 0) | 1;
    write(group * 8 + 5, Hpte{v, real_page | 0x10 | 0x2});
  };
  install(0x0123000, false, 0x2a000);
  install(0x7654000, true, 0x3b000);
  const auto translate = [&](std::uint64_t address) {
    return mosaic::ppc::debug_translate(registers, accelerator_->hash_page_table(), page_sizes, address);
  };
  EXPECT_EQ(translate(kSegment + 0x0123abc), std::optional<std::uint64_t>(0x2aabc));
  EXPECT_EQ(translate(kSegment + 0x7654008), std::optional<std::uint64_t>(0x3b008));
  EXPECT_EQ(translate(kSegment + 0x0124000), std::nullopt);  // no HPTE
  EXPECT_EQ(translate(0xc000000020000000), std::nullopt);    // no SLB entry
}

TEST_F(KvmHashPageTableTest, RequestsPastTheTableAreRefused) {
  std::vector<Hpte> two(2);
  EXPECT_EQ(accelerator_->hash_page_table().read_hptes(kEntries - 1, two), HptStatus::out_of_range);
  EXPECT_EQ(accelerator_->hash_page_table().write_hpte(kEntries, Hpte{}), HptStatus::out_of_range);
}

}  // namespace
