// Fixed-point and floating-point loads and stores, load-and-reserve /
// store-conditional, and the cache management instructions (Power ISA 2.07
// Book I 3.3.1 - 3.3.7 and 4.6, Book II 1.7 and 4.3).
//
// Every handler performs all of its memory accesses before it writes any
// register: a failed access returns cpu.aborted() and the instruction is
// replayed from scratch (after an interrupt or a completed MMIO access).
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "cpu.hpp"
#include "float_format.hpp"
#include "insn_common.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;
using u16 = std::uint16_t;
using u8 = std::uint8_t;

// Reservations cover a POWER8 cache line (Book II 1.7.3.1).
constexpr u64 kReservationGranule = 128;
// dcbz clears one data cache block: 128 bytes on POWER8.
constexpr u64 kCacheBlockBytes = 128;

enum class Addressing { displacement, indexed };
// What (RA|0) is: tested at run time, or known at decode time (by_ra_zero).
enum class Base { ra_or_zero, ra, zero };

// EA = (RA|0) + D or (RA|0) + RB; update forms use RA itself. In 32-bit
// mode the high word of the EA is zero, also in the RA an update writes.
template <Addressing Mode, bool Update, Base From = Base::ra_or_zero>
u64 effective_address(const Cpu& cpu, const DecodedInsn& insn) {
  const u64 base = Update || From == Base::ra ? cpu.state.gpr[insn.ra]
                   : From == Base::zero      ? 0
                                             : ra_or_zero(cpu, insn);
  const u64 offset = Mode == Addressing::displacement ? static_cast<u64>(insn.imm) : cpu.state.gpr[insn.rb];
  return (base + offset) & cpu.address_mask();
}

Flow alignment_interrupt(Cpu& cpu, u64 ea) {
  cpu.state.dar = ea;
  return cpu.interrupt(Vector::alignment, cpu.state.nip);
}

template <class T, bool SignExtend>
u64 extend(T value) {
  if constexpr (SignExtend) {
    return static_cast<u64>(static_cast<std::int64_t>(static_cast<std::make_signed_t<T>>(value)));
  } else {
    return value;
  }
}

// --- Fixed-point loads and stores (Book I 3.3.2 - 3.3.5). ---

// Update loads with RA=0 or RA=RT, and update stores with RA=0, are
// invalid forms (Book I 3.3.2).
template <bool Update>
bool invalid_load_form(const DecodedInsn& insn) {
  return Update && (insn.ra == 0 || insn.ra == insn.rt);
}
template <bool Update>
bool invalid_store_form(const DecodedInsn& insn) {
  return Update && insn.ra == 0;
}

template <class T, bool SignExtend, bool Update>
void write_loaded(Cpu& cpu, const DecodedInsn& insn, u64 ea, T value) {
  cpu.state.gpr[insn.rt] = extend<T, SignExtend>(value);
  if (Update) cpu.state.gpr[insn.ra] = ea;
}

template <class T, bool SignExtend, Addressing Mode, bool Update, bool Reversed = false, Base From = Base::ra_or_zero>
Flow load(Cpu& cpu, const DecodedInsn& insn) {
  if (invalid_load_form<Update>(insn)) return cpu.illegal_instruction();
  const u64 ea = effective_address<Mode, Update, From>(cpu, insn);
  T value{};
  if (!cpu.load(ea, value, Reversed)) return cpu.aborted();
  write_loaded<T, SignExtend, Update>(cpu, insn, ea, value);
  return Flow::next;
}

// The same, done only if it hits in the soft TLB (see chained_access).
template <class T, bool SignExtend, Addressing Mode, bool Update, bool Reversed, Base From>
bool load_on_tlb_hit(Cpu& cpu, const DecodedInsn& insn) {
  if (invalid_load_form<Update>(insn)) return false;
  const u64 ea = effective_address<Mode, Update, From>(cpu, insn);
  T value{};
  if (!cpu.load_from_tlb(ea, value, Reversed)) return false;
  write_loaded<T, SignExtend, Update>(cpu, insn, ea, value);
  return true;
}

template <class T, Addressing Mode, bool Update, bool Reversed = false, Base From = Base::ra_or_zero>
Flow store(Cpu& cpu, const DecodedInsn& insn) {
  if (invalid_store_form<Update>(insn)) return cpu.illegal_instruction();
  const u64 ea = effective_address<Mode, Update, From>(cpu, insn);
  if (!cpu.store(ea, static_cast<T>(cpu.state.gpr[insn.rt]), Reversed)) return cpu.aborted();
  if (Update) cpu.state.gpr[insn.ra] = ea;
  return Flow::next;
}

template <class T, Addressing Mode, bool Update, bool Reversed, Base From>
bool store_on_tlb_hit(Cpu& cpu, const DecodedInsn& insn) {
  if (invalid_store_form<Update>(insn)) return false;
  const u64 ea = effective_address<Mode, Update, From>(cpu, insn);
  if (!cpu.store_to_tlb(ea, static_cast<T>(cpu.state.gpr[insn.rt]), Reversed)) return false;
  if (Update) cpu.state.gpr[insn.ra] = ea;
  return true;
}

constexpr auto D = Addressing::displacement;
constexpr auto X = Addressing::indexed;

// What the tables register for the fixed-point loads and stores: a TLB hit
// continues the chain unsettled (chained_access).
template <class T, bool SignExtend, Addressing Mode, bool Update, bool Reversed = false, Base From = Base::ra_or_zero>
inline constexpr Handlers fixed_load = access<&load<T, SignExtend, Mode, Update, Reversed, From>,
                                              &load_on_tlb_hit<T, SignExtend, Mode, Update, Reversed, From>>;
template <class T, Addressing Mode, bool Update, bool Reversed = false, Base From = Base::ra_or_zero>
inline constexpr Handlers fixed_store =
    access<&store<T, Mode, Update, Reversed, From>, &store_on_tlb_hit<T, Mode, Update, Reversed, From>>;

// The forms without update, their (RA|0) chosen at decode time.
template <class T, bool SignExtend, Addressing Mode, bool Reversed = false>
inline constexpr Handlers load_from_ra_or_zero =
    by_ra_zero<fixed_load<T, SignExtend, Mode, false, Reversed, Base::zero>,
               fixed_load<T, SignExtend, Mode, false, Reversed, Base::ra>>;
template <class T, Addressing Mode, bool Reversed = false>
inline constexpr Handlers store_to_ra_or_zero =
    by_ra_zero<fixed_store<T, Mode, false, Reversed, Base::zero>, fixed_store<T, Mode, false, Reversed, Base::ra>>;

// --- Load/store multiple and string (Book I 3.3.6 - 3.3.7). These are not
// supported in little-endian mode: they take an alignment interrupt. ---

// Whether `reg` is among the `count` registers starting at `first`,
// wrapping from r31 to r0.
bool in_register_range(unsigned reg, unsigned first, unsigned count) { return ((reg - first) & 31) < count; }

Flow lmw(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned count = 32 - insn.rt;
  if (in_register_range(insn.ra, insn.rt, count)) return cpu.illegal_instruction();
  const u64 ea = effective_address<D, false>(cpu, insn);
  if (little_endian_mode(cpu) || (ea & 3)) return alignment_interrupt(cpu, ea);
  std::array<u32, 32> words{};
  for (unsigned i = 0; i < count; ++i) {
    if (!cpu.load(ea + 4 * i, words[i])) return cpu.aborted();
  }
  for (unsigned i = 0; i < count; ++i) cpu.state.gpr[insn.rt + i] = words[i];
  return Flow::next;
}

Flow stmw(Cpu& cpu, const DecodedInsn& insn) {
  const u64 ea = effective_address<D, false>(cpu, insn);
  if (little_endian_mode(cpu) || (ea & 3)) return alignment_interrupt(cpu, ea);
  for (unsigned reg = insn.rt; reg < 32; ++reg) {
    if (!cpu.store(ea + 4 * (reg - insn.rt), static_cast<u32>(cpu.state.gpr[reg]))) return cpu.aborted();
  }
  return Flow::next;
}

// Loads `byte_count` bytes into the low words of RT, RT+1, ... (wrapping to
// r0), high-order byte first, zero-filling the rest of each register.
Flow load_string(Cpu& cpu, const DecodedInsn& insn, u64 ea, unsigned byte_count) {
  if (little_endian_mode(cpu)) return alignment_interrupt(cpu, ea);
  std::array<u8, 128> bytes{};
  for (unsigned i = 0; i < byte_count; ++i) {
    if (!cpu.load((ea + i) & cpu.address_mask(), bytes[i])) return cpu.aborted();
  }
  for (unsigned reg_index = 0; reg_index * 4 < byte_count; ++reg_index) {
    u64 value = 0;
    for (unsigned byte = 0; byte < 4; ++byte) value |= u64{bytes[reg_index * 4 + byte]} << (24 - 8 * byte);
    cpu.state.gpr[(insn.rt + reg_index) & 31] = value;
  }
  return Flow::next;
}

Flow store_string(Cpu& cpu, const DecodedInsn& insn, u64 ea, unsigned byte_count) {
  if (little_endian_mode(cpu)) return alignment_interrupt(cpu, ea);
  for (unsigned i = 0; i < byte_count; ++i) {
    const u64 source = cpu.state.gpr[(insn.rt + i / 4) & 31];
    const auto byte = static_cast<u8>(source >> (24 - 8 * (i % 4)));
    if (!cpu.store((ea + i) & cpu.address_mask(), byte)) return cpu.aborted();
  }
  return Flow::next;
}

unsigned registers_for(unsigned byte_count) { return (byte_count + 3) / 4; }

// NB = 0 means 32 bytes. RA in the loaded range (even as RA=0) is invalid.
unsigned immediate_byte_count(const DecodedInsn& insn) { return insn.rb == 0 ? 32 : insn.rb; }

Flow lswi(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned byte_count = immediate_byte_count(insn);
  if (in_register_range(insn.ra, insn.rt, registers_for(byte_count))) return cpu.illegal_instruction();
  return load_string(cpu, insn, ra_or_zero(cpu, insn) & cpu.address_mask(), byte_count);
}

Flow lswx(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned byte_count = cpu.state.xer_byte_count;
  const unsigned count = registers_for(byte_count);
  if (in_register_range(insn.ra, insn.rt, count) || in_register_range(insn.rb, insn.rt, count)) {
    return cpu.illegal_instruction();
  }
  return load_string(cpu, insn, indexed_effective_address(cpu, insn), byte_count);
}

Flow stswi(Cpu& cpu, const DecodedInsn& insn) {
  return store_string(cpu, insn, ra_or_zero(cpu, insn) & cpu.address_mask(), immediate_byte_count(insn));
}

Flow stswx(Cpu& cpu, const DecodedInsn& insn) {
  return store_string(cpu, insn, indexed_effective_address(cpu, insn), cpu.state.xer_byte_count);
}

// --- Load and reserve / store conditional (Book II 4.4.2). An unaligned
// EA takes an alignment interrupt. ---

template <class T>
Flow load_and_reserve(Cpu& cpu, const DecodedInsn& insn) {
  const u64 ea = indexed_effective_address(cpu, insn);
  if (ea % sizeof(T) != 0) return alignment_interrupt(cpu, ea);
  const auto real = cpu.translate_data(ea, Access::read);
  if (!real) return cpu.aborted();
  // One host access both gives the value and records what st*cx. expects.
  const auto raw = cpu.load_raw_atomic<T>(*real);
  T value{};
  if (raw) {
    value = cpu.guest_order(*raw);
  } else if (!cpu.load(ea, value)) {
    return cpu.aborted();
  }
  cpu.state.reservation_valid = raw.has_value();
  cpu.state.reservation_address = *real & ~(kReservationGranule - 1);
  cpu.state.reservation_real = *real;
  cpu.state.reservation_bytes = raw.value_or(0);
  cpu.state.reservation_size = sizeof(T);
  cpu.state.gpr[insn.rt] = value;
  return Flow::next;
}

// Stores only while the reservation holds, then reports the outcome in
// CR0 = 0b00 || stored || XER[SO] and drops the reservation. The store is
// a host compare-and-swap against the bytes l*arx read, so a store by any
// other vCPU in between makes it fail, as it would on hardware.
template <class T>
Flow store_conditional(Cpu& cpu, const DecodedInsn& insn) {
  const u64 ea = indexed_effective_address(cpu, insn);
  if (ea % sizeof(T) != 0) return alignment_interrupt(cpu, ea);
  const auto real = cpu.translate_data(ea, Access::write);
  if (!real) return cpu.aborted();
  const CpuState& s = cpu.state;
  bool stored = s.reservation_valid && s.reservation_real == *real && s.reservation_size == sizeof(T);
  if (stored) {
    const T value = cpu.guest_order(static_cast<T>(s.gpr[insn.rt]));
    stored = cpu.compare_and_store_raw<T>(*real, static_cast<T>(s.reservation_bytes), value);
  }
  cpu.state.reservation_valid = false;
  cpu.state.set_cr_field(0, (stored ? cr_bit::kEqual : 0) | (cpu.state.xer_so ? cr_bit::kSummaryOverflow : 0));
  return Flow::next;
}

// --- Quadword loads and stores: lq, stq (Book I 3.3.4 in 2.07B), lqarx and
// stqcx. (Book II 4.4.2). ---
//
// RTp/RSp name an even-odd register pair holding one 128-bit value, the
// even register its high doubleword. In big-endian mode that is the
// doubleword at EA; in little-endian mode the quadword is one
// little-endian number, so the even register gets the doubleword at EA+8
// (each doubleword byte-reversed) and the odd one the doubleword at EA.
// load_quadword/store_quadword (insn_common.hpp) map it just so.
//
// Since 2.07, lq and stq are neither privileged nor restricted to
// big-endian mode (2.06 made them privileged and gave an alignment
// interrupt in little-endian mode); POWER8 implements 2.07, so problem
// state runs them as is. An EA that is not quadword aligned takes an
// alignment interrupt, as POWER8 does for all four.
//
// An aligned quadword access is single-copy atomic (Book II 1.4): in RAM
// it is one 16-byte host access, so another vCPU never sees or makes half
// of it. Outside RAM (MMIO) it becomes two doubleword accesses.

using u128 = unsigned __int128;
constexpr u64 kQuadwordBytes = 16;

// Memory bytes <-> the two doublewords at EA and EA+8, each in guest order.
std::array<u64, 2> split_memory_quadword(const Cpu& cpu, u128 raw) {
  std::array<u64, 2> words{};
  std::memcpy(words.data(), &raw, sizeof(raw));
  return {cpu.guest_order(words[0]), cpu.guest_order(words[1])};
}
u128 join_memory_quadword(const Cpu& cpu, u64 at_ea, u64 at_ea_plus_8) {
  const std::array<u64, 2> words{cpu.guest_order(at_ea), cpu.guest_order(at_ea_plus_8)};
  u128 raw = 0;
  std::memcpy(&raw, words.data(), sizeof(raw));
  return raw;
}

// The register pair's value from the doublewords at EA and EA+8, and back.
Quadword pair_from_memory(const Cpu& cpu, const std::array<u64, 2>& words) {
  return little_endian_mode(cpu) ? Quadword{words[1], words[0]} : Quadword{words[0], words[1]};
}
std::array<u64, 2> memory_from_pair(const Cpu& cpu, const Quadword& pair) {
  return little_endian_mode(cpu) ? std::array<u64, 2>{pair[1], pair[0]} : std::array<u64, 2>{pair[0], pair[1]};
}

Quadword register_pair(const Cpu& cpu, unsigned even) { return {cpu.state.gpr[even], cpu.state.gpr[even + 1]}; }
void set_register_pair(Cpu& cpu, unsigned even, const Quadword& value) {
  cpu.state.gpr[even] = value[0];
  cpu.state.gpr[even + 1] = value[1];
}

// Reads the aligned quadword at `ea`, whose real address goes to `real`.
// `raw` gets the memory bytes when the read was one atomic RAM access (what
// lqarx reserves), nullopt for MMIO.
bool read_quadword(Cpu& cpu, u64 ea, Quadword& value, std::optional<u128>& raw, u64& real) {
  const auto translated = cpu.translate_data(ea, Access::read, kQuadwordBytes);
  if (!translated) return false;
  real = *translated;
  raw = cpu.load_raw_atomic<u128>(real);
  if (raw) {
    value = pair_from_memory(cpu, split_memory_quadword(cpu, *raw));
    return true;
  }
  return load_quadword(cpu, ea, value);
}

// lq: RTp odd, or RTp = RA (the base would be overwritten), is invalid.
// The low four bits of the DQ field are reserved; the EA ignores them.
Flow lq(Cpu& cpu, const DecodedInsn& insn) {
  if ((insn.rt & 1) || insn.rt == insn.ra) return cpu.illegal_instruction();
  const u64 ea = (ra_or_zero(cpu, insn) + (static_cast<u64>(insn.imm) & ~(kQuadwordBytes - 1))) & cpu.address_mask();
  if (ea % kQuadwordBytes != 0) return alignment_interrupt(cpu, ea);
  Quadword value{};
  std::optional<u128> raw;
  u64 real = 0;
  if (!read_quadword(cpu, ea, value, raw, real)) return cpu.aborted();
  set_register_pair(cpu, insn.rt, value);
  return Flow::next;
}

// stq (DS-form, so insn.imm is already DS || 0b00): RSp odd is invalid.
Flow stq(Cpu& cpu, const DecodedInsn& insn) {
  if (insn.rt & 1) return cpu.illegal_instruction();
  const u64 ea = effective_address<D, false>(cpu, insn);
  if (ea % kQuadwordBytes != 0) return alignment_interrupt(cpu, ea);
  const Quadword value = register_pair(cpu, insn.rt);
  const auto real = cpu.translate_data(ea, Access::write, kQuadwordBytes);
  if (!real) return cpu.aborted();
  const std::array<u64, 2> words = memory_from_pair(cpu, value);
  if (cpu.store_raw_atomic<u128>(*real, join_memory_quadword(cpu, words[0], words[1]))) return Flow::next;
  if (!store_quadword(cpu, ea, value)) return cpu.aborted();
  return Flow::next;
}

// lqarx: RTp odd, RTp = RA or RTp = RB is invalid. As for the smaller
// l*arx, the 16 bytes read in one host access are what stqcx. compares.
Flow lqarx(Cpu& cpu, const DecodedInsn& insn) {
  if ((insn.rt & 1) || insn.rt == insn.ra || insn.rt == insn.rb) return cpu.illegal_instruction();
  const u64 ea = indexed_effective_address(cpu, insn);
  if (ea % kQuadwordBytes != 0) return alignment_interrupt(cpu, ea);
  Quadword value{};
  std::optional<u128> raw;
  u64 real = 0;
  if (!read_quadword(cpu, ea, value, raw, real)) return cpu.aborted();
  std::array<u64, 2> raw_words{};
  if (raw) std::memcpy(raw_words.data(), &*raw, sizeof(*raw));
  cpu.state.reservation_valid = raw.has_value();
  cpu.state.reservation_address = real & ~(kReservationGranule - 1);
  cpu.state.reservation_real = real;
  cpu.state.reservation_bytes = raw_words[0];
  cpu.state.reservation_second_bytes = raw_words[1];
  cpu.state.reservation_size = kQuadwordBytes;
  set_register_pair(cpu, insn.rt, value);
  return Flow::next;
}

// stqcx.: RSp odd is invalid. A 16-byte compare-and-swap against what
// lqarx read; CR0 = 0b00 || stored || XER[SO], and the reservation goes.
Flow stqcx(Cpu& cpu, const DecodedInsn& insn) {
  if (insn.rt & 1) return cpu.illegal_instruction();
  const u64 ea = indexed_effective_address(cpu, insn);
  if (ea % kQuadwordBytes != 0) return alignment_interrupt(cpu, ea);
  const auto real = cpu.translate_data(ea, Access::write, kQuadwordBytes);
  if (!real) return cpu.aborted();
  const CpuState& s = cpu.state;
  bool stored = s.reservation_valid && s.reservation_real == *real && s.reservation_size == kQuadwordBytes;
  if (stored) {
    u128 expected = 0;
    const std::array<u64, 2> reserved{s.reservation_bytes, cpu.state.reservation_second_bytes};
    std::memcpy(&expected, reserved.data(), sizeof(expected));
    const std::array<u64, 2> words = memory_from_pair(cpu, register_pair(cpu, insn.rt));
    stored = cpu.compare_and_store_raw<u128>(*real, expected, join_memory_quadword(cpu, words[0], words[1]));
  }
  cpu.state.reservation_valid = false;
  cpu.state.set_cr_field(0, (stored ? cr_bit::kEqual : 0) | (cpu.state.xer_so ? cr_bit::kSummaryOverflow : 0));
  return Flow::next;
}

// --- Cache management (Book II 4.3). ---

// dcbz on caching-inhibited storage (MMIO, here) takes an alignment
// interrupt (Book II 4.3.2).
Flow dcbz(Cpu& cpu, const DecodedInsn& insn) {
  const u64 block = indexed_effective_address(cpu, insn) & ~(kCacheBlockBytes - 1);
  const auto real = cpu.translate_data(block, Access::write);
  if (!real) return cpu.aborted();
  if (cpu.memory().host_pointer(*real, kCacheBlockBytes) == nullptr) return alignment_interrupt(cpu, block);
  for (u64 offset = 0; offset < kCacheBlockBytes; offset += sizeof(u64)) {
    if (!cpu.store(block + offset, u64{0})) return cpu.aborted();
  }
  return Flow::next;
}

// Touches, flushes and instruction cache invalidation change nothing an
// interpreter can observe: stores already invalidate decoded instructions.
Flow cache_hint(Cpu&, const DecodedInsn&) { return Flow::next; }

// --- Floating-point loads and stores (Book I 4.6). ---

bool floating_point_available(const Cpu& cpu) { return cpu.state.msr & ppc::msr::kFloatingPoint; }
Flow floating_point_unavailable(Cpu& cpu) { return cpu.interrupt(Vector::fp_unavailable, cpu.state.nip); }

enum class FloatFormat { single, doubleword, word_signed, word_zero };

template <FloatFormat Format, Addressing Mode, bool Update>
Flow load_float(Cpu& cpu, const DecodedInsn& insn) {
  if (!floating_point_available(cpu)) return floating_point_unavailable(cpu);
  if (Update && insn.ra == 0) return cpu.illegal_instruction();
  const u64 ea = effective_address<Mode, Update>(cpu, insn);
  u64 value = 0;
  if constexpr (Format == FloatFormat::doubleword) {
    if (!cpu.load(ea, value)) return cpu.aborted();
  } else {
    u32 word = 0;
    if (!cpu.load(ea, word)) return cpu.aborted();
    if constexpr (Format == FloatFormat::single) value = fp::single_to_double(word);
    else if constexpr (Format == FloatFormat::word_signed) value = extend<u32, true>(word);
    else value = word;
  }
  cpu.state.fpr[insn.rt] = value;
  if (Update) cpu.state.gpr[insn.ra] = ea;
  return Flow::next;
}

template <FloatFormat Format, Addressing Mode, bool Update>
Flow store_float(Cpu& cpu, const DecodedInsn& insn) {
  if (!floating_point_available(cpu)) return floating_point_unavailable(cpu);
  if (Update && insn.ra == 0) return cpu.illegal_instruction();
  const u64 ea = effective_address<Mode, Update>(cpu, insn);
  const u64 source = cpu.state.fpr[insn.rt];
  bool stored = false;
  if constexpr (Format == FloatFormat::doubleword) stored = cpu.store(ea, source);
  else if constexpr (Format == FloatFormat::single) stored = cpu.store(ea, fp::double_to_single(source));
  else stored = cpu.store(ea, static_cast<u32>(source));  // stfiwx: the low word as is
  if (!stored) return cpu.aborted();
  if (Update) cpu.state.gpr[insn.ra] = ea;
  return Flow::next;
}

}  // namespace

void register_load_store_instructions(DecodeTable& table) {
  table.primary(34, load_from_ra_or_zero<u8, false, D>);   // lbz
  table.primary(35, fixed_load<u8, false, D, true>);       // lbzu
  table.primary(40, load_from_ra_or_zero<u16, false, D>);  // lhz
  table.primary(41, fixed_load<u16, false, D, true>);      // lhzu
  table.primary(42, load_from_ra_or_zero<u16, true, D>);   // lha
  table.primary(43, fixed_load<u16, true, D, true>);       // lhau
  table.primary(32, load_from_ra_or_zero<u32, false, D>);  // lwz
  table.primary(33, fixed_load<u32, false, D, true>);      // lwzu
  table.op58(0, load_from_ra_or_zero<u64, false, D>);      // ld
  table.op58(1, fixed_load<u64, false, D, true>);          // ldu
  table.op58(2, load_from_ra_or_zero<u32, true, D>);       // lwa
  table.primary(38, store_to_ra_or_zero<u8, D>);           // stb
  table.primary(39, fixed_store<u8, D, true>);             // stbu
  table.primary(44, store_to_ra_or_zero<u16, D>);          // sth
  table.primary(45, fixed_store<u16, D, true>);            // sthu
  table.primary(36, store_to_ra_or_zero<u32, D>);          // stw
  table.primary(37, fixed_store<u32, D, true>);            // stwu
  table.op62(0, store_to_ra_or_zero<u64, D>);              // std
  table.op62(1, fixed_store<u64, D, true>);                // stdu

  table.op31(87, load_from_ra_or_zero<u8, false, X>);    // lbzx
  table.op31(119, fixed_load<u8, false, X, true>);       // lbzux
  table.op31(279, load_from_ra_or_zero<u16, false, X>);  // lhzx
  table.op31(311, fixed_load<u16, false, X, true>);      // lhzux
  table.op31(343, load_from_ra_or_zero<u16, true, X>);   // lhax
  table.op31(375, fixed_load<u16, true, X, true>);       // lhaux
  table.op31(23, load_from_ra_or_zero<u32, false, X>);   // lwzx
  table.op31(55, fixed_load<u32, false, X, true>);       // lwzux
  table.op31(341, load_from_ra_or_zero<u32, true, X>);   // lwax
  table.op31(373, fixed_load<u32, true, X, true>);       // lwaux
  table.op31(21, load_from_ra_or_zero<u64, false, X>);   // ldx
  table.op31(53, fixed_load<u64, false, X, true>);       // ldux
  table.op31(215, store_to_ra_or_zero<u8, X>);           // stbx
  table.op31(247, fixed_store<u8, X, true>);             // stbux
  table.op31(407, store_to_ra_or_zero<u16, X>);          // sthx
  table.op31(439, fixed_store<u16, X, true>);            // sthux
  table.op31(151, store_to_ra_or_zero<u32, X>);          // stwx
  table.op31(183, fixed_store<u32, X, true>);            // stwux
  table.op31(149, store_to_ra_or_zero<u64, X>);          // stdx
  table.op31(181, fixed_store<u64, X, true>);            // stdux

  table.op31(790, load_from_ra_or_zero<u16, false, X, true>);  // lhbrx
  table.op31(534, load_from_ra_or_zero<u32, false, X, true>);  // lwbrx
  table.op31(532, load_from_ra_or_zero<u64, false, X, true>);  // ldbrx
  table.op31(918, store_to_ra_or_zero<u16, X, true>);          // sthbrx
  table.op31(662, store_to_ra_or_zero<u32, X, true>);          // stwbrx
  table.op31(660, store_to_ra_or_zero<u64, X, true>);          // stdbrx

  table.primary(46, chain<&lmw>);
  table.primary(47, chain<&stmw>);
  table.op31(597, chain<&lswi>);
  table.op31(533, chain<&lswx>);
  table.op31(725, chain<&stswi>);
  table.op31(661, chain<&stswx>);

  table.op31(52, chain<&load_and_reserve<u8>>);     // lbarx
  table.op31(116, chain<&load_and_reserve<u16>>);   // lharx
  table.op31(20, chain<&load_and_reserve<u32>>);    // lwarx
  table.op31(84, chain<&load_and_reserve<u64>>);    // ldarx
  table.op31(694, chain<&store_conditional<u8>>);   // stbcx.
  table.op31(726, chain<&store_conditional<u16>>);  // sthcx.
  table.op31(150, chain<&store_conditional<u32>>);  // stwcx.
  table.op31(214, chain<&store_conditional<u64>>);  // stdcx.

  table.primary(56, chain<&lq>);
  table.op62(2, chain<&stq>);
  table.op31(276, chain<&lqarx>);
  table.op31(182, chain<&stqcx>);  // stqcx. (Rc is always 1)

  table.op31(1014, chain<&dcbz>);
  for (const unsigned xo : {278u /*dcbt*/, 246u /*dcbtst*/, 86u /*dcbf*/, 54u /*dcbst*/, 470u /*dcbi*/,
                            758u /*dcba*/, 22u /*icbt*/}) {
    table.op31(xo, chain<&cache_hint>);
  }

  using enum FloatFormat;
  table.primary(48, chain<&load_float<single, D, false>>);       // lfs
  table.primary(49, chain<&load_float<single, D, true>>);        // lfsu
  table.primary(50, chain<&load_float<doubleword, D, false>>);   // lfd
  table.primary(51, chain<&load_float<doubleword, D, true>>);    // lfdu
  table.op31(535, chain<&load_float<single, X, false>>);         // lfsx
  table.op31(567, chain<&load_float<single, X, true>>);          // lfsux
  table.op31(599, chain<&load_float<doubleword, X, false>>);     // lfdx
  table.op31(631, chain<&load_float<doubleword, X, true>>);      // lfdux
  table.op31(855, chain<&load_float<word_signed, X, false>>);    // lfiwax
  table.op31(887, chain<&load_float<word_zero, X, false>>);      // lfiwzx
  table.primary(52, chain<&store_float<single, D, false>>);      // stfs
  table.primary(53, chain<&store_float<single, D, true>>);       // stfsu
  table.primary(54, chain<&store_float<doubleword, D, false>>);  // stfd
  table.primary(55, chain<&store_float<doubleword, D, true>>);   // stfdu
  table.op31(663, chain<&store_float<single, X, false>>);        // stfsx
  table.op31(695, chain<&store_float<single, X, true>>);         // stfsux
  table.op31(727, chain<&store_float<doubleword, X, false>>);    // stfdx
  table.op31(759, chain<&store_float<doubleword, X, true>>);     // stfdux
  table.op31(983, chain<&store_float<word_zero, X, false>>);     // stfiwx
}

}  // namespace mosaic::interp
