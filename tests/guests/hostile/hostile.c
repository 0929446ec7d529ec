/* A hostile guest: it throws at the VMM what a buggy or malicious kernel
 * could, and the VMM must survive it and stay correct enough to power off.
 *   - random hypercalls with random arguments in r4..r12: pointers at the
 *     device tree, past the end of RAM, huge and misaligned values;
 *   - RTAS calls with random argument buffers, tokens and counts, and
 *     buffers past RAM;
 *   - loads and stores of every size at random addresses around every MMIO
 *     window (the PCI host bridge's) and just past RAM, through a mapping
 *     with the caching-inhibited bit as a kernel makes one;
 *   - random instruction words in problem state, under translation with
 *     only a scratch area mapped.
 * Interrupts are expected throughout and come back through the vectors
 * (hostile_entry.S). With mosaic.cpus = 2 the second vCPU, started with
 * RTAS start-cpu, does the same with another seed. It prints a summary and
 * powers off; the test requires mosaic to exit 0.
 * Calls that would end the run or take the guest's own machinery away are
 * left out, each with its reason below. */
#include <stddef.h>
#include <stdint.h>

#include "papr.h"

#define H_SET_SPRG0 0x24
#define H_SET_DABR 0x28
#define H_CEDE 0xe0
#define H_SET_MODE 0x31c
#define H_SET_XDABR 0x134
#define H_RESIZE_HPT_PREPARE 0x36c
#define H_RESIZE_HPT_COMMIT 0x370
#define H_REGISTER_PROC_TBL 0x37c
#define H_ENTER 0x08
#define H_REMOVE 0x04
#define KVMPPC_H_RTAS 0xf000
#define H_SET_MODE_RESOURCE_LE 4

#define MSR_SF (1ul << 63)
#define MSR_EE (1ul << 15)
#define MSR_PR (1ul << 14)
#define MSR_ME (1ul << 12)
#define MSR_IR (1ul << 5)
#define MSR_DR (1ul << 4)
#define MSR_RI (1ul << 1)
#define MSR_LE (1ul << 0)

/* The PHB's windows as PAPR's first PHB (QEMU's) puts them. */
#define PHB_WINDOW32 0x200080000000ul
#define PHB_WINDOW64 0x210000000000ul

/* Per-CPU state the vectors use; layout shared with hostile_entry.S. */
struct cpu_record {
  uint64_t vector, srr0, srr1, count, resume, resume_msr;
  uint64_t save[23];
};

/* What a secondary CPU starts with (hostile_entry.S reads the stack top). */
struct secondary_start {
  uint64_t stack_top;
  uint64_t cpu;
};

void run_generated(struct cpu_record *record, uint64_t entry, uint64_t msr, uint64_t gpr_value, uint64_t dec);
extern const uint32_t hostile_vector_stub[], hostile_vector_stub_end[];
extern const char secondary_entry[];

static uint64_t ram_size;
static const void *device_tree;
static uint64_t device_tree_size;
static unsigned hpt_groups; /* PTEGs in the hashed page table */
static volatile uint64_t finished_cpus;
static struct cpu_record records[2];
static uint8_t secondary_stack[0x10000] __attribute__((aligned(16)));

/* Each CPU's scratch area, far from the guest's image at 1 MiB: one page
 * of generated code, then data; mapped for the random words at EA
 * 0x40000000 + cpu * 0x100000. */
#define SCRATCH_REAL(cpu) (0x800000ul + (cpu) * 0x100000ul)
#define SCRATCH_EA(cpu) (0x40000000ul + (cpu) * 0x100000ul)
#define SCRATCH_PAGES 16
#define MMIO_EA 0x50000000ul
/* WIMG for RAM: coherent (M), which PAPR's H_ENTER requires of RAM; for
 * MMIO: caching-inhibited and guarded. */
#define WIMG_MEMORY 0x2
#define WIMG_DEVICE 0x5
#define VSID_BASE 0x4d6f7ul

static uint64_t next_random(uint64_t *state) {
  /* xorshift64* */
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545f4914f6cdd1dull;
}

/* An argument as a hostile kernel would pass it. Never a small number or a
 * pointer into the guest's own image, vectors or records: the point is to
 * attack the VMM, not to overwrite ourselves through a correct call. */
static uint64_t hostile_value(uint64_t *state, unsigned cpu) {
  const uint64_t r = next_random(state);
  switch (r % 8) {
    case 0: return 0;
    case 1: return next_random(state);
    case 2: return SCRATCH_REAL(cpu) + (next_random(state) % (SCRATCH_PAGES * 4096));
    case 3: return ram_size + (next_random(state) % 0x100000) - 64;  /* straddling and past the end of RAM */
    case 4: return (uint64_t)(uintptr_t)device_tree + next_random(state) % (device_tree_size + 1);
    case 5: return ~0ul - next_random(state) % 4096;
    case 6: return (next_random(state) & 0xfff) << 12 | 0x7;  /* flags-like, misaligned */
    default: return 1ul << (next_random(state) % 64);
  }
}

static long hcall9(uint64_t number, const uint64_t *a) {
  register uint64_t r3 __asm__("r3") = number;
  register uint64_t r4 __asm__("r4") = a[0];
  register uint64_t r5 __asm__("r5") = a[1];
  register uint64_t r6 __asm__("r6") = a[2];
  register uint64_t r7 __asm__("r7") = a[3];
  register uint64_t r8 __asm__("r8") = a[4];
  register uint64_t r9 __asm__("r9") = a[5];
  register uint64_t r10 __asm__("r10") = a[6];
  register uint64_t r11 __asm__("r11") = a[7];
  register uint64_t r12 __asm__("r12") = a[8];
  __asm__ volatile("sc 1"
                   : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11),
                     "+r"(r12)
                   :
                   : "r0", "cr0", "ctr", "xer", "memory");
  return (long)r3;
}

/* Hypercalls left out, and why: each takes away what this guest needs to
 * keep running, which a real kernel would not do to itself either. */
static int excluded_hypercall(uint64_t number) {
  switch (number) {
    case H_CEDE:               /* waits for an interrupt with MSR[EE] forced on */
    case H_SET_MODE:           /* interrupt endianness, AIL and breakpoints move the vectors */
    case H_SET_DABR:           /* a data breakpoint fires inside the guest's own code */
    case H_SET_XDABR:
    case H_SET_SPRG0:          /* SPRG0 names the CPU's record for the vectors */
    case H_RESIZE_HPT_PREPARE: /* the scratch mapping's hash assumes the HPT's size */
    case H_RESIZE_HPT_COMMIT:
    case H_REGISTER_PROC_TBL:  /* a radix or other translation mode would unmap the scratch area */
    case KVMPPC_H_RTAS:        /* the RTAS phase makes these, without power-off */
      return 1;
    default:
      return 0;
  }
}

static uint64_t random_hypercalls(uint64_t *state, unsigned cpu, unsigned count) {
  uint64_t successes = 0;
  for (unsigned i = 0; i < count; ++i) {
    uint64_t number;
    const uint64_t pick = next_random(state) % 8;
    if (pick < 5) number = (next_random(state) % 0x120) * 4;        /* PAPR's range */
    else if (pick == 5) number = 0xf000 + (next_random(state) % 0x220) * 4; /* KVM's and QEMU's */
    else if (pick == 6) number = next_random(state) % 0x10000;      /* misaligned */
    else number = next_random(state);
    if (excluded_hypercall(number)) continue;
    uint64_t args[9];
    for (int a = 0; a < 9; ++a) args[a] = hostile_value(state, cpu);
    if (hcall9(number, args) == H_SUCCESS) ++successes;
  }
  return successes;
}

/* RTAS functions the random calls use. Left out: power-off, system-reboot,
 * ibm,os-term (they end the run), stop-self and start-cpu (they take a CPU
 * away or start one at a random address), ibm,nmi-register (machine checks
 * would go to a random handler). */
static const char *const rtas_functions[] = {
    "check-exception", "display-character", "event-scan", "get-time-of-day", "set-time-of-day",
    "ibm,get-system-parameter", "ibm,get-xive", "ibm,set-xive", "ibm,int-off", "ibm,int-on",
    "query-cpu-stopped-state", "read-pci-config", "write-pci-config", "ibm,read-pci-config",
    "ibm,write-pci-config", "ibm,change-msi", "ibm,query-interrupt-source-number",
};
#define RTAS_FUNCTIONS (sizeof(rtas_functions) / sizeof(rtas_functions[0]))
static uint32_t rtas_tokens[RTAS_FUNCTIONS];

static uint32_t to_be32(uint32_t value) {
#ifdef __LITTLE_ENDIAN__
  return __builtin_bswap32(value);
#else
  return value;
#endif
}

static uint64_t random_rtas_calls(uint64_t *state, unsigned cpu, unsigned count) {
  uint64_t successes = 0;
  uint32_t *buffer = (uint32_t *)(SCRATCH_REAL(cpu) + 8 * 4096);
  for (unsigned i = 0; i < count; ++i) {
    uint32_t token = rtas_tokens[next_random(state) % RTAS_FUNCTIONS];
    if (next_random(state) % 16 == 0) token = (uint32_t)next_random(state);  /* no such function */
    if (token == 0xffffffff) continue;
    const uint64_t shape = next_random(state);
    const uint32_t nargs = shape % 11 == 0 ? (uint32_t)next_random(state) : shape % 9;
    const uint32_t nret = (shape >> 8) % 13 == 0 ? (uint32_t)next_random(state) : (shape >> 8) % 6;
    buffer[0] = to_be32(token);
    buffer[1] = to_be32(nargs);
    buffer[2] = to_be32(nret);
    for (int a = 0; a < 16; ++a) {
      /* Config addresses and small numbers are what these functions parse. */
      const uint64_t r = next_random(state);
      buffer[3 + a] = to_be32(r % 3 == 0 ? (uint32_t)(r >> 8) % 0x10000 : (uint32_t)hostile_value(state, cpu));
    }
    uint64_t args[9] = {(uint64_t)(uintptr_t)buffer};
    const uint64_t where = next_random(state) % 8;
    if (where == 0) args[0] = ram_size - 8;  /* the buffer runs past RAM */
    /* Any hostile pointer but one into the device tree: there /rtas holds
     * the power-off token, followed by words that make a valid call. */
    else if (where == 1) args[0] = hostile_value(state, cpu) | 0x10000000ul;
    if (hcall9(KVMPPC_H_RTAS, args) == H_SUCCESS && buffer[3 + (nargs < 16 ? nargs : 0)] == 0) ++successes;
  }
  return successes;
}

/* The hashed page table: a mapping of `pages` 4 KiB pages from `ea` to
 * `real`, in a 256 MiB segment of its own (SLB entry `slot`). PP = 2:
 * read-write in both states. */
static void map_pages(unsigned slot, uint64_t ea, uint64_t real, unsigned pages, uint64_t wimg) {
  const uint64_t vsid = VSID_BASE + (ea >> 28);
  const uint64_t esid_v = (ea & ~0xffffffful) | (1ul << 27) | slot;
  __asm__ volatile("slbmte %0, %1\n\tisync" : : "r"(vsid << 12), "r"(esid_v) : "memory");
  for (unsigned page = 0; page < pages; ++page) {
    const uint64_t page_ea = ea + page * 4096ul;
    const uint64_t hash = (vsid ^ ((page_ea & 0xffffffful) >> 12)) & (hpt_groups - 1);
    const uint64_t va = (vsid << 28) | (page_ea & 0xffffffful);
    const uint64_t v = ((va >> 23) << 7) | 1;
    const uint64_t r = ((real + page * 4096ul) & ~0xffful) | (wimg << 3) | 2;
    uint64_t args[9] = {0, hash * 8};
    /* Whatever random hypercalls left in the group goes first. */
    for (unsigned entry = 0; entry < 8; ++entry) {
      uint64_t remove[9] = {0, hash * 8 + entry};
      hcall9(H_REMOVE, remove);
    }
    args[2] = v;
    args[3] = r;
    hcall9(H_ENTER, args);
  }
}

static uint64_t current_msr(void) {
  uint64_t msr;
  __asm__ volatile("mfmsr %0" : "=r"(msr));
  return msr;
}

/* Random words in problem state, then a trap: whatever they do comes back
 * as an interrupt (the trap's program interrupt at the latest, DEC for a
 * loop). */
static uint64_t random_words(uint64_t *state, unsigned cpu, unsigned count) {
  volatile uint32_t *code = (volatile uint32_t *)SCRATCH_REAL(cpu);
  const uint64_t msr = MSR_SF | MSR_EE | MSR_PR | MSR_ME | MSR_IR | MSR_DR | MSR_RI | (current_msr() & MSR_LE);
  uint64_t interrupts_before = records[cpu].count;
  for (unsigned i = 0; i < count; ++i) {
    if (i % 256 == 0) map_pages(1, SCRATCH_EA(cpu), SCRATCH_REAL(cpu), SCRATCH_PAGES, WIMG_MEMORY);
    const unsigned words = 1 + next_random(state) % 6;
    for (unsigned w = 0; w < words; ++w) code[w] = (uint32_t)next_random(state);
    code[words] = 0x7fe00008; /* trap */
    for (unsigned w = 0; w <= words; ++w) __asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%0" : : "r"(&code[w]));
    __asm__ volatile("sync\n\tisync");
    run_generated(&records[cpu], SCRATCH_EA(cpu), msr, SCRATCH_EA(cpu) + 0x8000, 20000);
  }
  return records[cpu].count - interrupts_before;
}

/* One load or store of `size` bytes at `ea`, in supervisor state under
 * translation, then a trap. */
static void mmio_access(unsigned cpu, uint64_t ea, unsigned size, int store, uint64_t value) {
  static const uint32_t loads[] = {0x88a40000 /* lbz r5,0(r4) */, 0xa0a40000 /* lhz */, 0x80a40000 /* lwz */,
                                   0xe8a40000 /* ld */};
  static const uint32_t stores[] = {0x98a40000 /* stb r5,0(r4) */, 0xb0a40000 /* sth */, 0x90a40000 /* stw */,
                                    0xf8a40000 /* std */};
  volatile uint32_t *code = (volatile uint32_t *)SCRATCH_REAL(cpu);
  const unsigned index = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
  /* r4 = ea (below 4 GiB), r5 = the value's low 32 bits */
  code[0] = 0x3c800000 | ((ea >> 16) & 0xffff);    /* lis r4, ea@h */
  code[1] = 0x60840000 | (ea & 0xffff);            /* ori r4, r4, ea@l */
  code[2] = 0x78840020;                            /* clrldi r4, r4, 32 */
  code[3] = 0x3ca00000 | ((value >> 16) & 0xffff); /* lis r5, value@h */
  code[4] = 0x60a50000 | (value & 0xffff);         /* ori r5, r5, value@l */
  code[5] = 0x78a50020;                            /* clrldi r5, r5, 32 */
  code[6] = store ? stores[index] : loads[index];
  code[7] = 0x7fe00008;                            /* trap */
  for (unsigned w = 0; w <= 7; ++w) __asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%0" : : "r"(&code[w]));
  __asm__ volatile("sync\n\tisync");
  const uint64_t msr = MSR_SF | MSR_ME | MSR_IR | MSR_DR | MSR_RI | (current_msr() & MSR_LE);
  run_generated(&records[cpu], SCRATCH_EA(cpu), msr, 0, 0x7fffffff);
}

/* Loads and stores around each window's start, inside it and past RAM,
 * mapped caching-inhibited and guarded (WIMG = 0101) as a kernel maps MMIO. */
static uint64_t random_mmio(uint64_t *state, unsigned cpu, unsigned count) {
  static const uint64_t targets[] = {PHB_WINDOW32, PHB_WINDOW64, PHB_WINDOW32 + 0x80000000ul - 0x10000};
  uint64_t machine_checks = 0;
  map_pages(1, SCRATCH_EA(cpu), SCRATCH_REAL(cpu), SCRATCH_PAGES, WIMG_MEMORY);
  for (unsigned i = 0; i < count; ++i) {
    uint64_t base = targets[next_random(state) % 3];
    if (next_random(state) % 8 == 0) base = (ram_size + 0xffff) & ~0xfffful;
    const uint64_t offset = next_random(state) % 0x10000;
    const uint64_t page = (base + offset) & ~0xffful;
    map_pages(2, MMIO_EA + cpu * 0x10000ul, page, 1, WIMG_DEVICE);
    const unsigned size = 1u << (next_random(state) % 4);
    const uint64_t ea = MMIO_EA + cpu * 0x10000ul + ((offset & 0xfff) & ~(uint64_t)(size - 1));
    mmio_access(cpu, ea, size, (int)(next_random(state) & 1), next_random(state));
    if (records[cpu].vector == 0x200) ++machine_checks;
  }
  return machine_checks;
}

/* --- The PCI host bridge and the virtio-pci functions behind it: a driver
 * that follows the protocol just far enough to make the devices read its
 * rings, which then hold garbage. Rings and buffers that point into RAM
 * point into PCI_REAL's 64 KiB, so that a device obeying them harms no
 * one; the rest point past RAM, misaligned or nowhere. --- */
#define PHB_BUID 0x800000020000000ul
#define PCI_BUS_WINDOW32 0x80000000ul /* the bus address PHB_WINDOW32 maps */
#define PCI_REAL 0xa00000ul
#define PCI_DMA (PCI_REAL + 0x8000ul)
#define VIRTIO_VENDOR 0x1af4
static uint32_t read_config_token, write_config_token, change_msi_token;

/* A configuration address (PAPR): register bits 0-7, extended register
 * bits 24-27, device bits 11-15, bus 0. */
static uint32_t config_address(unsigned slot, uint32_t reg) {
  return (slot << 11) | (reg & 0xff) | ((reg >> 8 & 0xf) << 24);
}
static uint32_t pci_config_read(unsigned slot, uint32_t reg, uint32_t size, uint32_t *value) {
  const uint32_t args[4] = {config_address(slot, reg), (uint32_t)(PHB_BUID >> 32), (uint32_t)PHB_BUID, size};
  uint32_t rets[2] = {0, 0};
  rtas_call_token(read_config_token, 4, 2, args, rets);
  *value = rets[1];
  return rets[0];
}
static void pci_config_write(unsigned slot, uint32_t reg, uint32_t size, uint32_t value) {
  const uint32_t args[5] = {config_address(slot, reg), (uint32_t)(PHB_BUID >> 32), (uint32_t)PHB_BUID, size, value};
  uint32_t rets[1];
  rtas_call_token(write_config_token, 5, 1, args, rets);
}

static void bar_access(uint64_t bar_cpu, uint64_t offset, unsigned size, int store, uint32_t value) {
  const uint64_t address = bar_cpu + offset;
  map_pages(2, MMIO_EA, address & ~0xffful, 1, WIMG_DEVICE);
  mmio_access(0, MMIO_EA + (address & 0xfff), size, store, value);
}
static void bar_write(uint64_t bar_cpu, uint64_t offset, unsigned size, uint32_t value) {
  bar_access(bar_cpu, offset, size, 1, value);
}

static void put_le(uint64_t address, uint64_t value, unsigned bytes) {
  volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)address;
  for (unsigned i = 0; i < bytes; ++i) p[i] = (uint8_t)(value >> (8 * i));
}

/* A ring address: usually where it belongs, sometimes past RAM, at RAM's
 * last bytes, or misaligned. */
static uint64_t ring_address(uint64_t *state, uint64_t proper) {
  switch (next_random(state) % 16) {
    case 0: return ram_size - 8;
    case 1: return 0xfffffffffffff000ul;
    case 2: return proper + 2;
    default: return proper;
  }
}

static void write_rings(uint64_t *state, unsigned size) {
  for (unsigned i = 0; i < size; ++i) {
    const uint64_t r = next_random(state);
    uint64_t address = PCI_DMA + r % 0x7000;
    uint32_t length = (uint32_t)(next_random(state) % (PCI_REAL + 0x10000 - address));
    switch (r >> 60) {
      case 0: address = ram_size - 16; length = 64; break; /* runs past RAM */
      case 1: address = 1ul << 63 | r; break;
      case 2: length = 0; break;
      case 3: length = 0xffffffff; break;
      default: break;
    }
    const uint64_t descriptor = PCI_REAL + 16ul * i;
    put_le(descriptor, address, 8);
    put_le(descriptor + 8, length, 4);
    put_le(descriptor + 12, next_random(state) & 7, 2); /* NEXT, WRITE, INDIRECT */
    put_le(descriptor + 14, next_random(state) % (size + 2), 2);
  }
  put_le(PCI_REAL + 0x1000, next_random(state) & 1, 2);                /* flags */
  put_le(PCI_REAL + 0x1002, next_random(state) % (2 * size + 2), 2);    /* idx, sometimes far ahead */
  for (unsigned i = 0; i < size + 1; ++i) put_le(PCI_REAL + 0x1004 + 2 * i, next_random(state) % (size + 2), 2);
  __asm__ volatile("sync");
}

/* MSI-X: vectors granted through ibm,change-msi (sometimes), MSI-X
 * enabled and masked at random, vectors mapped to queues at random, and
 * table entries rewritten with garbage or with another function's message
 * (the bridge must drop what it did not program). */
static void msix_mischief(uint64_t *state, unsigned slot) {
  uint32_t cap = 0, msix_bar = 0;
  pci_config_read(slot, 0x34, 1, &cap);
  for (int hops = 0; cap != 0 && hops < 48; ++hops) {
    uint32_t id = 0;
    pci_config_read(slot, cap, 1, &id);
    if (id == 0x11) break;
    pci_config_read(slot, cap + 1, 1, &cap);
  }
  if (cap == 0) return;
  if (next_random(state) & 1) {
    const uint32_t args[6] = {config_address(slot, 0), (uint32_t)(PHB_BUID >> 32), (uint32_t)PHB_BUID, 4,
                              (uint32_t)(next_random(state) % 6), 1};
    uint32_t rets[4];
    rtas_call_token(change_msi_token, 6, 4, args, rets);
  }
  pci_config_write(slot, cap + 2, 2, (uint32_t)next_random(state));  /* Enable, Function Mask, read-only rest */
  pci_config_read(slot, 0x14, 4, &msix_bar);
  const uint64_t table = PHB_WINDOW32 + ((msix_bar & ~0xful) - PCI_BUS_WINDOW32);
  for (int i = 0; i < 4; ++i) {
    const uint64_t r = next_random(state);
    const uint32_t value = r & 1 ? (uint32_t)next_random(state) : 0x1000 + (uint32_t)(r >> 8) % 64;
    if ((r >> 4) % 3 == 0) bar_write(table, 16 * ((r >> 16) % 5), 4, 0);          /* address low: 0 */
    bar_write(table, ((r >> 24) % 0x820) & ~3ul, 4, value);                      /* entries and the PBA */
  }
}

/* One device: hostile config accesses, BARs moved over RAM and over each
 * other, then a driver bring-up with rings full of garbage, kicks in and
 * out of range, random register writes and MSI-X mischief. Returns the
 * kicks made. */
static uint64_t attack_function(uint64_t *state, unsigned slot, uint32_t bar, uint32_t other_bar) {
  const uint64_t bar_cpu = PHB_WINDOW32 + ((bar & ~0xful) - PCI_BUS_WINDOW32);
  uint32_t ignored;
  /* Random hypercalls may have removed the generated code's mapping. */
  map_pages(1, SCRATCH_EA(0), SCRATCH_REAL(0), SCRATCH_PAGES, WIMG_MEMORY);
  for (int i = 0; i < 8; ++i) {
    const uint32_t reg = (uint32_t)(next_random(state) % 0x1100);
    const uint32_t size = 1u << (next_random(state) % 4);
    if (next_random(state) & 1) pci_config_read(slot, reg, size, &ignored);
    else pci_config_write(slot, reg, size, (uint32_t)next_random(state));
  }
  pci_config_read(31, 0, 4, &ignored); /* a slot with nothing in it */
  const uint32_t moved[] = {0, other_bar, (uint32_t)next_random(state)};
  pci_config_write(slot, 0x10, 4, moved[next_random(state) % 3]);
  bar_write(bar_cpu, 0x14, 1, 0xf);
  pci_config_write(slot, 0x10, 4, bar);
  pci_config_write(slot, 0x04, 2, 0x6); /* memory space and bus master, as the machine left them */

  bar_write(bar_cpu, 0x14, 1, 0); /* reset */
  bar_write(bar_cpu, 0x14, 1, 3); /* ACKNOWLEDGE | DRIVER */
  bar_write(bar_cpu, 0x08, 4, 1);
  bar_write(bar_cpu, 0x0c, 4, 1); /* VERSION_1 */
  bar_write(bar_cpu, 0x08, 4, 0);
  bar_write(bar_cpu, 0x0c, 4, (uint32_t)next_random(state) & (3u << 28)); /* INDIRECT_DESC, EVENT_IDX */
  bar_write(bar_cpu, 0x14, 1, 0xb); /* FEATURES_OK */
  uint64_t kicks = 0;
  if (next_random(state) % 4 == 0) {
    bar_write(bar_cpu, 0x3000, 2, 0); /* before DRIVER_OK */
    ++kicks;
  }
  const unsigned size = 1u << (next_random(state) % 9);
  write_rings(state, size);
  bar_write(bar_cpu, 0x16, 2, 0);
  bar_write(bar_cpu, 0x18, 2, size);
  const uint64_t areas[3] = {ring_address(state, PCI_REAL), ring_address(state, PCI_REAL + 0x1000),
                             ring_address(state, PCI_REAL + 0x2000)};
  for (unsigned a = 0; a < 3; ++a) {
    bar_write(bar_cpu, 0x20 + 8 * a, 4, (uint32_t)areas[a]);
    bar_write(bar_cpu, 0x24 + 8 * a, 4, (uint32_t)(areas[a] >> 32));
  }
  bar_write(bar_cpu, 0x10, 2, (uint32_t)next_random(state) % 6); /* msix_config, sometimes no such vector */
  bar_write(bar_cpu, 0x1a, 2, (uint32_t)next_random(state) % 6); /* queue_msix_vector */
  bar_write(bar_cpu, 0x1c, 2, 1);   /* queue_enable */
  bar_write(bar_cpu, 0x14, 1, 0xf); /* DRIVER_OK */
  msix_mischief(state, slot);
  for (int i = 0; i < 4; ++i) {
    bar_write(bar_cpu, 0x3000 + 4 * (next_random(state) % 3), 2, 0); /* queue 0, or none such */
    ++kicks;
    write_rings(state, size);
    bar_access(bar_cpu, 0x1000, 1, 0, 0); /* ISR: read and clear */
    bar_write(bar_cpu, next_random(state) % 0x40, 1u << (next_random(state) % 3), (uint32_t)next_random(state));
  }
  bar_write(bar_cpu, 0x14, 1, 0); /* reset: the device lets go of the rings */
  pci_config_write(slot, 0x04, 2, 0x6);
  return kicks;
}

/* Every virtio function on the bridge, `rounds` times; counts them in
 * *functions. */
static uint64_t pci_attack(uint64_t *state, unsigned rounds, uint64_t *functions) {
  uint32_t bars[32];
  unsigned slots[32], found = 0;
  for (unsigned slot = 0; slot < 32; ++slot) {
    uint32_t id = 0;
    if (pci_config_read(slot, 0, 4, &id) != 0 || (id & 0xffff) != VIRTIO_VENDOR) continue;
    pci_config_read(slot, 0x10, 4, &bars[found]);
    slots[found++] = slot;
  }
  *functions = found;
  uint64_t kicks = 0;
  for (unsigned round = 0; round < rounds; ++round) {
    for (unsigned i = 0; i < found; ++i) kicks += attack_function(state, slots[i], bars[i], bars[(i + 1) % found]);
  }
  return kicks;
}

static void install_vectors(void) {
  for (uint32_t vector = 0x100; vector <= 0xf80; vector += 0x20) {
    volatile uint32_t *target = (volatile uint32_t *)(uintptr_t)vector;
    for (const uint32_t *word = hostile_vector_stub; word < hostile_vector_stub_end; ++word, ++target)
      *target = word == hostile_vector_stub + 1 ? *word | vector : *word;
    __asm__ volatile("dcbst 0,%0\n\tsync\n\ticbi 0,%0\n\tsync\n\tisync" : : "r"(vector) : "memory");
  }
}

static void print_number(const char *name, uint64_t value) {
  char text[24];
  int length = 0;
  char digits[21];
  int count = 0;
  do digits[count++] = (char)('0' + value % 10), value /= 10;
  while (value > 0);
  while (count > 0) text[length++] = digits[--count];
  text[length] = 0;
  console_write(name);
  console_write(text);
  console_write("\n");
}

static uint64_t hypercall_count = 1000000, rtas_count = 100000, word_count = 100000, mmio_count = 20000,
                pci_rounds = 200;

static void attack(unsigned cpu) {
  uint64_t state = 0x9e3779b97f4a7c15ull * (cpu + 1);
  __asm__ volatile("mtsprg0 %0" : : "r"(&records[cpu]));
  /* Interleaved rounds, so that each surface sees the state the others left. */
  uint64_t totals[5] = {0}, functions = 0;
  for (unsigned round = 0; round < 10; ++round) {
    totals[0] += random_hypercalls(&state, cpu, hypercall_count / 10);
    __asm__ volatile("mtsprg0 %0" : : "r"(&records[cpu]));
    totals[1] += random_rtas_calls(&state, cpu, rtas_count / 10);
    totals[2] += random_words(&state, cpu, word_count / 10);
    totals[3] += random_mmio(&state, cpu, mmio_count / 10);
    if (cpu == 0) totals[4] += pci_attack(&state, pci_rounds / 10, &functions);
  }
  if (cpu == 0) {
    console_write("\n"); /* after whatever random H_PUT_TERM_CHARs printed */
    print_number("hostile: hypercalls that succeeded: ", totals[0]);
    print_number("hostile: RTAS calls that succeeded: ", totals[1]);
    print_number("hostile: interrupts from random words: ", totals[2]);
    print_number("hostile: machine checks from MMIO probes: ", totals[3]);
    print_number("hostile: virtio functions: ", functions);
    print_number("hostile: virtqueue kicks: ", totals[4]);
  }
}

void secondary_main(struct secondary_start *start) {
  attack((unsigned)start->cpu);
  __atomic_add_fetch(&finished_cpus, 1, __ATOMIC_SEQ_CST);
  for (;;) __asm__ volatile("or 1,1,1\n\tor 2,2,2");
}

void guest_main(const void *fdt) {
  if (console_init(fdt) != 0 || rtas_init(fdt) != 0) return;
  device_tree = fdt;
  device_tree_size = fdt_cell((const uint8_t *)fdt + 4, 0); /* totalsize */
  uint32_t length = 0;
  const void *reg = fdt_property(fdt, "/memory@0", "reg", &length);
  ram_size = reg && length >= 16 ? (uint64_t)fdt_cell(reg, 2) << 32 | fdt_cell(reg, 3) : 0x10000000;
  const void *pft_size = fdt_property(fdt, "/cpus/PowerPC,POWER8@0", "ibm,pft-size", 0);
  const uint64_t hpt_order = pft_size ? fdt_cell(pft_size, 1) : 18;
  hpt_groups = 1u << (hpt_order - 7);
  const unsigned cpus = fdt_property(fdt, "/cpus/PowerPC,POWER8@1", "reg", 0) ? 2 : 1;
  for (unsigned i = 0; i < RTAS_FUNCTIONS; ++i) rtas_tokens[i] = rtas_token(rtas_functions[i]);
  read_config_token = rtas_token("ibm,read-pci-config");
  write_config_token = rtas_token("ibm,write-pci-config");
  change_msi_token = rtas_token("ibm,change-msi");
  const uint32_t power_off = rtas_token("power-off");
  const uint32_t start_cpu = rtas_token("start-cpu");
  console_write("hostile: start\n");

  uint64_t le_args[9] = {
#ifdef __LITTLE_ENDIAN__
      1,
#else
      0,
#endif
      H_SET_MODE_RESOURCE_LE};
  if (hcall9(H_SET_MODE, le_args) != H_SUCCESS) console_write("hostile: H_SET_MODE failed\n");
  install_vectors();

  static struct secondary_start secondary = {0, 1};
  if (cpus == 2) {
    secondary.stack_top = (uint64_t)(uintptr_t)(secondary_stack + sizeof(secondary_stack));
    const uint32_t args[3] = {1, (uint32_t)(uintptr_t)secondary_entry, (uint32_t)(uintptr_t)&secondary};
    uint32_t status[1];
    if (rtas_call_token(start_cpu, 3, 1, args, status) != 0) console_write("hostile: start-cpu failed\n");
  }
  attack(0);
  if (cpus == 2) {
    while (__atomic_load_n(&finished_cpus, __ATOMIC_SEQ_CST) < 1) __asm__ volatile("or 1,1,1\n\tor 2,2,2");
  }
  console_write("\n"); /* after the other CPU's random H_PUT_TERM_CHARs */
  print_number("hostile: cpus: ", cpus);
  console_write("hostile: survived\n");
  const uint32_t power_on_mask[2] = {0xffffffff, 0xffffffff};
  uint32_t status[1];
  rtas_call_token(power_off, 2, 1, power_on_mask, status);
}
