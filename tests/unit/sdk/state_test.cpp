// StateWriter and StateReader: fields read back as written, in order, and a
// reader given damaged bytes throws StateError instead of reading past them.
#include <gtest/gtest.h>

#include "mosaic/state.hpp"

namespace mosaic {
namespace {

TEST(StateTest, FieldsReadBackInOrder) {
  StateWriter out;
  out.tag("section");
  out.u8(0xab);
  out.u16(0x1234);
  out.u32(0xdeadbeef);
  out.u64(0x0123456789abcdefull);
  out.boolean(true);
  out.string("text");
  const std::byte raw[] = {std::byte{9}, std::byte{8}};
  out.bytes(raw);
  const auto data = out.take();
  EXPECT_EQ(data[8 + 7 + 1], std::byte{0x34});  // little-endian: the low byte of u16 first
  StateReader in(data);
  in.expect_tag("section");
  EXPECT_EQ(in.u8(), 0xab);
  EXPECT_EQ(in.u16(), 0x1234);
  EXPECT_EQ(in.u32(), 0xdeadbeefu);
  EXPECT_EQ(in.u64(), 0x0123456789abcdefull);
  EXPECT_TRUE(in.boolean());
  EXPECT_EQ(in.string(), "text");
  const auto bytes = in.bytes();
  ASSERT_EQ(bytes.size(), 2u);
  EXPECT_EQ(bytes[1], std::byte{8});
  EXPECT_NO_THROW(in.expect_end());
}

TEST(StateTest, DamageIsAnErrorNotARead) {
  StateWriter out;
  out.tag("xics");
  out.u64(1000);  // a count that the bytes left cannot hold
  out.u8(2);      // not a flag
  const auto data = out.take();
  StateReader wrong_tag(data);
  EXPECT_THROW(wrong_tag.expect_tag("hpt"), StateError);
  StateReader in(data);
  in.expect_tag("xics");
  EXPECT_THROW(in.count(8), StateError);
  EXPECT_THROW(in.boolean(), StateError);
  EXPECT_THROW(in.u32(), StateError);  // nothing left
  StateReader truncated(std::span<const std::byte>(data).first(6));
  EXPECT_THROW(truncated.string(), StateError);  // its length runs past the end
  StateReader left_over(data);
  EXPECT_THROW(left_over.expect_end(), StateError);
}

}  // namespace
}  // namespace mosaic
