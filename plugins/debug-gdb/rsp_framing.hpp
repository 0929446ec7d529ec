// GDB Remote Serial Protocol framing: turns the bytes of a TCP stream into
// packets, acks and interrupts, and packets into bytes. Pure and bounded, so
// nothing a client sends can make it allocate without limit or crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic::gdb {

// The largest packet we accept; also what qSupported advertises.
inline constexpr std::size_t kMaxPacketSize = 16384;

struct RspEvent {
  enum class Kind {
    packet,          // a well-formed packet: `payload` holds it, unescaped
    ack,             // '+'
    nack,            // '-': the client wants the last reply again
    interrupt,       // 0x03 outside a packet: stop the target
    bad_checksum,    // reply '-' so the client resends
    overlong,        // dropped: larger than kMaxPacketSize
  };
  Kind kind = Kind::packet;
  std::string payload;
};

class RspDecoder {
 public:
  // Consumes `bytes`, appending every complete event to `events`.
  void feed(std::string_view bytes, std::vector<RspEvent>& events);

 private:
  enum class State { idle, payload, escape, checksum_high, checksum_low };
  void finish(std::vector<RspEvent>& events);

  State state_ = State::idle;
  std::string payload_;
  std::uint8_t running_sum_ = 0;
  std::uint8_t received_sum_ = 0;
  bool overlong_ = false;
};

// `$payload#xx` with '$', '#', '}' and '*' escaped.
std::string encode_packet(std::string_view payload);

std::string to_hex(std::string_view bytes);
// Decodes pairs of hex digits; nullopt on an odd length or a non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);
// A hexadecimal number of at most 16 digits; nullopt otherwise.
std::optional<std::uint64_t> parse_hex_number(std::string_view hex);

}  // namespace mosaic::gdb
