/* memcpy/memset-heavy: copies and fills of many lengths and alignments in a
 * 2 MiB buffer, with word-wise routines such as a libc has. Every byte of
 * the result is then checked against the pattern it must hold, computed
 * directly from its position. */
#include "bench.h"

const char bench_name[] = "memory";

enum { kSize = 2 << 20, kRounds = 25 };

static uint8_t source[kSize], target[kSize], spare[kSize + 64];

/* Word copies once the destination is aligned; bytes around them. */
static void copy(uint8_t *d, const uint8_t *s, size_t n) {
  while (n && ((uintptr_t)d & 7)) --n, *d++ = *s++;
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    uint64_t w0, w1, w2, w3;
    __builtin_memcpy(&w0, s, 8);
    __builtin_memcpy(&w1, s + 8, 8);
    __builtin_memcpy(&w2, s + 16, 8);
    __builtin_memcpy(&w3, s + 24, 8);
    ((uint64_t *)d)[0] = w0;
    ((uint64_t *)d)[1] = w1;
    ((uint64_t *)d)[2] = w2;
    ((uint64_t *)d)[3] = w3;
  }
  while (n--) *d++ = *s++;
}

static void fill(uint8_t *d, uint8_t value, size_t n) {
  const uint64_t word = value * 0x0101010101010101ull;
  while (n && ((uintptr_t)d & 7)) --n, *d++ = value;
  for (; n >= 8; n -= 8, d += 8) *(uint64_t *)d = word;
  while (n--) *d++ = value;
}

static uint8_t pattern(size_t position) { return (uint8_t)(position * 131 + (position >> 9)); }

uint64_t bench_run(void) {
  uint64_t state = 0x1234567887654321ull, hash = 0;
  for (size_t i = 0; i < kSize; ++i) source[i] = pattern(i);
  for (int round = 0; round < kRounds; ++round) {
    const uint8_t background = (uint8_t)(round * 37 + 1);
    fill(target, background, kSize);
    /* Non-overlapping pieces: piece k covers [k * 4096, k * 4096 + length)
     * with length < 4096, copied from a random source offset. */
    static uint32_t offsets[kSize / 4096], lengths[kSize / 4096];
    for (size_t k = 0; k < kSize / 4096; ++k) {
      offsets[k] = (uint32_t)(bench_next(&state) % (kSize - 4096));
      lengths[k] = (uint32_t)(bench_next(&state) % 4096);
      copy(target + k * 4096, source + offsets[k], lengths[k]);
    }
    /* A bulk copy of the whole buffer to an odd alignment and back. */
    const size_t shift = (size_t)(bench_next(&state) % 61) + 1;
    copy(spare + shift, source, kSize);
    copy(source, spare + shift, kSize);
    for (size_t k = 0; k < kSize / 4096; ++k) {
      const uint8_t *piece = target + k * 4096;
      int ok = 1;
      for (uint32_t j = 0; j < lengths[k]; ++j) ok &= piece[j] == pattern(offsets[k] + j);
      for (uint32_t j = lengths[k]; j < 4096; ++j) ok &= piece[j] == background;
      bench_check(ok, "copied piece");
      hash = bench_mix(hash, piece[lengths[k] / 2] + ((uint64_t)lengths[k] << 8));
    }
    int ok = 1;
    for (size_t i = 0; i < kSize; ++i) ok &= source[i] == pattern(i);
    bench_check(ok, "bulk copy");
  }
  return hash;
}
