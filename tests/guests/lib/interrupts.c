#include "interrupts.h"

#include "papr.h"

#define H_SET_MODE 0x31c
#define H_SET_MODE_RESOURCE_LE 4

/* Copied to each vector with the vector's address patched into the li:
 * it frees r3 in SPRG1 and branches absolutely (the guest sits below
 * 32 MiB) to the common part. */
__asm__(".pushsection .text\n"
        "  .globl interrupt_stub, interrupt_stub_end\n"
        "interrupt_stub:\n"
        "  mtsprg1 r3\n"
        "  li r3, 0\n"
        "  ba interrupt_common\n"
        "interrupt_stub_end:\n"
        "interrupt_common:\n"
        "  std r3, 0x1800(0)\n"
        "  mtsprg2 r4\n"
        "  mfsrr0 r4\n"
        "  std r4, 0x1808(0)\n"
        "  mfsrr1 r4\n"
        "  std r4, 0x1810(0)\n"
        "  mfdar r4\n"
        "  std r4, 0x1818(0)\n"
        "  mfdsisr r4\n"
        "  std r4, 0x1820(0)\n"
        "  ld r4, 0x1830(0)\n"
        "  addi r4, r4, 1\n"
        "  std r4, 0x1830(0)\n"
        "  ld r4, 0x1828(0)\n"
        "  mtsrr0 r4\n"
        "  ld r4, 0x1838(0)\n"
        "  mtsrr1 r4\n"
        "  mfsprg2 r4\n"
        "  mfsprg1 r3\n"
        "  rfid\n"
        ".popsection\n");

extern const uint32_t interrupt_stub[], interrupt_stub_end[];

static void install(uint32_t vector) {
  volatile uint32_t *target = (volatile uint32_t *)(uintptr_t)vector;
  for (const uint32_t *word = interrupt_stub; word < interrupt_stub_end; ++word, ++target)
    *target = word == interrupt_stub + 1 ? *word | vector : *word;
  __asm__ volatile("sync\n\ticbi 0,%0\n\tsync\n\tisync" : : "r"(vector) : "memory");
}

int interrupts_install(void) {
#ifdef __LITTLE_ENDIAN__
  const unsigned long little_endian = 1;
#else
  const unsigned long little_endian = 0;
#endif
  if (hcall(H_SET_MODE, little_endian, H_SET_MODE_RESOURCE_LE, 0, 0).status != H_SUCCESS) return -1;
  /* Every 0x20: the hypervisor-style vectors (0xe40 ...) and the
   * facility-unavailable ones (0xf20 ...) sit at odd multiples of 0x20. */
  for (uint32_t vector = 0x100; vector <= 0xf60; vector += 0x20) install(vector);
  for (unsigned i = 0; i < sizeof(struct interrupt_record) / 8; ++i) ((volatile uint64_t *)interrupts)[i] = 0;
  return 0;
}
