// Feeds arbitrary bytes to the HPT stream decoder as a sequence of reads. The
// decoder must never write outside the caller's buffer or read past a read.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "htab_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 6) return 0;
  std::uint32_t first_index;
  std::memcpy(&first_index, data, 4);
  const std::size_t wanted = data[4] % 64;
  const std::size_t read_length = 1 + data[5];
  data += 6;
  size -= 6;
  // Guard entries on both sides catch any write outside the request.
  const mosaic::ppc::Hpte guard{0x5a5a5a5a5a5a5a5aull, 0xa5a5a5a5a5a5a5a5ull};
  std::vector<mosaic::ppc::Hpte> buffer(wanted + 2, guard);
  mosaic::kvm::HtabReadDecoder decoder(first_index, std::span(buffer).subspan(1, wanted));
  for (std::size_t offset = 0; offset < size; offset += read_length) {
    // Each read gets its own heap copy so that ASan sees any over-read.
    std::vector<std::byte> chunk(std::min(read_length, size - offset));
    std::memcpy(chunk.data(), data + offset, chunk.size());
    if (decoder.feed(chunk) != mosaic::kvm::HtabReadDecoder::Status::need_more) break;
  }
  if (decoder.filled() > wanted || !(buffer.front() == guard) || !(buffer.back() == guard)) std::abort();
  return 0;
}
