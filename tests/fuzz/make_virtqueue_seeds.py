#!/usr/bin/env python3
"""Writes the virtqueue_fuzzer seeds: a driver that brings a device up and
makes one well-formed request (plain, chained and indirect), in the script
format virtqueue_fuzzer.cpp reads. Run it after changing that format."""
import pathlib
import struct

OUT = pathlib.Path(__file__).parent / "corpus" / "virtqueue_fuzzer"
RAM = 64 * 1024


def below(value):  # FuzzInput::take_below: a u64 taken modulo the bound
    return struct.pack("<Q", value)


def boolean(value):
    return bytes([1 if value else 0])


def bring_up(queues, event_index=False, indirect=False):
    script = below(0) + boolean(event_index) + boolean(indirect)
    for q in range(queues):
        base = 0x1000 + q * 0x3000
        script += below(4) + below(base) + below(base + 0x1000) + below(base + 0x2000)  # 16 entries
    return script


def ram(address, data):
    return below(5) + below(address) + below(len(data)) + data


def descriptor(address, length, flags, next_index=0):
    return struct.pack("<QIHH", address, length, flags, next_index)


def avail(head, index=1):
    return struct.pack("<HHH", 0, index, head)


def kick(queue):
    return below(6) + below(queue)


NEXT, WRITE, INDIRECT = 1, 2, 4
seeds = {
    "entropy-one-request": boolean(True) + bring_up(1) + ram(0x1000, descriptor(0x8000, 64, WRITE))
    + ram(0x2000, avail(0)) + kick(0),
    "echo-chained": boolean(False) + bring_up(2) + ram(0x8000, b"request!")
    + ram(0x1000, descriptor(0x8000, 8, NEXT, 1) + descriptor(0x9000, 8, WRITE))
    + ram(0x2000, avail(0)) + kick(0),
    "echo-indirect-event-index": boolean(False) + bring_up(2, event_index=True, indirect=True)
    + ram(0x7000, descriptor(0x8000, 8, NEXT, 1) + descriptor(0x9000, 8, WRITE))
    + ram(0x4000, descriptor(0x7000, 32, INDIRECT)) + ram(0x5000, avail(0)) + kick(1),
}
OUT.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (OUT / name).write_bytes(data)
