/* Floating point: a dense double matrix product, Simpson integration of a
 * polynomial (checked against its exact integral), Newton square roots
 * (checked against fsqrt), and a small n-body step loop. The checksum is
 * the bit patterns of the results, so any rounding difference shows. */
#include "bench.h"

const char bench_name[] = "float";

enum { kMatrix = 64, kMatrixRounds = 12, kSimpsonSteps = 1000000, kRoots = 150000, kBodies = 16, kBodySteps = 800 };

static double a[kMatrix][kMatrix], b[kMatrix][kMatrix], c[kMatrix][kMatrix];

static uint64_t bits(double x) {
  uint64_t u;
  __builtin_memcpy(&u, &x, 8);
  return u;
}

static double magnitude(double x) { return x < 0 ? -x : x; }

static double polynomial(double x) { return ((3.0 * x - 2.0) * x + 0.5) * x * x - x + 7.0; }

/* The antiderivative of polynomial(). */
static double primitive(double x) { return ((0.6 * x - 0.5) * x + 0.5 / 3.0) * x * x * x - 0.5 * x * x + 7.0 * x; }

static double newton_sqrt(double x) {
  double r = x > 1.0 ? x / 2.0 : 1.0;
  for (int i = 0; i < 60; ++i) {
    const double next = 0.5 * (r + x / r);
    if (next == r) break;
    r = next;
  }
  return r;
}

uint64_t bench_run(void) {
  uint64_t state = 0x0123456789abcdefull, hash = 0;
  for (int i = 0; i < kMatrix; ++i)
    for (int j = 0; j < kMatrix; ++j) {
      a[i][j] = (double)(bench_next(&state) % 2001) / 1000.0 - 1.0;
      b[i][j] = (double)(bench_next(&state) % 2001) / 1000.0 - 1.0;
    }
  for (int round = 0; round < kMatrixRounds; ++round) {
    for (int i = 0; i < kMatrix; ++i)
      for (int j = 0; j < kMatrix; ++j) {
        double sum = 0;
        for (int k = 0; k < kMatrix; ++k) sum += a[i][k] * b[k][j];
        c[i][j] = sum;
      }
    /* Feed the product back, scaled to stay bounded. */
    for (int i = 0; i < kMatrix; ++i)
      for (int j = 0; j < kMatrix; ++j) a[i][j] = c[i][j] / 8.0;
    hash = bench_mix(hash, bits(c[round][kMatrix - 1 - round]));
  }

  const double lo = -1.5, hi = 2.25, h = (hi - lo) / kSimpsonSteps;
  double simpson = polynomial(lo) + polynomial(hi);
  for (int i = 1; i < kSimpsonSteps; ++i) simpson += (i & 1 ? 4.0 : 2.0) * polynomial(lo + i * h);
  simpson *= h / 3.0;
  const double exact = primitive(hi) - primitive(lo);
  bench_check(magnitude(simpson - exact) < 1e-9 * magnitude(exact), "simpson");
  hash = bench_mix(hash, bits(simpson));

  double root_sum = 0;
  for (int i = 1; i <= kRoots; ++i) {
    const double x = (double)i * 1.37;
    const double r = newton_sqrt(x);
    bench_check(magnitude(r - __builtin_sqrt(x)) <= 1e-15 * r, "sqrt");
    root_sum += r;
  }
  hash = bench_mix(hash, bits(root_sum));

  double px[kBodies], py[kBodies], vx[kBodies], vy[kBodies], mass[kBodies];
  for (int i = 0; i < kBodies; ++i) {
    px[i] = (double)(bench_next(&state) % 1000) - 500.0;
    py[i] = (double)(bench_next(&state) % 1000) - 500.0;
    vx[i] = vy[i] = 0;
    mass[i] = 1.0 + (double)(bench_next(&state) % 100);
  }
  for (int step = 0; step < kBodySteps; ++step) {
    for (int i = 0; i < kBodies; ++i) {
      double fx = 0, fy = 0;
      for (int j = 0; j < kBodies; ++j) {
        if (j == i) continue;
        const double dx = px[j] - px[i], dy = py[j] - py[i];
        const double d2 = dx * dx + dy * dy + 1.0;
        const double inv = mass[j] / (d2 * __builtin_sqrt(d2));
        fx += dx * inv;
        fy += dy * inv;
      }
      vx[i] += 0.01 * fx;
      vy[i] += 0.01 * fy;
    }
    for (int i = 0; i < kBodies; ++i) {
      px[i] += 0.01 * vx[i];
      py[i] += 0.01 * vy[i];
    }
  }
  /* Momentum is conserved only approximately (the pairwise forces are
   * computed separately for each body), so it is hashed, not checked. */
  for (int i = 0; i < kBodies; ++i) hash = bench_mix(hash, bits(px[i]) ^ bits(vy[i]));
  return hash;
}
