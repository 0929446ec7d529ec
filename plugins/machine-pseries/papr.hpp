// PAPR constants shared by the pseries machine's hypercall handlers: return
// codes and hypercall numbers as LoPAPR and Linux's asm/hvcall.h define them.
#pragma once

#include <cstdint>

namespace mosaic::pseries::papr {

inline constexpr std::int64_t kSuccess = 0;
inline constexpr std::int64_t kHardware = -1;
inline constexpr std::int64_t kFunction = -2;
inline constexpr std::int64_t kPrivilege = -3;
inline constexpr std::int64_t kParameter = -4;
inline constexpr std::int64_t kBadMode = -5;
inline constexpr std::int64_t kPtegFull = -6;
inline constexpr std::int64_t kNotFound = -7;

inline constexpr std::uint64_t kRemove = 0x04;
inline constexpr std::uint64_t kEnter = 0x08;
inline constexpr std::uint64_t kRead = 0x0c;
inline constexpr std::uint64_t kClearMod = 0x10;
inline constexpr std::uint64_t kClearRef = 0x14;
inline constexpr std::uint64_t kProtect = 0x18;
inline constexpr std::uint64_t kBulkRemove = 0x124;

// Flag bits in r4, numbered from the most significant bit as PAPR does.
constexpr std::uint64_t flag_bit(unsigned papr_bit) { return std::uint64_t{1} << (63 - papr_bit); }
inline constexpr std::uint64_t kExact = flag_bit(24);
inline constexpr std::uint64_t kRead4 = flag_bit(26);
inline constexpr std::uint64_t kAvpn = flag_bit(32);
inline constexpr std::uint64_t kAndCond = flag_bit(33);

}  // namespace mosaic::pseries::papr
