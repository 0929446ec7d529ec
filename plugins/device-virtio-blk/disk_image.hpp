// The host file behind a virtio-blk disk: opened once, locked against a
// second VMM, and accessed with positioned I/O so that several requests can
// be in flight from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "mosaic/options.hpp"

namespace mosaic::virtio_blk {

inline constexpr std::uint64_t kSectorSize = 512;

class DiskImage {
 public:
  // Opens the file that `image` (an options key) names, read-write unless
  // `read_only`. Throws ConfigError naming the key when the file is missing,
  // its size is not a multiple of 512 bytes, it cannot be opened as asked
  // (a read-only file asked for read-write), or another process holds a
  // conflicting lock: an open file description (OFD) lock, exclusive for
  // read-write and shared for read-only, as QEMU takes, so that two VMs
  // cannot write one image and a writer excludes readers.
  DiskImage(const OptionNode& image, bool read_only);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  bool read_only() const { return read_only_; }

  // Each returns 0 or an errno value. Short transfers are retried until done
  // or an error; offsets past the end are the caller's to refuse.
  int read(std::uint64_t offset, std::span<std::byte> out) const;
  int write(std::uint64_t offset, std::span<const std::byte> in) const;
  // Makes every completed write durable (fdatasync).
  int flush() const;
  // Discard: punches a hole where the host file system can; a file system
  // that cannot is not an error, since discard is only a hint.
  int discard(std::uint64_t offset, std::uint64_t length) const;
  // The range reads as zeroes afterwards: a punched hole when `may_unmap`
  // and the file system supports it, else zeroes written out.
  int write_zeroes(std::uint64_t offset, std::uint64_t length, bool may_unmap) const;

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  bool read_only_ = false;
};

}  // namespace mosaic::virtio_blk
