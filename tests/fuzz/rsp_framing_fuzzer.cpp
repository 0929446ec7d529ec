// Arbitrary client bytes through the RSP decoder, fed in pieces of varying
// size: it must never crash, and every packet it yields must be bounded and
// survive a re-encode/decode round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "rsp_framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 32;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  mosaic::gdb::RspDecoder decoder;
  std::vector<mosaic::gdb::RspEvent> events;
  for (std::size_t offset = 0; offset < bytes.size(); offset += piece) decoder.feed(bytes.substr(offset, piece), events);
  for (const auto& event : events) {
    if (event.payload.size() > mosaic::gdb::kMaxPacketSize) std::abort();
    if (event.kind != mosaic::gdb::RspEvent::Kind::packet) continue;
    mosaic::gdb::RspDecoder again;
    std::vector<mosaic::gdb::RspEvent> round_trip;
    again.feed(mosaic::gdb::encode_packet(event.payload), round_trip);
    if (round_trip.size() != 1 || round_trip[0].payload != event.payload) std::abort();
  }
  return 0;
}
