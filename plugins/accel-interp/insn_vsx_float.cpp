// VSX floating-point arithmetic, compare, conversion and rounding
// instructions (Power ISA 2.07B Book I chapter 7.6). The operations are
// those of the scalar FPU (float_format.hpp), applied to VSR elements:
//  - Scalar forms work on doubleword 0 and update FPRF, FR and FI as
//    their FPU counterparts do; doubleword 1 of the target is undefined
//    and cleared.
//  - Vector forms set exception bits only (FPRF, FR and FI are not among
//    the registers they alter), and leave the target unchanged when any
//    element raises an enabled exception.
// Single-precision elements are widened to double format, computed as the
// FPU's single-precision instructions compute, and narrowed back exactly.
#include <array>
#include <cmath>
#include <cstdint>

#include "cpu.hpp"
#include "float_format.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

using namespace fp;
using namespace fp::vsx;
using i64 = std::int64_t;

// --- The operations. ---

constexpr bool unary(Arith kind) {
  return kind == Arith::sqrt || kind == Arith::reciprocal || kind == Arith::reciprocal_sqrt;
}

// x op y (fused: x * y + z) in FPSCR[RN]. NaNs take precedence in the
// FPU's order: multiplicand, addend, multiplier for the fused forms.
template <Arith Kind, Precision P>
Outcome calculate(u64 fpscr, u64 x, u64 y = 0, u64 z = 0) {
  Outcome out;
  bool has_nan = false;
  if constexpr (fused(Kind)) {
    has_nan = propagate_nan(out, P, x, z, y);
    // infinity x 0 is invalid even when the addend is a NaN.
    if (has_nan && !is_nan(x) && !is_nan(y) && infinity_times_zero(x, y)) out.raised |= kVxImz;
  } else if constexpr (unary(Kind)) {
    has_nan = propagate_nan(out, P, x);
  } else {
    has_nan = propagate_nan(out, P, x, y);
  }
  if (has_nan) return out;
  if (const u64 cause = invalid_cause<Kind>(x, y, z)) return invalid(cause);
  out = round_operation<Kind, P>(fpscr, as_double(x), as_double(y), as_double(z));
  // The negative forms negate the rounded result.
  if constexpr (Kind == Arith::nmadd || Kind == Arith::nmsub) out.result ^= kSign;
  // An estimate's XX, FR and FI are undefined: none is reported.
  if constexpr (estimate(Kind)) {
    out.raised &= ~kXx;
    out.inexact = out.fraction_rounded = false;
  }
  return out;
}

// Which operand is which: the a-forms add VSR[XT] to XA x XB, the m-forms
// multiply XA by VSR[XT] and add XB.
enum class Form { plain, addend_t, multiplier_t };

struct Operands {
  u64 x, y, z;
};

template <Arith Kind, Form F>
Operands arrange(u64 a, u64 b, u64 t) {
  if constexpr (unary(Kind)) return {b, 0, 0};
  else if constexpr (F == Form::addend_t) return {a, b, t};
  else if constexpr (F == Form::multiplier_t) return {a, t, b};
  else return {a, b, 0};
}

// --- Committing results. ---

constexpr Classify classify_as(Precision precision) {
  return precision == Precision::single_format ? Classify::single_format : Classify::double_format;
}

// --- Arithmetic. ---

template <Arith Kind, Precision P, Form F = Form::plain>
Flow scalar_arithmetic(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const auto [x, y, z] = arrange<Kind, F>(cpu.state.vsr(xa(insn))[0], cpu.state.vsr(xb(insn))[0],
                                          cpu.state.vsr(xt(insn))[0]);
  return commit_scalar(cpu, insn, calculate<Kind, P>(cpu.state.fpscr, x, y, z), classify_as(P));
}

template <Arith Kind, Precision P, Form F = Form::plain>
Flow vector_arithmetic(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const auto a = unpack<P>(cpu.state.vsr(xa(insn)));
  const auto b = unpack<P>(cpu.state.vsr(xb(insn)));
  const auto t = unpack<P>(cpu.state.vsr(xt(insn)));
  Lanes<P> result{};
  u64 raised = 0;
  for (unsigned i = 0; i < result.size(); ++i) {
    const auto [x, y, z] = arrange<Kind, F>(a[i], b[i], t[i]);
    const Outcome out = calculate<Kind, P>(cpu.state.fpscr, x, y, z);
    result[i] = out.result;
    raised |= out.raised;
  }
  return commit_vector(cpu, insn, pack<P>(result), raised);
}

// xsmaxdp / xsmindp / xvmax* / xvmin*: +0 is greater than -0; a QNaN
// yields the other operand, an SNaN (raising VXSNAN) itself, quieted.
template <bool Max>
Outcome maximum_minimum(u64 a, u64 b) {
  Outcome out;
  if (is_snan(a) || is_snan(b)) {
    out.raised = kVxSnan;
    out.result = (is_snan(a) ? a : b) | kQuietBit;
  } else if (is_nan(a) || is_nan(b)) {
    out.result = is_nan(a) ? b : a;
  } else if (is_zero(a) && is_zero(b)) {
    out.result = Max ? (a & b) : (a | b);
  } else {
    const bool a_greater = as_double(a) > as_double(b);
    out.result = a_greater == Max ? a : b;
  }
  return out;
}

template <bool Max>
Flow scalar_maximum_minimum(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Outcome out = maximum_minimum<Max>(cpu.state.vsr(xa(insn))[0], cpu.state.vsr(xb(insn))[0]);
  raise(cpu.state.fpscr, out.raised);
  const bool enabled = any_enabled(cpu.state.fpscr, out.raised);
  if (!enabled) cpu.state.set_vsr(xt(insn), {out.result, 0});
  return finish(cpu, false, enabled);
}

template <bool Max, Precision P>
Flow vector_maximum_minimum(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const auto a = unpack<P>(cpu.state.vsr(xa(insn)));
  const auto b = unpack<P>(cpu.state.vsr(xb(insn)));
  Lanes<P> result{};
  u64 raised = 0;
  for (unsigned i = 0; i < result.size(); ++i) {
    const Outcome out = maximum_minimum<Max>(a[i], b[i]);
    result[i] = out.result;
    raised |= out.raised;
  }
  return commit_vector(cpu, insn, pack<P>(result), raised);
}

// --- Compares. ---

// The invalid-operation exceptions of an ordered or unordered compare with
// a NaN operand: any SNaN raises VXSNAN; an ordered compare also raises
// VXVC, for an SNaN only when VXSNAN cannot trap (Book I 7.6.x, xscmpodp).
u64 compare_invalid(u64 a, u64 b, bool ordered, u64 fpscr) {
  if (!is_nan(a) && !is_nan(b)) return 0;
  const bool signalling = is_snan(a) || is_snan(b);
  u64 raised = signalling ? kVxSnan : 0;
  if (ordered && (!signalling || !(fpscr & kVe))) raised |= kVxVc;
  return raised;
}

// xscmpudp / xscmpodp BF,XA,XB: CR[BF] and FPCC.
template <bool Ordered>
Flow scalar_compare(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const u64 a = cpu.state.vsr(xa(insn))[0], b = cpu.state.vsr(xb(insn))[0];
  u64& fpscr = cpu.state.fpscr;
  std::uint32_t field = cr_bit::kSummaryOverflow;  // FU
  if (!is_nan(a) && !is_nan(b)) {
    const double x = as_double(a), y = as_double(b);
    field = x < y ? cr_bit::kLess : x > y ? cr_bit::kGreater : cr_bit::kEqual;
  }
  const u64 raised = compare_invalid(a, b, Ordered, fpscr);
  cpu.state.set_cr_field(insn.rt >> 2, field);
  fpscr = (fpscr & ~kFpccMask) | (u64{field} << kFprfShift);
  raise(fpscr, raised);
  return finish(cpu, false, any_enabled(fpscr, raised));
}

enum class Relation { equal, greater_equal, greater };

// xvcmpeq / xvcmpge / xvcmpgt [dp|sp][.]: all-ones elements where the
// relation holds. Equality is an unordered compare, the others ordered.
// Rc (bit 21) sets CR6 to all-true || 0 || all-false || 0, even when an
// enabled exception keeps the target unchanged.
template <Relation R, Precision P>
Flow vector_compare(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const auto a = unpack<P>(cpu.state.vsr(xa(insn)));
  const auto b = unpack<P>(cpu.state.vsr(xb(insn)));
  constexpr u64 kTrue = P == Precision::double_format ? ~u64{0} : 0xffffffffull;
  Lanes<P> mask{};
  u64 raised = 0;
  bool all_true = true, all_false = true;
  for (unsigned i = 0; i < mask.size(); ++i) {
    raised |= compare_invalid(a[i], b[i], R != Relation::equal, cpu.state.fpscr);
    bool holds = false;
    if (!is_nan(a[i]) && !is_nan(b[i])) {
      const double x = as_double(a[i]), y = as_double(b[i]);
      holds = R == Relation::equal ? x == y : R == Relation::greater ? x > y : x >= y;
    }
    mask[i] = holds ? kTrue : 0;
    all_true = all_true && holds;
    all_false = all_false && !holds;
  }
  Quadword result{mask[0], mask[1]};
  if constexpr (P == Precision::single_format) result = {(mask[0] << 32) | mask[1], (mask[2] << 32) | mask[3]};
  if (bits(insn.word, 21, 21)) {
    cpu.state.set_cr_field(6, (all_true ? cr_bit::kLess : 0) | (all_false ? cr_bit::kEqual : 0));
  }
  return commit_vector(cpu, insn, result, raised);
}

// xstdivdp / xstsqrtdp: as ftdiv / ftsqrt, on doubleword 0.
Flow xstdivdp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  cpu.state.set_cr_field(insn.rt >> 2, divide_test(cpu.state.vsr(xa(insn))[0], cpu.state.vsr(xb(insn))[0]));
  return Flow::next;
}

Flow xstsqrtdp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  cpu.state.set_cr_field(insn.rt >> 2, square_root_test(cpu.state.vsr(xb(insn))[0]));
  return Flow::next;
}

}  // namespace

void register_vsx_float_instructions(DecodeTable& table) {
  using enum Arith;
  constexpr auto D = Precision::double_format;
  constexpr auto S = Precision::single_format;
  constexpr auto A = Form::addend_t;
  constexpr auto M = Form::multiplier_t;
  table.op60_xx3(32, chain<&scalar_arithmetic<add, D>>);        // xsadddp
  table.op60_xx3(40, chain<&scalar_arithmetic<sub, D>>);        // xssubdp
  table.op60_xx3(48, chain<&scalar_arithmetic<mul, D>>);        // xsmuldp
  table.op60_xx3(56, chain<&scalar_arithmetic<div, D>>);        // xsdivdp
  table.op60_xx2(75, chain<&scalar_arithmetic<sqrt, D>>);       // xssqrtdp
  table.op60_xx2(90, chain<&scalar_arithmetic<reciprocal, D>>);       // xsredp
  table.op60_xx2(74, chain<&scalar_arithmetic<reciprocal_sqrt, D>>);  // xsrsqrtedp
  table.op60_xx3(33, chain<&scalar_arithmetic<madd, D, A>>);    // xsmaddadp
  table.op60_xx3(41, chain<&scalar_arithmetic<madd, D, M>>);    // xsmaddmdp
  table.op60_xx3(49, chain<&scalar_arithmetic<msub, D, A>>);    // xsmsubadp
  table.op60_xx3(57, chain<&scalar_arithmetic<msub, D, M>>);    // xsmsubmdp
  table.op60_xx3(161, chain<&scalar_arithmetic<nmadd, D, A>>);  // xsnmaddadp
  table.op60_xx3(169, chain<&scalar_arithmetic<nmadd, D, M>>);  // xsnmaddmdp
  table.op60_xx3(177, chain<&scalar_arithmetic<nmsub, D, A>>);  // xsnmsubadp
  table.op60_xx3(185, chain<&scalar_arithmetic<nmsub, D, M>>);  // xsnmsubmdp
  table.op60_xx3(0, chain<&scalar_arithmetic<add, S>>);         // xsaddsp
  table.op60_xx3(8, chain<&scalar_arithmetic<sub, S>>);         // xssubsp
  table.op60_xx3(16, chain<&scalar_arithmetic<mul, S>>);        // xsmulsp
  table.op60_xx3(24, chain<&scalar_arithmetic<div, S>>);        // xsdivsp
  table.op60_xx2(11, chain<&scalar_arithmetic<sqrt, S>>);       // xssqrtsp
  table.op60_xx2(26, chain<&scalar_arithmetic<reciprocal, S>>);       // xsresp
  table.op60_xx2(10, chain<&scalar_arithmetic<reciprocal_sqrt, S>>);  // xsrsqrtesp
  table.op60_xx3(1, chain<&scalar_arithmetic<madd, S, A>>);     // xsmaddasp
  table.op60_xx3(9, chain<&scalar_arithmetic<madd, S, M>>);     // xsmaddmsp
  table.op60_xx3(17, chain<&scalar_arithmetic<msub, S, A>>);    // xsmsubasp
  table.op60_xx3(25, chain<&scalar_arithmetic<msub, S, M>>);    // xsmsubmsp
  table.op60_xx3(129, chain<&scalar_arithmetic<nmadd, S, A>>);  // xsnmaddasp
  table.op60_xx3(137, chain<&scalar_arithmetic<nmadd, S, M>>);  // xsnmaddmsp
  table.op60_xx3(145, chain<&scalar_arithmetic<nmsub, S, A>>);  // xsnmsubasp
  table.op60_xx3(153, chain<&scalar_arithmetic<nmsub, S, M>>);  // xsnmsubmsp
  table.op60_xx3(160, chain<&scalar_maximum_minimum<true>>);    // xsmaxdp
  table.op60_xx3(168, chain<&scalar_maximum_minimum<false>>);   // xsmindp
  table.op60_xx3(35, chain<&scalar_compare<false>>);            // xscmpudp
  table.op60_xx3(43, chain<&scalar_compare<true>>);             // xscmpodp
  table.op60_xx3(61, chain<&xstdivdp>);
  table.op60_xx2(106, chain<&xstsqrtdp>);

  table.op60_xx3(96, chain<&vector_arithmetic<add, D>>);        // xvadddp
  table.op60_xx3(104, chain<&vector_arithmetic<sub, D>>);       // xvsubdp
  table.op60_xx3(112, chain<&vector_arithmetic<mul, D>>);       // xvmuldp
  table.op60_xx3(120, chain<&vector_arithmetic<div, D>>);       // xvdivdp
  table.op60_xx2(203, chain<&vector_arithmetic<sqrt, D>>);      // xvsqrtdp
  table.op60_xx2(218, chain<&vector_arithmetic<reciprocal, D>>);       // xvredp
  table.op60_xx2(202, chain<&vector_arithmetic<reciprocal_sqrt, D>>);  // xvrsqrtedp
  table.op60_xx3(97, chain<&vector_arithmetic<madd, D, A>>);    // xvmaddadp
  table.op60_xx3(105, chain<&vector_arithmetic<madd, D, M>>);   // xvmaddmdp
  table.op60_xx3(113, chain<&vector_arithmetic<msub, D, A>>);   // xvmsubadp
  table.op60_xx3(121, chain<&vector_arithmetic<msub, D, M>>);   // xvmsubmdp
  table.op60_xx3(225, chain<&vector_arithmetic<nmadd, D, A>>);  // xvnmaddadp
  table.op60_xx3(233, chain<&vector_arithmetic<nmadd, D, M>>);  // xvnmaddmdp
  table.op60_xx3(241, chain<&vector_arithmetic<nmsub, D, A>>);  // xvnmsubadp
  table.op60_xx3(249, chain<&vector_arithmetic<nmsub, D, M>>);  // xvnmsubmdp
  table.op60_xx3(224, chain<&vector_maximum_minimum<true, D>>);   // xvmaxdp
  table.op60_xx3(232, chain<&vector_maximum_minimum<false, D>>);  // xvmindp
  table.op60_xx3_rc(99, chain<&vector_compare<Relation::equal, D>>);          // xvcmpeqdp[.]
  table.op60_xx3_rc(115, chain<&vector_compare<Relation::greater_equal, D>>); // xvcmpgedp[.]
  table.op60_xx3_rc(107, chain<&vector_compare<Relation::greater, D>>);       // xvcmpgtdp[.]

  table.op60_xx3(64, chain<&vector_arithmetic<add, S>>);        // xvaddsp
  table.op60_xx3(72, chain<&vector_arithmetic<sub, S>>);        // xvsubsp
  table.op60_xx3(80, chain<&vector_arithmetic<mul, S>>);        // xvmulsp
  table.op60_xx3(88, chain<&vector_arithmetic<div, S>>);        // xvdivsp
  table.op60_xx2(139, chain<&vector_arithmetic<sqrt, S>>);      // xvsqrtsp
  table.op60_xx2(154, chain<&vector_arithmetic<reciprocal, S>>);       // xvresp
  table.op60_xx2(138, chain<&vector_arithmetic<reciprocal_sqrt, S>>);  // xvrsqrtesp
  table.op60_xx3(65, chain<&vector_arithmetic<madd, S, A>>);    // xvmaddasp
  table.op60_xx3(73, chain<&vector_arithmetic<madd, S, M>>);    // xvmaddmsp
  table.op60_xx3(81, chain<&vector_arithmetic<msub, S, A>>);    // xvmsubasp
  table.op60_xx3(89, chain<&vector_arithmetic<msub, S, M>>);    // xvmsubmsp
  table.op60_xx3(193, chain<&vector_arithmetic<nmadd, S, A>>);  // xvnmaddasp
  table.op60_xx3(201, chain<&vector_arithmetic<nmadd, S, M>>);  // xvnmaddmsp
  table.op60_xx3(209, chain<&vector_arithmetic<nmsub, S, A>>);  // xvnmsubasp
  table.op60_xx3(217, chain<&vector_arithmetic<nmsub, S, M>>);  // xvnmsubmsp
  table.op60_xx3(192, chain<&vector_maximum_minimum<true, S>>);   // xvmaxsp
  table.op60_xx3(200, chain<&vector_maximum_minimum<false, S>>);  // xvminsp
  table.op60_xx3_rc(67, chain<&vector_compare<Relation::equal, S>>);          // xvcmpeqsp[.]
  table.op60_xx3_rc(83, chain<&vector_compare<Relation::greater_equal, S>>);  // xvcmpgesp[.]
  table.op60_xx3_rc(75, chain<&vector_compare<Relation::greater, S>>);        // xvcmpgtsp[.]

  fp::register_vsx_float_convert_instructions(table);
}

}  // namespace mosaic::interp
