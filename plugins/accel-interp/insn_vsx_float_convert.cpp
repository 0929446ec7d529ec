// VSX conversion and rounding instructions (Power ISA 2.07B Book I 7.6):
// between double and single format, to and from integers, and to
// integral values. Scalar and vector forms differ as insn_vsx_float.cpp
// describes; the undefined parts of a target are cleared.
#include <cmath>
#include <cstdint>

#include "chained_dispatch.hpp"
#include "cpu.hpp"
#include "float_format.hpp"

namespace mosaic::interp::fp {

namespace {

using namespace vsx;
using i64 = std::int64_t;
constexpr auto kDouble = Precision::double_format;
constexpr auto kSingle = Precision::single_format;

// --- Double <-> single format. ---

// A double rounded to single precision in FPSCR[RN], kept in double format.
Outcome round_to_single(u64 fpscr, u64 value) {
  Outcome out;
  if (!propagate_nan(out, kSingle, value)) out = fp::round_to_single(fpscr, as_double(value));
  return out;
}

// A single (widened bit for bit) converted to double: only an SNaN
// changes, quieted with VXSNAN.
Outcome widen(u32 word) {
  Outcome out{single_to_double(word)};
  if (is_snan(out.result)) out = Outcome{out.result | kQuietBit, kVxSnan};
  return out;
}

Quadword single_in_word_0(u64 value) { return {u64{double_to_single(value)} << 32, 0}; }

// xsrsp: rounded to single, the result in double format.
Flow xsrsp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  return commit_scalar(cpu, insn, round_to_single(cpu.state.fpscr, cpu.state.vsr(xb(insn))[0]),
                       Classify::single_format);
}

// xscvdpsp: rounded to single, the result in single format in word 0.
Flow xscvdpsp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Outcome out = round_to_single(cpu.state.fpscr, cpu.state.vsr(xb(insn))[0]);
  if (record_outcome(cpu.state.fpscr, out, Classify::single_format)) {
    cpu.state.set_vsr(xt(insn), single_in_word_0(out.result));
  }
  return finish(cpu, false, any_enabled(cpu.state.fpscr, out.raised));
}

// xscvdpspn: the format change alone, for values a single represents:
// no rounding, no exception, SNaNs stay signalling.
Flow xscvdpspn(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  cpu.state.set_vsr(xt(insn), single_in_word_0(cpu.state.vsr(xb(insn))[0]));
  return Flow::next;
}

// xscvspdp: word 0 of XB to double format.
Flow xscvspdp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  return commit_scalar(cpu, insn, widen(even_word(cpu.state.vsr(xb(insn)), 0)), Classify::double_format);
}

// xscvspdpn: xscvspdp without exceptions; SNaNs stay signalling.
Flow xscvspdpn(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  cpu.state.set_vsr(xt(insn), {single_to_double(even_word(cpu.state.vsr(xb(insn)), 0)), 0});
  return Flow::next;
}

// xvcvspdp: words 0 and 2 to doublewords 0 and 1.
Flow xvcvspdp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  const Outcome first = widen(even_word(b, 0)), second = widen(even_word(b, 1));
  return commit_vector(cpu, insn, {first.result, second.result}, first.raised | second.raised);
}

// xvcvdpsp: doublewords 0 and 1 rounded to single, into words 0 and 2.
Flow xvcvdpsp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  const Outcome first = round_to_single(cpu.state.fpscr, b[0]), second = round_to_single(cpu.state.fpscr, b[1]);
  return commit_vector(cpu, insn, from_even_words(double_to_single(first.result), double_to_single(second.result)),
                       first.raised | second.raised);
}

// --- To integer, always rounding toward zero. NaNs and values out of
// range saturate and raise VXCVI; the result is `Bits` wide. ---

template <unsigned Bits, bool Signed>
Outcome to_integer(u64 value) {
  const double lowest = Signed ? -std::ldexp(1.0, Bits - 1) : 0.0;
  const double beyond_highest = std::ldexp(1.0, Signed ? Bits - 1 : Bits);
  const u64 value_mask = Bits == 64 ? ~u64{0} : (u64{1} << Bits) - 1;
  const u64 most_negative = Signed ? u64{1} << (Bits - 1) : 0;
  const u64 most_positive = Signed ? most_negative - 1 : value_mask;
  if (is_nan(value)) return Outcome{most_negative, kVxCvi | (is_snan(value) ? kVxSnan : 0)};
  const double x = as_double(value);
  const double rounded = std::trunc(x);
  if (rounded < lowest) return Outcome{most_negative, kVxCvi};
  if (rounded >= beyond_highest) return Outcome{most_positive, kVxCvi};
  Outcome out{(Signed ? static_cast<u64>(static_cast<i64>(rounded)) : static_cast<u64>(rounded)) & value_mask};
  out.inexact = rounded != x;
  if (out.inexact) out.raised = kXx;
  return out;
}

// xscvdp[su]x[dw]s: the word forms put the word in doubleword 0's low
// half, extending a signed one into the (undefined) high half as fctiwz
// does.
template <unsigned Bits, bool Signed>
Flow scalar_to_integer(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  Outcome out = to_integer<Bits, Signed>(cpu.state.vsr(xb(insn))[0]);
  if (Signed && Bits == 32) out.result = static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(out.result)));
  return commit_scalar(cpu, insn, out, Classify::none);
}

// xvcvdp[su]xds: doubleword elements.
template <bool Signed>
Flow vector_double_to_doubleword(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  const Outcome first = to_integer<64, Signed>(b[0]), second = to_integer<64, Signed>(b[1]);
  return commit_vector(cpu, insn, {first.result, second.result}, first.raised | second.raised);
}

// xvcvdp[su]xws: doublewords 0 and 1 into words 0 and 2.
template <bool Signed>
Flow vector_double_to_word(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  const Outcome first = to_integer<32, Signed>(b[0]), second = to_integer<32, Signed>(b[1]);
  return commit_vector(cpu, insn, from_even_words(static_cast<u32>(first.result), static_cast<u32>(second.result)),
                       first.raised | second.raised);
}

// xvcvsp[su]xds: the singles in words 0 and 2 to doublewords.
template <bool Signed>
Flow vector_single_to_doubleword(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  const Outcome first = to_integer<64, Signed>(single_to_double(even_word(b, 0)));
  const Outcome second = to_integer<64, Signed>(single_to_double(even_word(b, 1)));
  return commit_vector(cpu, insn, {first.result, second.result}, first.raised | second.raised);
}

// xvcvsp[su]xws: four word elements.
template <bool Signed>
Flow vector_single_to_word(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const auto b = unpack<kSingle>(cpu.state.vsr(xb(insn)));
  u64 words[4] = {};
  u64 raised = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const Outcome out = to_integer<32, Signed>(b[i]);
    words[i] = out.result;
    raised |= out.raised;
  }
  return commit_vector(cpu, insn, {(words[0] << 32) | words[1], (words[2] << 32) | words[3]}, raised);
}

// --- From integer, rounding in FPSCR[RN]. `value` holds the integer
// extended to 64 bits. ---

u64 extend_word(u32 word, bool is_signed) {
  return is_signed ? static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(word))) : word;
}

// xscv[su]xd[dp|sp]: the result in double format.
template <bool Signed, Precision P>
Flow scalar_from_integer(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Outcome out = integer_to_float<Signed, P>(cpu.state.fpscr, cpu.state.vsr(xb(insn))[0]);
  return commit_scalar(cpu, insn, out, P == kSingle ? Classify::single_format : Classify::double_format);
}

// xvcv[su]xddp: doubleword elements; xvcv[su]xwdp: words 0 and 2.
template <bool Signed, bool FromWords>
Flow vector_to_double(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  Outcome results[2];
  for (unsigned i = 0; i < 2; ++i) {
    const u64 value = FromWords ? extend_word(even_word(b, i), Signed) : b[i];
    results[i] = integer_to_float<Signed, kDouble>(cpu.state.fpscr, value);
  }
  return commit_vector(cpu, insn, {results[0].result, results[1].result}, results[0].raised | results[1].raised);
}

// xvcv[su]xdsp: doubleword elements to singles in words 0 and 2.
template <bool Signed>
Flow vector_doubleword_to_single(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  const Outcome first = integer_to_float<Signed, kSingle>(cpu.state.fpscr, b[0]);
  const Outcome second = integer_to_float<Signed, kSingle>(cpu.state.fpscr, b[1]);
  return commit_vector(cpu, insn, from_even_words(double_to_single(first.result), double_to_single(second.result)),
                       first.raised | second.raised);
}

// xvcv[su]xwsp: four word elements.
template <bool Signed>
Flow vector_word_to_single(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  Lanes4 result{};
  u64 raised = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const auto word = static_cast<u32>(b[i / 2] >> (i % 2 ? 0 : 32));
    const Outcome out = integer_to_float<Signed, kSingle>(cpu.state.fpscr, extend_word(word, Signed));
    result[i] = out.result;
    raised |= out.raised;
  }
  return commit_vector(cpu, insn, pack<kSingle>(result), raised);
}

// --- Rounding to an integral value: xsrdpi / xvrdpi / xvrspi round to
// nearest with ties away from zero, the z, p and m forms toward zero, up
// and down; these raise only VXSNAN and report no inexactness. The c forms
// round in FPSCR[RN] and raise XX (with FR and FI for the scalar form)
// when the value changes. ---

enum class Integral { nearest_away, current, toward_zero, up, down };

template <Integral R, Precision P>
Outcome round_integral(u64 fpscr, u64 value) {
  Outcome out;
  if (propagate_nan(out, P, value)) return out;
  const double x = as_double(value);
  double rounded = 0;
  if constexpr (R == Integral::nearest_away) rounded = std::round(x);
  else if constexpr (R == Integral::toward_zero) rounded = std::trunc(x);
  else if constexpr (R == Integral::up) rounded = std::ceil(x);
  else if constexpr (R == Integral::down) rounded = std::floor(x);
  else {
    int ignored = 0;
    rounded = evaluate(host_rounding(fpscr), ignored, [](double v) { return std::nearbyint(v); }, x);
    out.inexact = rounded != x;
    out.fraction_rounded = std::fabs(rounded) > std::fabs(x);
    if (out.inexact) out.raised = kXx;
  }
  out.result = as_bits(rounded);
  return out;
}

template <Integral R>
Flow scalar_round_integral(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Outcome out = round_integral<R, kDouble>(cpu.state.fpscr, cpu.state.vsr(xb(insn))[0]);
  return commit_scalar(cpu, insn, out, Classify::double_format);
}

template <Integral R, Precision P>
Flow vector_round_integral(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const auto b = unpack<P>(cpu.state.vsr(xb(insn)));
  Lanes<P> result{};
  u64 raised = 0;
  for (unsigned i = 0; i < result.size(); ++i) {
    const Outcome out = round_integral<R, P>(cpu.state.fpscr, b[i]);
    result[i] = out.result;
    raised |= out.raised;
  }
  return commit_vector(cpu, insn, pack<P>(result), raised);
}

}  // namespace

void register_vsx_float_convert_instructions(DecodeTable& table) {
  using enum Integral;
  table.op60_xx2(281, chain<&xsrsp>);
  table.op60_xx2(265, chain<&xscvdpsp>);
  table.op60_xx2(267, chain<&xscvdpspn>);
  table.op60_xx2(329, chain<&xscvspdp>);
  table.op60_xx2(331, chain<&xscvspdpn>);
  table.op60_xx2(457, chain<&xvcvspdp>);
  table.op60_xx2(393, chain<&xvcvdpsp>);

  table.op60_xx2(344, chain<&scalar_to_integer<64, true>>);    // xscvdpsxds
  table.op60_xx2(88, chain<&scalar_to_integer<32, true>>);     // xscvdpsxws
  table.op60_xx2(328, chain<&scalar_to_integer<64, false>>);   // xscvdpuxds
  table.op60_xx2(72, chain<&scalar_to_integer<32, false>>);    // xscvdpuxws
  table.op60_xx2(472, chain<&vector_double_to_doubleword<true>>);   // xvcvdpsxds
  table.op60_xx2(456, chain<&vector_double_to_doubleword<false>>);  // xvcvdpuxds
  table.op60_xx2(216, chain<&vector_double_to_word<true>>);         // xvcvdpsxws
  table.op60_xx2(200, chain<&vector_double_to_word<false>>);        // xvcvdpuxws
  table.op60_xx2(152, chain<&vector_single_to_word<true>>);         // xvcvspsxws
  table.op60_xx2(136, chain<&vector_single_to_word<false>>);        // xvcvspuxws
  table.op60_xx2(408, chain<&vector_single_to_doubleword<true>>);   // xvcvspsxds
  table.op60_xx2(392, chain<&vector_single_to_doubleword<false>>);  // xvcvspuxds

  table.op60_xx2(376, chain<&scalar_from_integer<true, kDouble>>);   // xscvsxddp
  table.op60_xx2(360, chain<&scalar_from_integer<false, kDouble>>);  // xscvuxddp
  table.op60_xx2(312, chain<&scalar_from_integer<true, kSingle>>);   // xscvsxdsp
  table.op60_xx2(296, chain<&scalar_from_integer<false, kSingle>>);  // xscvuxdsp
  table.op60_xx2(504, chain<&vector_to_double<true, false>>);        // xvcvsxddp
  table.op60_xx2(488, chain<&vector_to_double<false, false>>);       // xvcvuxddp
  table.op60_xx2(248, chain<&vector_to_double<true, true>>);         // xvcvsxwdp
  table.op60_xx2(232, chain<&vector_to_double<false, true>>);        // xvcvuxwdp
  table.op60_xx2(184, chain<&vector_word_to_single<true>>);          // xvcvsxwsp
  table.op60_xx2(168, chain<&vector_word_to_single<false>>);         // xvcvuxwsp
  table.op60_xx2(440, chain<&vector_doubleword_to_single<true>>);    // xvcvsxdsp
  table.op60_xx2(424, chain<&vector_doubleword_to_single<false>>);   // xvcvuxdsp

  table.op60_xx2(73, chain<&scalar_round_integral<nearest_away>>);   // xsrdpi
  table.op60_xx2(107, chain<&scalar_round_integral<current>>);       // xsrdpic
  table.op60_xx2(121, chain<&scalar_round_integral<down>>);          // xsrdpim
  table.op60_xx2(105, chain<&scalar_round_integral<up>>);            // xsrdpip
  table.op60_xx2(89, chain<&scalar_round_integral<toward_zero>>);    // xsrdpiz
  table.op60_xx2(201, chain<&vector_round_integral<nearest_away, kDouble>>);  // xvrdpi
  table.op60_xx2(235, chain<&vector_round_integral<current, kDouble>>);       // xvrdpic
  table.op60_xx2(249, chain<&vector_round_integral<down, kDouble>>);          // xvrdpim
  table.op60_xx2(233, chain<&vector_round_integral<up, kDouble>>);            // xvrdpip
  table.op60_xx2(217, chain<&vector_round_integral<toward_zero, kDouble>>);   // xvrdpiz
  table.op60_xx2(137, chain<&vector_round_integral<nearest_away, kSingle>>);  // xvrspi
  table.op60_xx2(171, chain<&vector_round_integral<current, kSingle>>);       // xvrspic
  table.op60_xx2(185, chain<&vector_round_integral<down, kSingle>>);          // xvrspim
  table.op60_xx2(169, chain<&vector_round_integral<up, kSingle>>);            // xvrspip
  table.op60_xx2(153, chain<&vector_round_integral<toward_zero, kSingle>>);   // xvrspiz
}

}  // namespace mosaic::interp::fp
