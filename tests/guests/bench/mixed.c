/* A mixed kernel in the spirit of CoreMark (written from scratch): linked
 * list sorting and searching, a small integer matrix product, a
 * state-machine tokenizer, and CRC-32. Self-checks: the sorted list is
 * ordered and keeps its sum, the matrix product matches a transposed
 * computation, the tokenizer's numbers match their generator, and the
 * table-driven CRC matches the bitwise one. */
#include "bench.h"

const char bench_name[] = "mixed";

enum { kIterations = 400, kNodes = 2000, kMatrix = 24, kTokens = 3000 };

struct node {
  struct node *next;
  int32_t key;
  int32_t value;
};

static struct node nodes[kNodes];

/* Merge sort by key, stable, on the list. */
static struct node *sort(struct node *list) {
  for (size_t width = 1;; width *= 2) {
    struct node *result = 0, **tail = &result, *p = list;
    size_t merges = 0;
    while (p) {
      ++merges;
      struct node *q = p;
      size_t p_size = 0, q_size = width;
      while (p_size < width && q) ++p_size, q = q->next;
      while (p_size > 0 || (q_size > 0 && q)) {
        struct node *taken;
        if (p_size == 0 || (q_size > 0 && q && q->key < p->key)) {
          taken = q, q = q->next, --q_size;
        } else {
          taken = p, p = p->next, --p_size;
        }
        *tail = taken;
        tail = &taken->next;
      }
      p = q;
    }
    *tail = 0;
    list = result;
    if (merges <= 1) return list;
  }
}

static struct node *reverse(struct node *list) {
  struct node *previous = 0;
  while (list) {
    struct node *next = list->next;
    list->next = previous;
    previous = list;
    list = next;
  }
  return previous;
}

static uint64_t list_work(uint64_t *state) {
  int64_t sum = 0;
  for (int i = 0; i < kNodes; ++i) {
    nodes[i].key = (int32_t)(bench_next(state) % 100000) - 50000;
    nodes[i].value = i;
    nodes[i].next = i + 1 < kNodes ? &nodes[i + 1] : 0;
    sum += nodes[i].key;
  }
  struct node *list = sort(&nodes[0]);
  int ordered = 1, count = 0;
  int64_t sorted_sum = 0;
  for (struct node *n = list; n; n = n->next, ++count) {
    sorted_sum += n->key;
    if (n->next) ordered &= n->key <= n->next->key;
  }
  bench_check(ordered && count == kNodes && sorted_sum == sum, "list sort");
  list = reverse(list);
  /* Searches for keys that are in the list and keys that may not be. */
  uint64_t hash = 0;
  for (int s = 0; s < 64; ++s) {
    const int32_t wanted = s & 1 ? nodes[bench_next(state) % kNodes].key : (int32_t)(bench_next(state) % 100000) - 50000;
    int position = 0;
    const struct node *n = list;
    while (n && n->key != wanted) n = n->next, ++position;
    bench_check(!(s & 1) || n, "list search");
    hash = bench_mix(hash, n ? (uint64_t)position << 16 | (uint32_t)n->value : 0xffff);
  }
  return hash;
}

static uint64_t matrix_work(uint64_t *state) {
  static int32_t a[kMatrix][kMatrix], b[kMatrix][kMatrix], bt[kMatrix][kMatrix];
  static int64_t c[kMatrix][kMatrix];
  for (int i = 0; i < kMatrix; ++i)
    for (int j = 0; j < kMatrix; ++j) {
      a[i][j] = (int32_t)(bench_next(state) % 2001) - 1000;
      b[i][j] = (int32_t)(bench_next(state) % 2001) - 1000;
      bt[j][i] = b[i][j];
    }
  uint64_t hash = 0;
  int ok = 1;
  for (int i = 0; i < kMatrix; ++i)
    for (int j = 0; j < kMatrix; ++j) {
      int64_t sum = 0;
      for (int k = 0; k < kMatrix; ++k) sum += (int64_t)a[i][k] * b[k][j];
      c[i][j] = sum;
    }
  for (int i = 0; i < kMatrix; ++i)
    for (int j = 0; j < kMatrix; ++j) {
      int64_t sum = 0;
      for (int k = kMatrix - 1; k >= 0; --k) sum += (int64_t)bt[j][k] * a[i][k];
      ok &= sum == c[i][j];
      hash = bench_mix(hash, (uint64_t)c[i][j]);
    }
  bench_check(ok, "matrix product");
  return hash;
}

/* Tokens: decimal integers, hexadecimal integers and words, separated by
 * spaces and commas. The tokenizer is a state machine over characters. */
enum state { kStart, kDecimal, kZero, kHex, kWord, kSeparator };

static uint64_t tokenizer_work(uint64_t *state) {
  static char input[kTokens * 12];
  static uint32_t generated[kTokens];
  size_t used = 0, numbers = 0;
  for (int t = 0; t < kTokens; ++t) {
    const uint64_t r = bench_next(state);
    if (r % 3 == 0) {
      for (int k = 0; k < 1 + (int)((r >> 8) % 6); ++k) input[used++] = (char)('a' + (r >> (12 + 4 * k)) % 26);
    } else {
      const uint32_t value = (uint32_t)(r >> 32) % 1000000;
      generated[numbers++] = value;
      char digits[12];
      int n = 0;
      if (r % 3 == 1) {
        uint32_t v = value;
        do digits[n++] = (char)('0' + v % 10), v /= 10;
        while (v);
      } else {
        uint32_t v = value;
        do digits[n++] = "0123456789abcdef"[v & 15], v >>= 4;
        while (v);
        digits[n++] = 'x';
        digits[n++] = '0';
      }
      while (n) input[used++] = digits[--n];
    }
    input[used++] = (r >> 40) & 1 ? ',' : ' ';
  }
  input[used] = 0;

  enum state s = kStart;
  uint32_t value = 0;
  size_t parsed = 0, words = 0, transitions = 0;
  int ok = 1;
  for (const char *p = input;; ++p) {
    const char ch = *p;
    const int digit = ch >= '0' && ch <= '9', letter = ch >= 'a' && ch <= 'z';
    const int end = ch == ' ' || ch == ',' || ch == 0;
    enum state next;
    switch (s) {
      case kStart:
      case kSeparator:
        next = ch == '0' ? kZero : digit ? kDecimal : letter ? kWord : kSeparator;
        value = digit ? (uint32_t)(ch - '0') : 0;
        break;
      case kZero:
        next = ch == 'x' ? kHex : digit ? kDecimal : kSeparator;
        if (digit) value = (uint32_t)(ch - '0');
        break;
      case kDecimal:
        next = digit ? kDecimal : kSeparator;
        if (digit) value = value * 10 + (uint32_t)(ch - '0');
        break;
      case kHex:
        next = digit || (ch >= 'a' && ch <= 'f') ? kHex : kSeparator;
        if (next == kHex) value = value << 4 | (uint32_t)(digit ? ch - '0' : ch - 'a' + 10);
        break;
      default:
        next = letter ? kWord : kSeparator;
        break;
    }
    if (end && s != kStart && s != kSeparator) {
      if (s == kWord) {
        ++words;
      } else {
        ok &= parsed < numbers && value == generated[parsed];
        ++parsed;
      }
    }
    transitions += next != s;
    s = next;
    if (!ch) break;
  }
  bench_check(ok && parsed == numbers && parsed + words == kTokens, "tokenizer");
  return bench_mix(words << 32 | parsed, transitions);
}

static uint32_t crc_table[256];

static void crc_make_table(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc_bitwise(const uint8_t *data, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return ~crc;
}

static uint32_t crc_table_driven(const uint8_t *data, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint64_t bench_run(void) {
  uint64_t state = 0x5555aaaa3333ccccull, hash = 0;
  crc_make_table();
  static const char known[] = "123456789";
  /* The standard CRC-32 check value. */
  bench_check(crc_table_driven((const uint8_t *)known, 9) == 0xcbf43926u, "crc32 check value");
  for (int i = 0; i < kIterations; ++i) {
    const uint64_t list = list_work(&state);
    const uint64_t matrix = matrix_work(&state);
    const uint64_t tokens = tokenizer_work(&state);
    const uint64_t parts[3] = {list, matrix, tokens};
    const uint32_t crc = crc_table_driven((const uint8_t *)parts, sizeof(parts));
    bench_check(crc == crc_bitwise((const uint8_t *)parts, sizeof(parts)), "crc32 table vs bitwise");
    const uint32_t node_crc = crc_table_driven((const uint8_t *)nodes, sizeof(nodes));
    hash = bench_mix(hash, (uint64_t)crc << 32 | node_crc);
  }
  return hash;
}
