#include "virtio_blk.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace mosaic::virtio_blk {

namespace {

constexpr std::uint64_t kHeaderBytes = 16;

std::uint32_t le32(const std::byte* p) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = value << 8 | std::to_integer<std::uint32_t>(p[i]);
  return value;
}
std::uint64_t le64(const std::byte* p) { return le32(p) | std::uint64_t{le32(p + 4)} << 32; }

}  // namespace

BlockDevice::BlockDevice(std::unique_ptr<DiskImage> image, std::string serial, std::shared_ptr<spdlog::logger> log)
    : image_(std::move(image)), serial_(std::move(serial)), log_(std::move(log)), thread_([this] { io_thread(); }) {}

BlockDevice::~BlockDevice() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t BlockDevice::device_features() const {
  std::uint64_t features = blk_feature::kSegMax | blk_feature::kBlockSize | blk_feature::kFlush;
  if (image_->read_only()) return features | blk_feature::kReadOnly;
  return features | blk_feature::kDiscard | blk_feature::kWriteZeroes;
}

void BlockDevice::read_config(std::uint32_t offset, std::span<std::byte> out) {
  // 5.2.4 struct virtio_blk_config, little-endian.
  std::array<std::byte, 60> config{};
  auto put = [&](std::size_t at, unsigned size, std::uint64_t value) {
    for (unsigned i = 0; i < size; ++i) config[at + i] = static_cast<std::byte>(value >> (8 * i));
  };
  put(0, 8, image_->size() / kSectorSize);  // capacity
  put(12, 4, kQueueSize - 2);                // seg_max: the header and status take two descriptors
  put(20, 4, kSectorSize);                   // blk_size
  put(36, 4, kMaxSegmentSectors);            // max_discard_sectors
  put(40, 4, kMaxSegments);                  // max_discard_seg
  put(44, 4, 1);                             // discard_sector_alignment
  put(48, 4, kMaxSegmentSectors);            // max_write_zeroes_sectors
  put(52, 4, kMaxSegments);                  // max_write_zeroes_seg
  put(56, 1, 1);                             // write_zeroes_may_unmap
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = offset + i < config.size() ? config[offset + i] : std::byte{0};
}

void BlockDevice::activate(std::uint64_t, virtio::Queues& queues) {
  std::lock_guard lock(mutex_);
  queues_ = &queues;
}

void BlockDevice::queue_notified(unsigned queue) {
  if (queue != 0) return;
  {
    std::lock_guard lock(mutex_);
    kicked_ = true;
  }
  wake_.notify_one();
}

void BlockDevice::reset() {
  std::unique_lock lock(mutex_);
  queues_ = nullptr;
  kicked_ = false;
  // The I/O thread may be in the middle of a request: the transport frees
  // the queue when this returns.
  idle_.wait(lock, [this] { return !busy_; });
}

void BlockDevice::io_thread() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || (kicked_ && queues_ != nullptr); });
    if (stopping_) return;
    kicked_ = false;
    busy_ = true;
    virtio::Queues* queues = queues_;
    lock.unlock();
    while (auto chain = queues->pop(0)) queues->complete(0, *chain, handle(*chain));
    lock.lock();
    busy_ = false;
    idle_.notify_all();
  }
}

std::uint32_t BlockDevice::handle(const virtio::Chain& chain) {
  // 5.2.6: a 16-byte header (type, reserved, sector) in readable buffers,
  // data, and a status byte as the last writable byte.
  if (chain.writable_bytes == 0) return 0;  // nowhere to put a status: the driver broke the protocol
  std::array<std::byte, kHeaderBytes> header{};
  std::uint8_t status = request::kStatusIoError;
  std::uint64_t data_written = 0;
  if (chain.read(0, header) == kHeaderBytes) {
    const std::uint32_t type = le32(header.data());
    const std::uint64_t sector = le64(header.data() + 8);
    switch (type) {
      case request::kIn:
        status = transfer(type, sector, chain, chain.writable_bytes - 1);
        if (status == request::kStatusOk) data_written = chain.writable_bytes - 1;
        break;
      case request::kOut: status = transfer(type, sector, chain, chain.readable_bytes - kHeaderBytes); break;
      case request::kFlush: status = io_status(image_->flush(), "flush", 0); break;
      case request::kGetId: {
        std::array<std::byte, kSerialBytes> id{};
        std::memcpy(id.data(), serial_.data(), std::min(serial_.size(), kSerialBytes));
        const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(kSerialBytes, chain.writable_bytes - 1));
        data_written = chain.write(0, std::span(id).first(count));
        status = request::kStatusOk;
        break;
      }
      case request::kDiscard:
      case request::kWriteZeroes: status = discard_or_zero(type, chain); break;
      default: status = request::kStatusUnsupported; break;
    }
  }
  const std::byte status_byte{status};
  chain.write(chain.writable_bytes - 1, std::span(&status_byte, 1));
  return static_cast<std::uint32_t>(data_written + 1);
}

std::uint8_t BlockDevice::transfer(std::uint32_t type, std::uint64_t sector, const virtio::Chain& chain,
                                   std::uint64_t data_bytes) {
  const bool write = type == request::kOut;
  const std::uint64_t sectors = image_->size() / kSectorSize;
  if (data_bytes % kSectorSize != 0 || sector > sectors || data_bytes / kSectorSize > sectors - sector) {
    log_->warn("{} of {} bytes at sector {} is outside the {}-sector disk or not whole sectors; I/O error",
               write ? "write" : "read", data_bytes, sector, sectors);
    return request::kStatusIoError;
  }
  if (write && image_->read_only()) return request::kStatusIoError;
  // Straight between the image and the guest's buffers: the readable data
  // follows the header, the writable data precedes the status byte.
  std::uint64_t offset = sector * kSectorSize;
  std::uint64_t skip = write ? kHeaderBytes : 0;
  std::uint64_t left = data_bytes;
  for (const auto& buffer : write ? chain.readable : chain.writable) {
    if (left == 0) break;
    if (skip >= buffer.size()) {
      skip -= buffer.size();
      continue;
    }
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size() - skip, left));
    const auto piece = buffer.subspan(static_cast<std::size_t>(skip), count);
    const int error = write ? image_->write(offset, piece) : image_->read(offset, piece);
    if (error != 0) return io_status(error, write ? "write" : "read", offset / kSectorSize);
    offset += count;
    left -= count;
    skip = 0;
  }
  return request::kStatusOk;
}

std::uint8_t BlockDevice::discard_or_zero(std::uint32_t type, const virtio::Chain& chain) {
  if (image_->read_only()) return request::kStatusIoError;
  // 5.2.6: an array of {le64 sector, le32 num_sectors, le32 flags} after the header.
  const std::uint64_t bytes = chain.readable_bytes - kHeaderBytes;
  if (bytes == 0 || bytes % 16 != 0 || bytes / 16 > kMaxSegments) return request::kStatusUnsupported;
  const std::uint64_t sectors = image_->size() / kSectorSize;
  for (std::uint64_t at = kHeaderBytes; at < chain.readable_bytes; at += 16) {
    std::array<std::byte, 16> segment{};
    chain.read(at, segment);
    const std::uint64_t first = le64(segment.data());
    const std::uint32_t count = le32(segment.data() + 8);
    const std::uint32_t flags = le32(segment.data() + 12);
    // Only the unmap flag is defined, and only for write-zeroes.
    if ((flags & ~1u) != 0 || (type == request::kDiscard && flags != 0)) return request::kStatusUnsupported;
    if (count > kMaxSegmentSectors || first > sectors || count > sectors - first) return request::kStatusIoError;
    const int error = type == request::kDiscard
                          ? image_->discard(first * kSectorSize, std::uint64_t{count} * kSectorSize)
                          : image_->write_zeroes(first * kSectorSize, std::uint64_t{count} * kSectorSize, flags & 1);
    if (error != 0) return io_status(error, type == request::kDiscard ? "discard" : "write-zeroes", first);
  }
  return request::kStatusOk;
}

std::uint8_t BlockDevice::io_status(int error, const char* what, std::uint64_t sector) {
  if (error == 0) return request::kStatusOk;
  log_->error("{}: {} at sector {} failed: {}; the guest gets an I/O error", image_->path(), what, sector,
              std::strerror(error));
  return request::kStatusIoError;
}

}  // namespace mosaic::virtio_blk
