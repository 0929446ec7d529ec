// The snapshot file format (snapshot_file.hpp): a round trip keeps the
// header and every byte of RAM, zero pages cost nothing, and a file from
// another version, a truncated one or one with a flipped byte is refused
// with an error that names the file, never loaded.
#include "snapshot_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace mosaic::core {
namespace {

using ::testing::HasSubstr;

class SnapshotFileTest : public ::testing::Test {
 protected:
  SnapshotFileTest() {
    // A few pages of noise among zero pages, and a last page that is short
    // of 4 KiB (RAM need not be a whole number of pages).
    std::mt19937_64 random(42);
    for (std::size_t at : {0x0ul, 0x5000ul, 0x5800ul, 0x3f000ul, kRamBytes - 100}) {
      for (std::size_t i = 0; i < 64 && at + i < kRamBytes; ++i) ram[at + i] = std::byte(random());
    }
    header = {"pseries", kRamBytes, 2, "machine: {type: pseries}\n", {std::byte{1}, std::byte{2}, std::byte{3}}};
  }

  std::vector<char> file_bytes() {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void put_file_bytes(const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // The error reading and loading `path` gives (empty: none).
  std::string load_error() {
    std::vector<std::byte> target(kRamBytes, std::byte{0x77});
    GuestMemory memory(target.data(), target.size());
    try {
      SnapshotFile file(path);
      file.load_ram(memory);
    } catch (const SnapshotError& error) {
      return error.what();
    }
    return "";
  }

  static constexpr std::size_t kRamBytes = 0x40000 + 3000;
  std::vector<std::byte> ram = std::vector<std::byte>(kRamBytes);
  GuestMemory memory{ram.data(), ram.size()};
  SnapshotHeader header;
  // One file per test: ctest runs them in parallel processes.
  std::string path = ::testing::TempDir() + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".snap";
};

TEST_F(SnapshotFileTest, ARoundTripKeepsTheHeaderAndEveryByteOfRam) {
  write_snapshot(path, header, memory);
  std::vector<std::byte> restored(kRamBytes, std::byte{0x77});  // what a build may have left there
  GuestMemory target(restored.data(), restored.size());
  SnapshotFile file(path);
  EXPECT_EQ(file.header().machine, "pseries");
  EXPECT_EQ(file.header().memory_bytes, kRamBytes);
  EXPECT_EQ(file.header().cpus, 2u);
  EXPECT_EQ(file.header().config, header.config);
  EXPECT_EQ(file.header().machine_state, header.machine_state);
  file.load_ram(target);
  EXPECT_TRUE(restored == ram);
}

TEST_F(SnapshotFileTest, ZeroPagesAreSkipped) {
  write_snapshot(path, header, memory);
  const std::size_t with_noise = file_bytes().size();
  std::fill(ram.begin(), ram.end(), std::byte{0});
  write_snapshot(path, header, memory);
  EXPECT_LT(file_bytes().size(), 200u);  // the header and a bitmap of zeros
  EXPECT_LT(file_bytes().size(), with_noise);
}

TEST_F(SnapshotFileTest, AnotherFormatVersionIsRefusedByNumber) {
  write_snapshot(path, header, memory);
  auto bytes = file_bytes();
  bytes[16] = 2;  // the version follows the 16-byte magic
  put_file_bytes(bytes);
  EXPECT_THAT(load_error(), HasSubstr("snapshot format version 2; this mosaic reads version 1"));
  bytes[0] = 'X';
  put_file_bytes(bytes);
  EXPECT_THAT(load_error(), HasSubstr("not a Mosaic snapshot"));
}

TEST_F(SnapshotFileTest, ATruncatedFileIsRefusedWhereverItEnds) {
  write_snapshot(path, header, memory);
  const auto bytes = file_bytes();
  for (std::size_t length : {std::size_t{10}, std::size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    put_file_bytes({bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length)});
    EXPECT_THAT(load_error(), ::testing::AnyOf(HasSubstr("truncated"), HasSubstr("not a Mosaic snapshot")))
        << length << " bytes";
  }
}

TEST_F(SnapshotFileTest, AFlippedByteAnywhereAfterTheFixedHeaderIsRefused) {
  write_snapshot(path, header, memory);
  const auto bytes = file_bytes();
  for (std::size_t at = 28; at < bytes.size(); at += 7) {
    auto damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    put_file_bytes(damaged);
    EXPECT_THAT(load_error(), ::testing::AnyOf(HasSubstr("damaged"), HasSubstr("truncated"))) << "byte " << at;
  }
}

TEST_F(SnapshotFileTest, BytesAfterTheRamAreRefused) {
  write_snapshot(path, header, memory);
  auto bytes = file_bytes();
  bytes.push_back('!');
  put_file_bytes(bytes);
  EXPECT_THAT(load_error(), HasSubstr("damaged"));
}

TEST_F(SnapshotFileTest, RamOfAnotherSizeIsRefused) {
  write_snapshot(path, header, memory);
  SnapshotFile file(path);
  std::vector<std::byte> smaller(kRamBytes - 4096);
  GuestMemory target(smaller.data(), smaller.size());
  EXPECT_THROW(file.load_ram(target), SnapshotError);
}

}  // namespace
}  // namespace mosaic::core
