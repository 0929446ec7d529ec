#include <gtest/gtest.h>

#include "rsp_framing.hpp"

namespace {

using namespace mosaic::gdb;
using Kind = RspEvent::Kind;

std::vector<RspEvent> decode(std::string_view bytes) {
  RspDecoder decoder;
  std::vector<RspEvent> events;
  decoder.feed(bytes, events);
  return events;
}

TEST(RspFraming, DecodesPacketsAcksAndInterrupts) {
  const auto events = decode("+$g#67-\x03$qC#b4");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].kind, Kind::ack);
  EXPECT_EQ(events[1].kind, Kind::packet);
  EXPECT_EQ(events[1].payload, "g");
  EXPECT_EQ(events[2].kind, Kind::nack);
  EXPECT_EQ(events[3].kind, Kind::interrupt);
  EXPECT_EQ(events[4].payload, "qC");
}

TEST(RspFraming, PacketsSplitAcrossReadsAreReassembled) {
  RspDecoder decoder;
  std::vector<RspEvent> events;
  for (char c : std::string("$m1000,4#8e")) decoder.feed(std::string_view(&c, 1), events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, "m1000,4");
}

TEST(RspFraming, BadChecksumsAndBadChecksumDigitsAreReported) {
  auto events = decode("$g#00");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::bad_checksum);
  events = decode("$g#zz$g#67");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::bad_checksum);
  EXPECT_EQ(events[1].kind, Kind::packet);  // the decoder recovers
}

TEST(RspFraming, OverlongPacketsAreDroppedWithoutGrowingWithoutBound) {
  std::string huge = "$" + std::string(kMaxPacketSize + 100, 'a') + "#00";
  const auto events = decode(huge + "$g#67");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::overlong);
  EXPECT_EQ(events[1].payload, "g");
}

TEST(RspFraming, EscapesRoundTrip) {
  const std::string payload = std::string("X0,4:") + "$#}*" + '\0';
  const auto packet = encode_packet(payload);
  EXPECT_EQ(packet.find('$', 1), std::string::npos);
  const auto events = decode(packet);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].kind, Kind::packet);
  EXPECT_EQ(events[0].payload, payload);
}

TEST(RspFraming, EncodesWithTheModulo256Checksum) {
  EXPECT_EQ(encode_packet("OK"), "$OK#9a");
  EXPECT_EQ(encode_packet(""), "$#00");
}

TEST(RspHex, ConvertsAndRejectsInvalidDigits) {
  EXPECT_EQ(to_hex(std::string("\x01\xab", 2)), "01ab");
  EXPECT_EQ(from_hex("01AB"), std::string("\x01\xab", 2));
  EXPECT_FALSE(from_hex("0"));
  EXPECT_FALSE(from_hex("0g"));
  EXPECT_EQ(parse_hex_number("c000000000001234"), 0xc000000000001234u);
  EXPECT_FALSE(parse_hex_number("1c000000000001234"));  // 17 digits
  EXPECT_FALSE(parse_hex_number(""));
  EXPECT_FALSE(parse_hex_number("12x"));
}

}  // namespace
