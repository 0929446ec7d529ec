/* The frame shared by the benchmark guests: each workload defines its name
 * and a run function; bench.c prints the result, checks and powers off. */
#pragma once

#include <stddef.h>
#include <stdint.h>

extern const char bench_name[];

/* Runs the workload and returns a checksum of everything it computed; the
 * script compares the checksums that Mosaic and QEMU print. */
uint64_t bench_run(void);

/* Records a failed self-check (two independent computations disagree). */
void bench_check(int ok, const char *what);

/* A small deterministic generator for the workloads' inputs. */
static inline uint64_t bench_next(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

static inline uint64_t bench_mix(uint64_t hash, uint64_t value) {
  hash ^= value;
  hash *= 0x100000001b3ull;
  return (hash << 29) | (hash >> 35);
}

void *memcpy(void *destination, const void *source, size_t n);
void *memset(void *destination, int value, size_t n);
