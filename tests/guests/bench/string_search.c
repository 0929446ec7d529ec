/* String search: patterns counted in a generated text by a naive scan and
 * by Boyer-Moore-Horspool, which must agree; plus strlen/strchr-style byte
 * scans over the text's lines. */
#include "bench.h"

const char bench_name[] = "string-search";

enum { kTextSize = 256 << 10, kPatterns = 48, kRounds = 3 };

static char text[kTextSize + 1];

static size_t count_naive(const char *hay, size_t n, const char *needle, size_t m) {
  size_t count = 0;
  for (size_t i = 0; i + m <= n; ++i) {
    size_t j = 0;
    while (j < m && hay[i + j] == needle[j]) ++j;
    count += j == m;
  }
  return count;
}

static size_t count_horspool(const char *hay, size_t n, const char *needle, size_t m) {
  size_t skip[256];
  for (int c = 0; c < 256; ++c) skip[c] = m;
  for (size_t j = 0; j + 1 < m; ++j) skip[(uint8_t)needle[j]] = m - 1 - j;
  size_t count = 0;
  for (size_t i = 0; i + m <= n; i += skip[(uint8_t)hay[i + m - 1]]) {
    size_t j = m;
    while (j > 0 && hay[i + j - 1] == needle[j - 1]) --j;
    count += j == 0;
  }
  return count;
}

/* Words from a small syllable set, so that patterns recur. */
static void make_text(uint64_t *state) {
  static const char *const syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "an", "el", "or", "us"};
  size_t used = 0;
  while (used < kTextSize) {
    const uint64_t r = bench_next(state);
    const char *s = syllables[r % 12];
    text[used++] = s[0];
    if (used < kTextSize) text[used++] = s[1];
    /* A word ends after one syllable in five; one end in nine is a line's. */
    if (used < kTextSize && (r >> 8) % 5 == 0) text[used++] = (r >> 16) % 9 == 0 ? '\n' : ' ';
  }
  text[kTextSize] = 0;
}

uint64_t bench_run(void) {
  uint64_t state = 0xdeadbeefcafef00dull, hash = 0;
  make_text(&state);
  for (int round = 0; round < kRounds; ++round) {
    for (int p = 0; p < kPatterns; ++p) {
      /* Patterns are taken from the text so that most occur. */
      const size_t m = 2 + bench_next(&state) % 14;
      const size_t at = bench_next(&state) % (kTextSize - m);
      char needle[16];
      for (size_t j = 0; j < m; ++j) needle[j] = text[at + j];
      const size_t naive = count_naive(text, kTextSize, needle, m);
      bench_check(naive == count_horspool(text, kTextSize, needle, m), "horspool vs naive");
      bench_check(naive >= 1, "pattern taken from the text");
      hash = bench_mix(hash, naive * 64 + m);
    }
    /* Line lengths by a strlen-like scan for the newline. */
    size_t lines = 0, longest = 0;
    for (const char *line = text; *line;) {
      const char *end = line;
      while (*end && *end != '\n') ++end;
      ++lines;
      if ((size_t)(end - line) > longest) longest = (size_t)(end - line);
      line = *end ? end + 1 : end;
    }
    hash = bench_mix(hash, lines << 20 | longest);
  }
  return hash;
}
