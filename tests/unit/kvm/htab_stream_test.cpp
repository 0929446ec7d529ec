// The HPT stream codec against streams built to the kernel's rules
// (arch/powerpc/kvm/book3s_64_mmu_hv.c, kvm_htab_read): a record holds a
// run of valid entries, then the count of the invalid run after it, which
// continues to the next valid entry or the table's end; an entry is only
// emitted when one byte more than it needs is left in the buffer.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "htab_stream.hpp"

namespace {

using mosaic::kvm::encode_htab_write;
using mosaic::kvm::htab_read_buffer_size;
using mosaic::kvm::HtabReadDecoder;
using mosaic::ppc::Hpte;
using Status = HtabReadDecoder::Status;

void put_header(std::vector<std::byte>& out, std::uint32_t index, std::uint16_t n_valid, std::uint16_t n_invalid) {
  const std::size_t at = out.size();
  out.resize(at + 8);
  std::memcpy(out.data() + at, &index, 4);
  std::memcpy(out.data() + at + 4, &n_valid, 2);
  std::memcpy(out.data() + at + 6, &n_invalid, 2);
}

void put_big_endian(std::vector<std::byte>& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::byte>(value >> shift));
}

bool is_valid(const Hpte& entry) { return entry.v & mosaic::ppc::hpte::kValid; }

// What one read() of a fresh htab fd returns, as the kernel builds it.
class SimulatedKernelTable {
 public:
  explicit SimulatedKernelTable(std::vector<Hpte> entries) : entries_(std::move(entries)) {}

  std::vector<std::byte> read(std::uint64_t& position, std::size_t buffer_size) const {
    std::vector<std::byte> out;
    while (position < entries_.size() && out.size() + 8 + 16 < buffer_size) {
      const std::size_t header_at = out.size();
      put_header(out, static_cast<std::uint32_t>(position), 0, 0);
      std::uint16_t n_valid = 0, n_invalid = 0;
      while (position < entries_.size() && is_valid(entries_[position]) && out.size() + 16 < buffer_size &&
             n_valid < 0xffff) {
        put_big_endian(out, entries_[position].v | mosaic::kvm::kHpteVHvLock);
        put_big_endian(out, entries_[position].r);
        ++n_valid;
        ++position;
      }
      while (position < entries_.size() && !is_valid(entries_[position]) && n_invalid < 0xffff) {
        ++n_invalid;
        ++position;
      }
      std::memcpy(out.data() + header_at + 4, &n_valid, 2);
      std::memcpy(out.data() + header_at + 6, &n_invalid, 2);
      if (n_valid == 0 && n_invalid == 0) {
        out.resize(header_at);
        break;
      }
    }
    return out;
  }

 private:
  std::vector<Hpte> entries_;
};

std::vector<Hpte> random_table(std::size_t size, std::mt19937_64& random, double valid_fraction) {
  std::bernoulli_distribution valid(valid_fraction);
  std::vector<Hpte> table(size);
  for (auto& entry : table) {
    if (valid(random)) entry = {(random() & ~0x7full) | 0x1, random()};
  }
  return table;
}

// The read loop an accessor runs: fresh fd at ptex, reads until filled.
std::vector<Hpte> read_through_decoder(const SimulatedKernelTable& kernel, std::uint64_t ptex, std::size_t n,
                                       std::size_t buffer_size) {
  std::vector<Hpte> out(n, Hpte{~0ull, ~0ull});
  HtabReadDecoder decoder(ptex, out);
  std::uint64_t position = ptex;
  Status status = Status::need_more;
  while (status == Status::need_more) status = decoder.feed(kernel.read(position, buffer_size));
  EXPECT_EQ(status, Status::complete) << decoder.error();
  return out;
}

TEST(HtabStream, RandomMixesReadBackExactlyAcrossGroupsAndTableEnd) {
  std::mt19937_64 random(7);
  for (double fraction : {0.0, 0.1, 0.5, 0.9, 1.0}) {
    const auto table = random_table(512, random, fraction);
    const SimulatedKernelTable kernel(table);
    for (int trial = 0; trial < 200; ++trial) {
      const std::uint64_t ptex = random() % table.size();
      const std::size_t n = 1 + random() % std::min<std::size_t>(40, table.size() - ptex);
      const std::size_t buffer = htab_read_buffer_size(1 + random() % 8);
      const auto got = read_through_decoder(kernel, ptex, n, buffer);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(got[i], table[ptex + i]) << "fraction " << fraction << " ptex " << ptex << " entry " << i;
      }
    }
  }
}

TEST(HtabStream, ExactBufferYieldsOneEntryFewerAndTheLoopCompletes) {
  std::vector<Hpte> table(16);
  for (auto& entry : table) entry = {0x1000 | 1, 0x2000};
  const SimulatedKernelTable kernel(table);
  std::uint64_t position = 0;
  const auto first = kernel.read(position, 8 + 8 * 16);
  EXPECT_EQ(first.size(), 8u + 7 * 16);  // the kernel's off-by-one
  EXPECT_EQ(read_through_decoder(kernel, 0, 8, 8 + 8 * 16), std::vector<Hpte>(table.begin(), table.begin() + 8));
  EXPECT_EQ(read_through_decoder(kernel, 0, 8, htab_read_buffer_size(8)),
            std::vector<Hpte>(table.begin(), table.begin() + 8));
}

TEST(HtabStream, InvalidRunPastTheRequestIsClampedAndLaterRecordsIgnored) {
  std::vector<std::byte> stream;
  put_header(stream, 8, 1, 300);  // one valid entry, then a run beyond the PTEG
  put_big_endian(stream, 0xab00 | 1 | mosaic::kvm::kHpteVHvLock);
  put_big_endian(stream, 0x1234);
  put_header(stream, 309, 1, 0);
  put_big_endian(stream, 0x5551);
  put_big_endian(stream, 0x6666);
  std::vector<Hpte> out(8, Hpte{1, 1});
  HtabReadDecoder decoder(8, out);
  ASSERT_EQ(decoder.feed(stream), Status::complete) << decoder.error();
  EXPECT_EQ(out[0], (Hpte{0xab01, 0x1234}));  // HVLOCK masked
  for (std::size_t i = 1; i < 8; ++i) EXPECT_EQ(out[i], Hpte{});
}

TEST(HtabStream, ValidRunLongerThanTheRequestIsClamped) {
  std::vector<std::byte> stream;
  put_header(stream, 0, 3, 0);
  for (int i = 0; i < 3; ++i) {
    put_big_endian(stream, 0x100 * (i + 1) | 1);
    put_big_endian(stream, i);
  }
  std::vector<Hpte> out(2);
  HtabReadDecoder decoder(0, out);
  EXPECT_EQ(decoder.feed(stream), Status::complete);
  EXPECT_EQ(out[1], (Hpte{0x201, 1}));
}

TEST(HtabStream, ShortReadsContinueAndEndOfStreamBeforeFilledIsAnError) {
  std::vector<std::byte> first, second;
  put_header(first, 100, 0, 2);
  put_header(second, 102, 0, 1);
  std::vector<Hpte> out(4);
  HtabReadDecoder decoder(100, out);
  EXPECT_EQ(decoder.feed(first), Status::need_more);
  EXPECT_EQ(decoder.feed(second), Status::need_more);
  EXPECT_EQ(decoder.filled(), 3u);
  EXPECT_EQ(decoder.feed({}), Status::error);  // EOF: the index ran past the table
  EXPECT_NE(decoder.error().find("ended at entry 103"), std::string::npos) << decoder.error();
}

TEST(HtabStream, CorruptRecordsAreErrorsWithoutOverrun) {
  std::vector<Hpte> out(8);
  {
    std::vector<std::byte> stream;
    put_header(stream, 0, 5, 0);  // announces 80 bytes, holds 16
    put_big_endian(stream, 1);
    put_big_endian(stream, 2);
    HtabReadDecoder decoder(0, out);
    EXPECT_EQ(decoder.feed(stream), Status::error);
    EXPECT_NE(decoder.error().find("announces 5 valid entries"), std::string::npos);
  }
  {
    std::vector<std::byte> stream;
    put_header(stream, 4, 0, 1);  // not the entry asked for
    HtabReadDecoder decoder(0, out);
    EXPECT_EQ(decoder.feed(stream), Status::error);
  }
  {
    std::vector<std::byte> stream(5, std::byte{0x11});  // half a header
    HtabReadDecoder decoder(0, out);
    EXPECT_EQ(decoder.feed(stream), Status::error);
    EXPECT_EQ(decoder.feed(stream), Status::error);  // errors stick
  }
  {
    std::vector<std::byte> stream;
    put_header(stream, 0, 0, 0);  // would loop forever if accepted
    HtabReadDecoder decoder(0, out);
    EXPECT_EQ(decoder.feed(stream), Status::error);
  }
}

TEST(HtabStream, WriteRecordsCarryOneEntryEach) {
  const auto valid = encode_htab_write(77, Hpte{0x1122334455667701ull, 0x8899aabbccddeeffull});
  std::vector<std::byte> expected;
  put_header(expected, 77, 1, 0);
  put_big_endian(expected, 0x1122334455667701ull);
  put_big_endian(expected, 0x8899aabbccddeeffull);
  EXPECT_EQ(valid, expected);

  const auto invalid = encode_htab_write(78, Hpte{0x1122334455667700ull, 5});
  expected.clear();
  put_header(expected, 78, 0, 1);
  EXPECT_EQ(invalid, expected);
}

}  // namespace
