#include "htab_stream.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace mosaic::kvm {
namespace {

struct Header {
  std::uint32_t index;
  std::uint16_t n_valid;
  std::uint16_t n_invalid;
};
static_assert(sizeof(Header) == kHtabHeaderBytes);

std::uint64_t load_big_endian(const std::byte* bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[i]);
  return value;
}

void store_big_endian(std::uint64_t value, std::byte* bytes) {
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<std::byte>(value & 0xff);
}

}  // namespace

HtabReadDecoder::Status HtabReadDecoder::fail(std::string message) {
  error_ = std::move(message);
  return Status::error;
}

HtabReadDecoder::Status HtabReadDecoder::feed(std::span<const std::byte> bytes) {
  if (!error_.empty()) return Status::error;
  if (bytes.empty()) {
    if (complete()) return Status::complete;
    return fail(fmt::format("HPT stream ended at entry {} with {} of {} entries read", next_index_, filled_,
                            out_.size()));
  }
  std::size_t offset = 0;
  // Once the request is filled, later records in the same read are entries
  // past it (the kernel fills the buffer as far as it can): not ours.
  while (offset < bytes.size() && !complete()) {
    if (bytes.size() - offset < kHtabHeaderBytes) {
      return fail(fmt::format("HPT stream: truncated header at byte {}", offset));
    }
    Header header;
    std::memcpy(&header, bytes.data() + offset, sizeof header);
    offset += sizeof header;
    const std::size_t data_bytes = std::size_t{header.n_valid} * ppc::hpte::kBytes;
    if (bytes.size() - offset < data_bytes) {
      return fail(fmt::format("HPT stream: record at entry {} announces {} valid entries but holds {} bytes",
                              header.index, header.n_valid, bytes.size() - offset));
    }
    if (header.n_valid == 0 && header.n_invalid == 0) {
      return fail(fmt::format("HPT stream: empty record at entry {}", header.index));
    }
    if (header.index != next_index_) {
      return fail(fmt::format("HPT stream: record for entry {} where entry {} was expected", header.index,
                              next_index_));
    }
    const std::byte* data = bytes.data() + offset;
    offset += data_bytes;
    // Runs continue up to the next valid entry or the table's end, so they
    // may extend past what was asked: keep only the requested part.
    const std::size_t valid = std::min<std::size_t>(header.n_valid, out_.size() - filled_);
    for (std::size_t i = 0; i < valid; ++i) {
      const std::uint64_t v = load_big_endian(data + i * ppc::hpte::kBytes);
      const std::uint64_t r = load_big_endian(data + i * ppc::hpte::kBytes + 8);
      out_[filled_++] = ppc::Hpte{v & ~(kHpteVHvLock | kHpteVAbsent), r};
    }
    const std::size_t invalid = std::min<std::size_t>(header.n_invalid, out_.size() - filled_);
    std::fill_n(out_.begin() + static_cast<std::ptrdiff_t>(filled_), invalid, ppc::Hpte{});
    filled_ += invalid;
    next_index_ += valid + invalid;
  }
  return complete() ? Status::complete : Status::need_more;
}

std::vector<std::byte> encode_htab_write(std::uint32_t index, const ppc::Hpte& entry) {
  const bool valid = (entry.v & ppc::hpte::kValid) != 0;
  const Header header{index, static_cast<std::uint16_t>(valid ? 1 : 0), static_cast<std::uint16_t>(valid ? 0 : 1)};
  std::vector<std::byte> record(kHtabHeaderBytes + (valid ? ppc::hpte::kBytes : 0));
  std::memcpy(record.data(), &header, sizeof header);
  if (valid) {
    store_big_endian(entry.v, record.data() + kHtabHeaderBytes);
    store_big_endian(entry.r, record.data() + kHtabHeaderBytes + 8);
  }
  return record;
}

}  // namespace mosaic::kvm
