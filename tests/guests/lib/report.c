#include "report.h"

#include "papr.h"

static uint32_t power_off_token = 0xffffffff;

/* Everything that asks the firmware is done here: guests may then
 * overwrite low memory with interrupt vectors. */
int report_begin(const void *fdt, const char *area) {
  if (console_init(fdt) != 0) return -1;
  if (rtas_init(fdt) == 0) power_off_token = rtas_token("power-off");
  console_write(GUEST_MARKER_BEGIN);
  console_write(area);
  console_write(" ===\n");
  return 0;
}

/* Hex without leading zeros: short values stay readable in the diffs. */
static int append_hex(char *text, uint64_t value) {
  int length = 0;
  text[length++] = '0';
  text[length++] = 'x';
  int shift = 60;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) text[length++] = "0123456789abcdef"[(value >> shift) & 0xf];
  text[length] = 0;
  return length;
}

static int append_decimal(char *text, int value) {
  char digits[12];
  int count = 0;
  do digits[count++] = (char)('0' + value % 10), value /= 10;
  while (value > 0);
  for (int i = 0; i < count; ++i) text[i] = digits[count - 1 - i];
  text[count] = 0;
  return count;
}

void report(const char *name, uint64_t value) {
  char text[20];
  append_hex(text, value);
  report_text(name, text);
}

void report_case(const char *name, int a, int b, int count, const uint64_t *values) {
  char text[24 * 8];
  int length = 0;
  if (a >= 0 || b >= 0) {
    text[length++] = '[';
    if (a >= 0) length += append_decimal(text + length, a);
    if (a >= 0 && b >= 0) text[length++] = ',';
    if (b >= 0) length += append_decimal(text + length, b);
    text[length++] = ']';
  }
  text[length++] = ':';
  for (int i = 0; i < count && i < 8; ++i) {
    text[length++] = ' ';
    length += append_hex(text + length, values[i]);
  }
  text[length++] = '\n';
  text[length] = 0;
  console_write(name);
  console_write(text);
}

void report_text(const char *name, const char *text) {
  console_write(name);
  console_write(": ");
  console_write(text);
  console_write("\n");
}

void report_end(void) {
  console_write(GUEST_MARKER_END "\n");
  const uint32_t power_on_mask[2] = {0xffffffff, 0xffffffff};
  uint32_t status[1];
  rtas_call_token(power_off_token, 2, 1, power_on_mask, status);
}
