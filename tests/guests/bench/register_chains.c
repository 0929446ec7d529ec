/* Register chains: the same eight adds per step, either as one dependency
 * chain (each add reads the sum the add before it wrote) or as eight
 * independent chains. Built twice, BENCH_CHAINS = 1 and 8: scripts/bench
 * chains-1 chains-8. An interpreter that keeps guest registers in memory
 * pays a store and a load per link of a chain, which the independent
 * chains overlap and the single chain cannot; a JIT that keeps them in
 * host registers runs both alike. Not among the default workloads. */
#include "bench.h"

#if BENCH_CHAINS == 1
const char bench_name[] = "chains-1";
#elif BENCH_CHAINS == 8
const char bench_name[] = "chains-8";
#else
#error "BENCH_CHAINS must be 1 or 8"
#endif

enum { kSteps = 25000000 };

uint64_t bench_run(void) {
  uint64_t state = 0x243f6a8885a308d3ull;
  /* Known only at run time, so that no translator can fold the adds. */
  const uint64_t step = bench_next(&state) | 1;
  uint64_t start[8];
  for (int k = 0; k < 8; ++k) start[k] = bench_next(&state);
  /* Scalars, not an array, so that the loop keeps them in registers. */
  uint64_t s0 = start[0], s1 = start[1], s2 = start[2], s3 = start[3];
  uint64_t s4 = start[4], s5 = start[5], s6 = start[6], s7 = start[7];
  for (long i = 0; i < kSteps; ++i) {
#if BENCH_CHAINS == 1
    __asm__ volatile("add %0,%0,%1\n\tadd %0,%0,%1\n\tadd %0,%0,%1\n\tadd %0,%0,%1\n\t"
                     "add %0,%0,%1\n\tadd %0,%0,%1\n\tadd %0,%0,%1\n\tadd %0,%0,%1"
                     : "+r"(s0)
                     : "r"(step));
#else
    __asm__ volatile("add %0,%0,%8\n\tadd %1,%1,%8\n\tadd %2,%2,%8\n\tadd %3,%3,%8\n\t"
                     "add %4,%4,%8\n\tadd %5,%5,%8\n\tadd %6,%6,%8\n\tadd %7,%7,%8"
                     : "+r"(s0), "+r"(s1), "+r"(s2), "+r"(s3), "+r"(s4), "+r"(s5), "+r"(s6), "+r"(s7)
                     : "r"(step));
#endif
  }
  const uint64_t sum[8] = {s0, s1, s2, s3, s4, s5, s6, s7};
  uint64_t hash = 0;
  for (int k = 0; k < 8; ++k) {
    const uint64_t adds = BENCH_CHAINS == 1 ? (k == 0 ? 8ull * kSteps : 0) : kSteps;
    bench_check(sum[k] == start[k] + adds * step, "sums");
    hash = bench_mix(hash, sum[k]);
  }
  return hash;
}
