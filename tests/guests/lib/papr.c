/* PAPR services for the bare-metal test guests. Freestanding: no libc. */
#include "papr.h"

#include <stddef.h>

struct hcall_result hcall(unsigned long number, unsigned long a1, unsigned long a2, unsigned long a3,
                          unsigned long a4) {
  register unsigned long r3 __asm__("r3") = number;
  register unsigned long r4 __asm__("r4") = a1;
  register unsigned long r5 __asm__("r5") = a2;
  register unsigned long r6 __asm__("r6") = a3;
  register unsigned long r7 __asm__("r7") = a4;
  __asm__ volatile("sc 1"
                   : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                   :
                   : "r0", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
  struct hcall_result result = {(long)r3, {r4, r5, r6}};
  return result;
}

/* A value as RTAS and Open Firmware read it: big-endian. */
static uint32_t to_be32(uint32_t value) {
#ifdef __LITTLE_ENDIAN__
  return __builtin_bswap32(value);
#else
  return value;
#endif
}

static uint32_t be32(const void *p) {
  const uint8_t *b = p;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static size_t length_of(const char *s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

static int equal(const char *a, const char *b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

uint32_t fdt_cell(const void *value, unsigned index) { return be32((const uint8_t *)value + 4 * index); }

enum { FDT_MAGIC = 0xd00dfeed, FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

long call_big_endian(void *args, unsigned long entry, unsigned long base);

/* The Open Firmware client interface entry that QEMU's VOF passes in r5
 * (start.S stores it); 0 when entered with a device tree. */
unsigned long firmware_client;

/* One client-interface call: the argument block is big-endian 32-bit
 * cells, service name first, the returns after the arguments. */
static uint32_t firmware_call(const char *service, int nargs, const uint32_t *args) {
  static uint32_t block[3 + 4 + 1];
  block[0] = to_be32((uint32_t)(unsigned long)service);
  block[1] = to_be32((uint32_t)nargs);
  block[2] = to_be32(1);
  for (int i = 0; i < nargs; ++i) block[3 + i] = to_be32(args[i]);
  call_big_endian(block, firmware_client, 0);
  return to_be32(block[3 + nargs]);
}

/* A property through the client interface. The values live in a few
 * rotating buffers because callers look one property up by the value of
 * another (the console path, then its reg). */
static const void *firmware_property(const char *path, const char *property, uint32_t *length) {
  static uint8_t buffers[4][256];
  static unsigned next;
  const uint32_t package = firmware_call("finddevice", 1, (const uint32_t[]){(uint32_t)(unsigned long)path});
  if (package == 0xffffffff) return 0;
  uint8_t *buffer = buffers[next++ % 4];
  const uint32_t args[4] = {package, (uint32_t)(unsigned long)property, (uint32_t)(unsigned long)buffer,
                            sizeof(buffers[0])};
  const uint32_t size = firmware_call("getprop", 4, args);
  if (size == 0xffffffff || size > sizeof(buffers[0])) return 0;
  if (length) *length = size;
  return buffer;
}

/* Walks the structure block keeping the path of the current node. Without
 * a device tree, asks the firmware. */
const void *fdt_property(const void *fdt, const char *path, const char *property, uint32_t *length) {
  const uint8_t *base = fdt;
  if (!base || be32(base) != FDT_MAGIC) return firmware_client ? firmware_property(path, property, length) : 0;
  const uint8_t *p = base + be32(base + 8);
  const char *strings = (const char *)base + be32(base + 12);
  char current[256];
  size_t ends[32];
  int depth = 0;
  size_t used = 0;
  current[0] = 0;
  for (;;) {
    const uint32_t token = be32(p);
    p += 4;
    if (token == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      const size_t name_length = length_of(name);
      if (depth >= 32 || used + name_length + 2 >= sizeof(current)) return 0;
      ends[depth++] = used;
      if (depth > 1 || name_length > 0) {
        if (used != 1 || current[0] != '/') current[used++] = '/';
        for (size_t i = 0; i < name_length; ++i) current[used++] = name[i];
      } else {
        current[used++] = '/';
      }
      current[used] = 0;
      p += (name_length + 4) & ~(size_t)3;
    } else if (token == FDT_END_NODE) {
      if (depth == 0) return 0;
      used = ends[--depth];
      current[used] = 0;
    } else if (token == FDT_PROP) {
      const uint32_t value_length = be32(p);
      const char *name = strings + be32(p + 4);
      const uint8_t *value = p + 8;
      if (equal(current, path) && equal(name, property)) {
        if (length) *length = value_length;
        return value;
      }
      p = value + ((value_length + 3) & ~(uint32_t)3);
    } else if (token != FDT_NOP) {
      return 0;
    }
  }
}

static unsigned long vty_address;

int console_init(const void *fdt) {
  const char *stdout_path = fdt_property(fdt, "/chosen", "linux,stdout-path", 0);
  if (!stdout_path) return -1;
  const void *reg = fdt_property(fdt, stdout_path, "reg", 0);
  if (!reg) return -1;
  vty_address = fdt_cell(reg, 0);
  return 0;
}

/* H_PUT_TERM_CHAR takes up to 16 bytes packed into r6 and r7, first byte
 * most significant. */
void console_write(const char *text) {
  size_t remaining = length_of(text);
  while (remaining > 0) {
    const size_t chunk = remaining < 16 ? remaining : 16;
    unsigned long words[2] = {0, 0};
    for (size_t i = 0; i < chunk; ++i) words[i / 8] |= (unsigned long)(uint8_t)text[i] << (56 - 8 * (i % 8));
    if (hcall(H_PUT_TERM_CHAR, vty_address, chunk, words[0], words[1]).status != H_SUCCESS) return;
    text += chunk;
    remaining -= chunk;
  }
}

static const void *rtas_tree;
static unsigned long rtas_entry, rtas_base;

/* QEMU's RTAS blob only makes this hypercall with the argument buffer in
 * r4; under VOF no blob is in memory (that takes instantiate-rtas), so the
 * guest makes the hypercall itself. */
#define KVMPPC_H_RTAS 0xf000

int rtas_init(const void *fdt) {
  rtas_tree = fdt;
  const void *entry = fdt_property(fdt, "/rtas", "linux,rtas-entry", 0);
  const void *base = fdt_property(fdt, "/rtas", "linux,rtas-base", 0);
  if (!entry || !base) return firmware_client ? 0 : -1;
  rtas_entry = fdt_cell(entry, 0);
  rtas_base = fdt_cell(base, 0);
  return 0;
}

uint32_t rtas_token(const char *name) {
  const void *token = fdt_property(rtas_tree, "/rtas", name, 0);
  return token ? fdt_cell(token, 0) : 0xffffffff;
}

int rtas_call(const char *name, int nargs, int nret, const uint32_t *args, uint32_t *rets) {
  return rtas_call_token(rtas_token(name), nargs, nret, args, rets);
}

int rtas_call_token(uint32_t token, int nargs, int nret, const uint32_t *args, uint32_t *rets) {
  if (token == 0xffffffff || nargs + nret > 16) return -99;
  /* The argument buffer is big-endian, as RTAS reads it. */
  static uint32_t buffer[3 + 16];
  buffer[0] = to_be32(token);
  buffer[1] = to_be32((uint32_t)nargs);
  buffer[2] = to_be32((uint32_t)nret);
  for (int i = 0; i < nargs; ++i) buffer[3 + i] = to_be32(args[i]);
  if (rtas_entry)
    call_big_endian(buffer, rtas_entry, rtas_base);
  else
    hcall(KVMPPC_H_RTAS, (unsigned long)buffer, 0, 0, 0);
  for (int i = 0; i < nret; ++i) rets[i] = to_be32(buffer[3 + nargs + i]);
  return (int)rets[0];
}
