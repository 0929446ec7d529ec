#include "disk_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace mosaic::virtio_blk {

namespace {

// Which process holds a lock, for the message (F_OFD_GETLK reports -1 for
// OFD locks, so only the kind of lock can be named then).
std::string describe_holder(int fd, short wanted) {
  struct flock probe {};
  probe.l_type = wanted;
  probe.l_whence = SEEK_SET;
  if (fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK && probe.l_pid > 0) {
    return fmt::format(" (process {})", probe.l_pid);
  }
  return "";
}

}  // namespace

DiskImage::DiskImage(const OptionNode& image, bool read_only) : path_(image.as_path()), read_only_(read_only) {
  fd_ = ::open(path_.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd_ < 0) {
    const int error = errno;
    if (!read_only && (error == EACCES || error == EROFS || error == EPERM) && ::access(path_.c_str(), R_OK) == 0) {
      image.fail(fmt::format("'{}' can only be read; set read-only: true to attach it read-only", path_));
    }
    image.fail(fmt::format("cannot open '{}': {}", path_, std::strerror(error)));
  }
  struct stat status {};
  if (fstat(fd_, &status) != 0 || !(S_ISREG(status.st_mode) || S_ISBLK(status.st_mode))) {
    ::close(fd_);
    image.fail(fmt::format("'{}' is not a regular file or block device", path_));
  }
  const off_t end = ::lseek(fd_, 0, SEEK_END);
  size_ = end < 0 ? 0 : static_cast<std::uint64_t>(end);
  if (size_ == 0 || size_ % kSectorSize != 0) {
    ::close(fd_);
    image.fail(fmt::format("'{}' is {} bytes, which is not a positive multiple of {}", path_, size_, kSectorSize));
  }
  struct flock lock {};
  lock.l_type = read_only ? F_RDLCK : F_WRLCK;
  lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  if (fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
    const int error = errno;
    const std::string holder = describe_holder(fd_, lock.l_type);
    ::close(fd_);
    if (error == EAGAIN || error == EACCES) {
      image.fail(fmt::format("'{}' is in use by another VMM{}: it holds a lock that {} access conflicts with",
                             path_, holder, read_only ? "read-only" : "read-write"));
    }
    image.fail(fmt::format("cannot lock '{}': {}", path_, std::strerror(error)));
  }
}

DiskImage::~DiskImage() { ::close(fd_); }  // closing the description drops its OFD lock

int DiskImage::read(std::uint64_t offset, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t count = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (count < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (count == 0) return EIO;  // the file shrank under us
    done += static_cast<std::size_t>(count);
  }
  return 0;
}

int DiskImage::write(std::uint64_t offset, std::span<const std::byte> in) const {
  std::size_t done = 0;
  while (done < in.size()) {
    const ssize_t count = ::pwrite(fd_, in.data() + done, in.size() - done, static_cast<off_t>(offset + done));
    if (count < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(count);
  }
  return 0;
}

int DiskImage::flush() const { return ::fdatasync(fd_) == 0 ? 0 : errno; }

int DiskImage::discard(std::uint64_t offset, std::uint64_t length) const {
  if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return 0;
  }
  return errno == EOPNOTSUPP ? 0 : errno;
}

int DiskImage::write_zeroes(std::uint64_t offset, std::uint64_t length, bool may_unmap) const {
  if (may_unmap && ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                               static_cast<off_t>(length)) == 0) {
    return 0;
  }
  if (::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return 0;
  }
  // Neither is supported here: write the zeroes out, a bounded chunk at a time.
  static constexpr std::uint64_t kChunk = 1 << 20;
  const std::vector<std::byte> zeroes(static_cast<std::size_t>(std::min(length, kChunk)));
  for (std::uint64_t done = 0; done < length;) {
    const std::uint64_t count = std::min(length - done, kChunk);
    if (const int error = write(offset + done, std::span(zeroes).first(static_cast<std::size_t>(count)))) return error;
    done += count;
  }
  return 0;
}

}  // namespace mosaic::virtio_blk
