// DiskImage: the config errors a user sees, the OFD locks that keep two VMMs
// off one image, and the I/O primitives the requests map to.
#include "disk_image.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace mosaic::virtio_blk {
namespace {

class DiskImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mosaic-blk-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    config_ = std::make_shared<ConfigSource>(ConfigSource{directory_ / "vm.yaml", {}});
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // The `image` key of a device entry, as the factory sees it.
  OptionNode image_key(const std::string& image) const {
    return OptionNode(config_, YAML::Load("{type: virtio-blk, image: " + image + "}"), "devices[0]").child("image");
  }
  void make_file(const std::string& name, std::uint64_t size) const {
    std::ofstream(directory_ / name).close();
    std::filesystem::resize_file(directory_ / name, size);
  }
  std::string error_of(const std::string& image, bool read_only) const {
    try {
      DiskImage disk(image_key(image), read_only);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  }

  std::filesystem::path directory_;
  std::shared_ptr<ConfigSource> config_;
};

TEST_F(DiskImageTest, ResolvesARelativePathAgainstTheConfigFile) {
  make_file("disk.img", 1 << 20);
  DiskImage disk(image_key("disk.img"), false);
  EXPECT_EQ(disk.path(), (directory_ / "disk.img").string());
  EXPECT_EQ(disk.size(), 1u << 20);
}

TEST_F(DiskImageTest, AMissingImageIsAConfigErrorNamingTheKeyAndPath) {
  const std::string error = error_of("absent.img", false);
  EXPECT_NE(error.find("devices[0].image"), std::string::npos) << error;
  EXPECT_NE(error.find("absent.img"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(DiskImageTest, ASizeThatIsNotWholeSectorsIsRefused) {
  make_file("odd.img", 1000);
  const std::string error = error_of("odd.img", false);
  EXPECT_NE(error.find("1000 bytes"), std::string::npos) << error;
  EXPECT_NE(error.find("multiple of 512"), std::string::npos) << error;
  make_file("empty.img", 0);
  EXPECT_NE(error_of("empty.img", true).find("multiple of 512"), std::string::npos);
}

// A file this process may read but not write: mode 0444, or for root (whom
// modes do not stop) the immutable attribute, where the file system has it.
bool make_unwritable(const std::filesystem::path& path) {
  if (geteuid() != 0) {
    std::filesystem::permissions(path, std::filesystem::perms::owner_read);
    return true;
  }
  const int fd = ::open(path.c_str(), O_RDONLY);
  int flags = 0;
  const bool done = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
                    (flags |= FS_IMMUTABLE_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0);
  ::close(fd);
  return done;
}

void make_writable(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  int flags = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL) != 0) {
    flags &= ~FS_IMMUTABLE_FL;
    ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  ::close(fd);
}

TEST_F(DiskImageTest, AReadOnlyFileAskedForReadWriteSaysHowToAttachIt) {
  make_file("ro.img", 4096);
  if (!make_unwritable(directory_ / "ro.img")) GTEST_SKIP() << "cannot make a file unwritable for root here";
  const std::string error = error_of("ro.img", false);
  const std::string read_only_error = error_of("ro.img", true);
  make_writable(directory_ / "ro.img");
  EXPECT_NE(error.find("read-only: true"), std::string::npos) << error;
  EXPECT_EQ(read_only_error, "");
}

TEST_F(DiskImageTest, ASecondWriterIsRefusedWhileTheFirstHoldsTheImage) {
  make_file("disk.img", 4096);
  auto first = std::make_unique<DiskImage>(image_key("disk.img"), false);
  EXPECT_NE(error_of("disk.img", false).find("in use by another VMM"), std::string::npos);
  EXPECT_NE(error_of("disk.img", true).find("in use by another VMM"), std::string::npos);
  first.reset();  // the lock goes with the open file description
  EXPECT_EQ(error_of("disk.img", false), "");
}

TEST_F(DiskImageTest, ReadersShareAnImageButExcludeAWriter) {
  make_file("disk.img", 4096);
  DiskImage first(image_key("disk.img"), true);
  EXPECT_EQ(error_of("disk.img", true), "");
  EXPECT_NE(error_of("disk.img", false).find("in use by another VMM"), std::string::npos);
}

TEST_F(DiskImageTest, WritesReadBackAndZeroedRangesReadAsZero) {
  make_file("disk.img", 64 * 1024);
  DiskImage disk(image_key("disk.img"), false);
  std::vector<std::byte> pattern(8192);
  for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = std::byte(i * 7 + 3);
  ASSERT_EQ(disk.write(4096, pattern), 0);
  ASSERT_EQ(disk.flush(), 0);
  std::vector<std::byte> back(pattern.size());
  ASSERT_EQ(disk.read(4096, back), 0);
  EXPECT_EQ(back, pattern);

  for (const bool may_unmap : {false, true}) {
    ASSERT_EQ(disk.write(4096, pattern), 0);
    ASSERT_EQ(disk.write_zeroes(4096 + 512, 4096, may_unmap), 0);
    ASSERT_EQ(disk.read(4096, back), 0);
    for (std::size_t i = 0; i < back.size(); ++i) {
      const bool zeroed = i >= 512 && i < 512 + 4096;
      ASSERT_EQ(back[i], zeroed ? std::byte{0} : pattern[i]) << "byte " << i << ", may_unmap " << may_unmap;
    }
  }
  // A discarded range's content is undefined for the guest; the file keeps its size.
  ASSERT_EQ(disk.discard(0, 16384), 0);
  EXPECT_EQ(std::filesystem::file_size(directory_ / "disk.img"), 64u * 1024);
}

TEST_F(DiskImageTest, AReadPastTheEndOfTheFileIsAnError) {
  make_file("disk.img", 4096);
  DiskImage disk(image_key("disk.img"), true);
  std::vector<std::byte> buffer(1024);
  EXPECT_EQ(disk.read(3584, buffer), EIO);
}

}  // namespace
}  // namespace mosaic::virtio_blk
