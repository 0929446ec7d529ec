#include "rsp_framing.hpp"

namespace mosaic::gdb {
namespace {

std::optional<unsigned> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
  return std::nullopt;
}

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

void RspDecoder::feed(std::string_view bytes, std::vector<RspEvent>& events) {
  for (const char c : bytes) {
    const auto byte = static_cast<std::uint8_t>(c);
    switch (state_) {
      case State::idle:
        // Anything else between packets (stray acks in no-ack mode, noise)
        // is skipped, as gdbserver does.
        if (c == '$') {
          state_ = State::payload;
          payload_.clear();
          running_sum_ = 0;
          overlong_ = false;
        } else if (c == '+') {
          events.push_back({RspEvent::Kind::ack, {}});
        } else if (c == '-') {
          events.push_back({RspEvent::Kind::nack, {}});
        } else if (byte == 0x03) {
          events.push_back({RspEvent::Kind::interrupt, {}});
        }
        break;
      case State::payload:
      case State::escape:
        if (c == '#') {
          state_ = State::checksum_high;
          break;
        }
        running_sum_ = static_cast<std::uint8_t>(running_sum_ + byte);
        if (state_ == State::payload && c == '}') {
          state_ = State::escape;
          break;
        }
        if (payload_.size() < kMaxPacketSize) {
          payload_.push_back(state_ == State::escape ? static_cast<char>(byte ^ 0x20) : c);
        } else {
          overlong_ = true;
        }
        state_ = State::payload;
        break;
      case State::checksum_high:
      case State::checksum_low: {
        const auto digit = hex_digit(c);
        if (!digit) {
          events.push_back({RspEvent::Kind::bad_checksum, {}});
          state_ = State::idle;
          break;
        }
        if (state_ == State::checksum_high) {
          received_sum_ = static_cast<std::uint8_t>(*digit << 4);
          state_ = State::checksum_low;
        } else {
          received_sum_ = static_cast<std::uint8_t>(received_sum_ | *digit);
          finish(events);
        }
        break;
      }
    }
  }
}

void RspDecoder::finish(std::vector<RspEvent>& events) {
  state_ = State::idle;
  if (overlong_) {
    events.push_back({RspEvent::Kind::overlong, {}});
  } else if (received_sum_ != running_sum_) {
    events.push_back({RspEvent::Kind::bad_checksum, {}});
  } else {
    events.push_back({RspEvent::Kind::packet, std::move(payload_)});
  }
  payload_.clear();
}

std::string encode_packet(std::string_view payload) {
  std::string packet = "$";
  std::uint8_t sum = 0;
  for (const char c : payload) {
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      packet.push_back('}');
      sum = static_cast<std::uint8_t>(sum + '}');
      const char escaped = static_cast<char>(c ^ 0x20);
      packet.push_back(escaped);
      sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(escaped));
    } else {
      packet.push_back(c);
      sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(c));
    }
  }
  packet.push_back('#');
  packet.push_back(kHexDigits[sum >> 4]);
  packet.push_back(kHexDigits[sum & 0xf]);
  return packet;
}

std::string to_hex(std::string_view bytes) {
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<std::uint8_t>(c);
    hex.push_back(kHexDigits[byte >> 4]);
    hex.push_back(kHexDigits[byte & 0xf]);
  }
  return hex;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const auto high = hex_digit(hex[i]);
    const auto low = hex_digit(hex[i + 1]);
    if (!high || !low) return std::nullopt;
    bytes.push_back(static_cast<char>((*high << 4) | *low));
  }
  return bytes;
}

std::optional<std::uint64_t> parse_hex_number(std::string_view hex) {
  if (hex.empty() || hex.size() > 16) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : hex) {
    const auto digit = hex_digit(c);
    if (!digit) return std::nullopt;
    value = (value << 4) | *digit;
  }
  return value;
}

}  // namespace mosaic::gdb
