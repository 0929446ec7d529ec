// The byte stream of KVM's HPT fd (KVM_PPC_GET_HTAB_FD), decoded and encoded
// as a pure unit so that every rule of it is tested without a POWER host.
//
// The stream is a sequence of records: an 8-byte header {u32 index; u16
// n_valid; u16 n_invalid} in host byte order, then n_valid HPTEs of 16 bytes
// each, big-endian. The n_invalid entries that follow the valid ones are not
// in the stream; they read back as zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mosaic/ppc.hpp"

namespace mosaic::kvm {

inline constexpr std::size_t kHtabHeaderBytes = 8;

// Bits the kernel keeps in the first doubleword for its own use: HVLOCK is
// always set on what a read returns; ABSENT marks entries it has paged out
// (reported as valid). Neither is part of the guest's view.
inline constexpr std::uint64_t kHpteVHvLock = 0x40;
inline constexpr std::uint64_t kHpteVAbsent = 0x20;

// Fills `out` (entries first_index .. first_index + out.size() - 1) from the
// buffers that successive read() calls return. A read may hold several
// records, and may stop before `out` is full; the caller keeps reading until
// complete(). Records that run past what was asked are clamped, and records
// after the request is filled are ignored.
class HtabReadDecoder {
 public:
  enum class Status { need_more, complete, error };

  HtabReadDecoder(std::uint64_t first_index, std::span<ppc::Hpte> out) : next_index_(first_index), out_(out) {}

  // Decodes the bytes of one read(). An empty buffer is end of stream.
  Status feed(std::span<const std::byte> bytes);
  bool complete() const { return filled_ == out_.size(); }
  std::size_t filled() const { return filled_; }
  const std::string& error() const { return error_; }

 private:
  Status fail(std::string message);

  std::uint64_t next_index_;
  std::span<ppc::Hpte> out_;
  std::size_t filled_ = 0;
  std::string error_;
};

// The bytes of a read() buffer able to hold `entries` HPTEs in one record.
// The kernel only emits an entry when one more byte than it needs remains, so
// a buffer of exactly header + n entries yields n - 1: add that byte.
inline std::size_t htab_read_buffer_size(std::size_t entries) {
  return kHtabHeaderBytes + entries * ppc::hpte::kBytes + 1;
}

// One record writing `entry` at `index`: n_valid = 1 when V is set, else
// n_invalid = 1 with no data. The kernel parses one record per write().
std::vector<std::byte> encode_htab_write(std::uint32_t index, const ppc::Hpte& entry);

}  // namespace mosaic::kvm
