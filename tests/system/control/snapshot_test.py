#!/usr/bin/env python3
"""Snapshot, restore and accelerator switches through the control socket, as
a user would do them: Debian's kernel at its shell with a marker file in
tmpfs and a background loop printing a counter. switch-accelerator interp
(onto a new interpreter: the whole switch path) and the counter goes on; a
switch to an accelerator that cannot run here (kvm on a host without it) or
does not exist fails and the guest goes on. snapshot-save, quit; a new
mosaic with --restore goes on: the counter continues, the marker is there,
poweroff -f exits 0. Then the files a restore must refuse: another machine
shape, another format version, a truncated file and a flipped byte.
With `disk`, one vCPU and a virtio-blk disk (and an entropy source): the
guest writes a random pattern with direct I/O and keeps rewriting another
part of the disk while the snapshot is taken; after the restore the disk
reads back the pattern, and so does the host from the image.

    snapshot_test.py MOSAIC SOURCE_DIR CPUS|disk
"""
import os
import re
import subprocess
import sys
import tempfile
import time

from control_test import MOSAIC, TIMEOUT, Client, Guest, check, fail

DISK = sys.argv[3] == "disk"
CPUS = 1 if DISK else int(sys.argv[3])


def counters(guest, start=0):
    """The counter values the guest's loop printed after console offset start."""
    with guest.lock:
        text = guest.console[start:].decode(errors="replace")
    return [int(value) for value in re.findall(r"^count-(\d+)\r?$", text, re.MULTILINE)]


def wait_counter_above(guest, value, start=0):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        seen = counters(guest, start)
        if seen and seen[-1] > value:
            return seen
        if guest.process.poll() is not None:
            break
        time.sleep(0.2)
    fail(f"the counter did not pass {value}", guest)


def sha_after(guest, prefix, start=0):
    """The sha256 the guest printed after prefix (once the whole line is there)."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        with guest.lock:
            text = guest.console[start:].decode(errors="replace")
        found = re.search(re.escape(prefix) + r"([0-9a-f]{64})", text)
        if found:
            return found.group(1)
        time.sleep(0.1)
    fail(f"no '{prefix}' and a sha256 on the console", guest)


def refused(work, config, snapshot, expected):
    """mosaic run --restore must exit 2 naming the problem, running nothing."""
    result = subprocess.run([MOSAIC, "run", config, "--restore", snapshot], capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    check(result.returncode == 2 and expected in result.stderr,
          f"restore of {os.path.basename(snapshot)}: status {result.returncode}, stderr {result.stderr!r}, "
          f"expected '{expected}'")
    check("MOSAIC-INIT" not in result.stdout and "count-" not in result.stdout, "a refused restore ran the guest")


def main():
    work = tempfile.mkdtemp()
    devices = ""
    if DISK:
        with open(os.path.join(work, "disk.img"), "wb") as image:
            image.truncate(32 << 20)
        devices = "devices:\n  - {type: virtio-blk, image: disk.img}\n  - {type: virtio-rng}\n"
    original = Guest(work, "original", cpus=CPUS, devices=devices)
    client = Client(original.socket_path)
    original.wait_console("MOSAIC-INIT: up")
    if DISK:
        original.type("dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null")
        original.type("dd if=/tmp/pattern of=/dev/vda bs=1M oflag=direct conv=fsync 2>/dev/null")
        original.type('echo pattern-""sha $(sha256sum </tmp/pattern | cut -c1-64)')
        pattern_sha = sha_after(original, "pattern-sha ")
        original.type("(while true; do dd if=/tmp/pattern of=/dev/vda bs=1M seek=8 oflag=direct 2>/dev/null; done) &")
    original.type('echo snapshot-marker-""7531 > /tmp/marker')
    original.type('(i=0; while true; do i=$((i+1)); echo "count-$i"; sleep 1; done) &')
    before = wait_counter_above(original, 2)
    at_switch = before[-1]
    started = time.time()
    client.ok("switch-accelerator", {"name": "interp"})
    switch_seconds = time.time() - started
    before = wait_counter_above(original, at_switch + 1)
    across = [value for value in before if value >= at_switch]
    check(across == list(range(at_switch, at_switch + len(across))), f"the counter skipped across the switch: {before}")
    for name in ("kvm", "no-such-accelerator"):
        reply = client.execute("switch-accelerator", {"name": name})
        check("error" in reply, f"switch-accelerator {name} succeeded on this host: {reply}")
        before = wait_counter_above(original, before[-1] + 1)
    check(client.ok("query-status")["running"] is True, "the VM is not running after the switches")
    snapshot = os.path.join(work, "guest.snap")
    started = time.time()
    client.ok("snapshot-save", {"path": snapshot})
    saved_after = time.time() - started
    check(os.path.getsize(snapshot) > 0, "no snapshot file")
    check(client.ok("query-status")["running"] is True, "the VM did not run on after snapshot-save")
    last = counters(original)[-1]
    client.ok("quit")
    check(original.process.wait(timeout=60) == 0, "mosaic did not exit 0 after quit")

    restored = Guest(work, "restored", cpus=CPUS, restore=snapshot, devices=devices)
    seen = wait_counter_above(restored, before[-1])
    check(seen[0] <= last + 1, f"the counter restarted or jumped: saved near {before[-1]}, then {seen}")
    check(seen == list(range(seen[0], seen[0] + len(seen))), f"the counter skipped: {seen}")
    mark = restored.console_length()
    restored.type("cat /tmp/marker")
    restored.wait_console("snapshot-marker-7531", mark)
    if DISK:
        for skip in (0, 8):
            restored.type(f'echo disk-""read-{skip} $(dd if=/dev/vda bs=1M skip={skip} count=4 iflag=direct '
                          '2>/dev/null | sha256sum | cut -c1-64)')
            read_sha = sha_after(restored, f"disk-read-{skip} ", mark)
            check(read_sha == pattern_sha, f"the disk at {skip} MiB reads {read_sha}, wrote {pattern_sha}")
    restored.type("poweroff -f")
    status = restored.process.wait(timeout=TIMEOUT)
    if status != 0:
        fail(f"the restored mosaic exited {status}", restored)
    if DISK:
        import hashlib
        with open(os.path.join(work, "disk.img"), "rb") as image:
            host_sha = hashlib.sha256(image.read(4 << 20)).hexdigest()
        check(host_sha == pattern_sha, f"the image holds {host_sha}, the guest wrote {pattern_sha}")

    # What a restore refuses.
    other_shape = Guest(work, "shape", cpus=CPUS + 1, devices=devices)
    other_shape.process.kill()
    other_shape.process.wait()
    refused(work, other_shape.config, snapshot, "vCPU(s)")
    data = open(snapshot, "rb").read()
    versioned = os.path.join(work, "version.snap")
    with open(versioned, "wb") as out:
        out.write(data[:16] + bytes([data[16] + 1]) + data[17:])
    refused(work, restored.config, versioned, "format version")
    truncated = os.path.join(work, "truncated.snap")
    with open(truncated, "wb") as out:
        out.write(data[: len(data) * 2 // 3])
    refused(work, restored.config, truncated, "truncated")
    flipped = os.path.join(work, "flipped.snap")
    with open(flipped, "wb") as out:
        middle = len(data) // 2
        out.write(data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1:])
    refused(work, restored.config, flipped, "damaged")
    print(f"snapshot ({CPUS} vCPU(s){', a disk' if DISK else ''}): switched interp to interp in {switch_seconds:.2f} s; saved in "
          f"{saved_after:.2f} s, {len(data)} bytes; the restored guest counted on from {seen[0]} and kept its marker; "
          "another shape, version, truncation and a flipped byte refused")


if __name__ == "__main__":
    main()
