/* Integer loop: division, multiplication, shifts, bit counts and branches.
 * Each step computes a gcd by Euclid (divides) and by the binary method
 * (shifts and subtractions), and a population count by clearing bits and by
 * popcntd: the pairs must agree. */
#include "bench.h"

const char bench_name[] = "int-loop";

enum { kSteps = 1500000 };

static uint64_t gcd_euclid(uint64_t a, uint64_t b) {
  while (b) {
    const uint64_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

static uint64_t gcd_binary(uint64_t a, uint64_t b) {
  if (!a) return b;
  if (!b) return a;
  const int shift = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  do {
    b >>= __builtin_ctzll(b);
    if (a > b) {
      const uint64_t t = a;
      a = b;
      b = t;
    }
    b -= a;
  } while (b);
  return a << shift;
}

static int popcount_loop(uint64_t x) {
  int n = 0;
  for (; x; x &= x - 1) ++n;
  return n;
}

uint64_t bench_run(void) {
  uint64_t state = 0x9e3779b97f4a7c15ull, hash = 0;
  int64_t signed_sum = 0;
  for (uint32_t i = 0; i < kSteps; ++i) {
    /* Common factors make the gcds non-trivial. */
    const uint64_t factor = (bench_next(&state) & 0xffff) + 1;
    const uint64_t a = (bench_next(&state) >> 24) * factor;
    const uint64_t b = (bench_next(&state) >> 28) * factor;
    const uint64_t g = gcd_euclid(a, b);
    bench_check(g == gcd_binary(a, b), "gcd");
    const int bits = popcount_loop(a ^ b);
    bench_check(bits == __builtin_popcountll(a ^ b), "popcount");
    const int64_t s = (int64_t)(a - b) / (int64_t)(factor | 1);
    signed_sum += s >> (i & 15);
    hash = bench_mix(hash, g + ((uint64_t)bits << 48) + (uint64_t)(uint32_t)(i * 2654435761u));
  }
  return hash ^ (uint64_t)signed_sum;
}
