"""
QEMU virt's platform devices, emulated (emulators/): the guest's virtual PLIC
delivers the UART's and the RTC's interrupts to the VCPU whose context enables
them, the goldfish RTC reads Keel's wall clock, the syscon powers off, resets
or fails its own guest only, bad accesses to each device give QEMU's value or
halt that guest alone, and the generated device tree has QEMU virt's shape.
The test guest's plic and rtc checks pass natively too (test_guest_native.py).
"""
import os
import re
import subprocess

import pytest

from conftest import QEMU
from test_guest_lifecycle import heartbeat
from test_guests import (PLATFORM, create, guest_states, package, results,
                         run_to_shutdown, wait_stopped)

CHECKS = "uart,plic,rtc"
T6 = re.compile(rb" t6: [0-9a-f]{16}\r*\n")


@pytest.mark.parametrize("smp,vcpus", [(1, 1), (2, 2), (1, 2)])
def test_interrupts_reach_the_right_vcpu(keel_factory, tmp_path, smp, vcpus):
    k = keel_factory(smp=smp, extra_args=["-initrd", package(
        tmp_path, {"p": CHECKS}, devices={"p": PLATFORM}, vcpus=vcpus)])
    assert k.cmd("guest create guests/p.dtb") == \
        f"guest 'p' created: id 0, {vcpus} vcpus, 65536 KiB RAM"
    run_to_shutdown(k, "p")
    text = k.output
    assert results(text, "p") == {t: "ok" for t in CHECKS.split(",")}, text[-3000:]
    # With two VCPUs the UART's interrupt also goes to VCPU 1's S-mode context (3) only.
    where = " and hart 1's 3" if vcpus == 2 else ""
    assert f"[p] BASIC: plic ok 96 sources at 0xc000000, UART source 10 on context 1{where}\n" \
        in text
    rtc = re.search(r"\[p\] BASIC: rtc ok (\d+) s since 1970, 10 ms read as \d+ us, "
                    r"alarm interrupt taken\n", text)
    # The guest's RTC is Keel's wall clock, set at boot from QEMU's own RTC.
    clock = re.search(r"^wall clock: (\d+) s since 1970 \(from google,goldfish-rtc at boot\)$",
                      k.cmd("host info"), re.M)
    assert rtc and clock and 0 <= int(clock.group(1)) - int(rtc.group(1)) < 60

    devices = k.lines("guest devices p")
    assert devices[0].split() == ["DEVICE", "MODEL", "BASE", "SIZE", "IRQ", "PENDING",
                                  "MMIO_EXITS"]
    rows = {line.split()[0]: line.split()[1:] for line in devices[1:5]}
    assert rows["uart@10000000"][:5] == ["ns16550a", "0x10000000", "0x100", "10", "no"]
    assert rows["rtc@101000"][:5] == ["google,goldfish-rtc", "0x101000", "0x1000", "11", "no"]
    assert rows["test@100000"][:5] == ["sifive,test1", "0x100000", "0x1000", "-", "-"]
    assert rows["plic@c000000"][:5] == ["sifive,plic-1.0.0", "0xc000000", "0x600000", "-", "-"]
    assert int(rows["plic@c000000"][5]) > 20
    # The PLIC's state: nothing pending or in service, the checks left every context off.
    assert devices[5] == "plic@c000000: 96 sources; pending: -; in service: -"
    assert devices[6:] == [f"  vcpu {i} (context {2 * i + 1}): threshold 0, enabled: -; "
                           "VSEIP low" for i in range(vcpus)]


def test_poweroff_stops_only_that_guest(keel_factory, tmp_path):
    guests = {"off": "poweroff", "beat": "heartbeat",
              "fail": "poweroff keel.poweroff_value=0x73333"}
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, guests, devices={name: PLATFORM for name in guests},
        boot="guest create guests/off.dtb\nguest create guests/beat.dtb\n"
             "guest create guests/fail.dtb\nguest start beat\n")])
    k.expect(re.compile(rb"\[beat\] BASIC: heartbeat counting at 0x80001000"))
    k.send("guest start off\r")
    assert wait_stopped(k, "off") == "guest 'off' stopped: poweroff through test@100000"
    k.send("guest start fail\r")
    assert wait_stopped(k, "fail") == \
        "guest 'fail' stopped: failure (code 7) through test@100000"
    text = k.output
    assert "[off] BASIC: info poweroff: writing 0x5555 to 0x100000\n" in text
    assert "[fail] BASIC: info poweroff: writing 0x73333 to 0x100000\n" in text
    # The write was the guest's last act, and the other guest kept running.
    assert "[off] BASIC: poweroff" not in text and "[fail] BASIC: poweroff" not in text
    states = guest_states(k)
    assert states == {"off": "stopped", "beat": "running", "fail": "stopped"}

    first = heartbeat(k, "beat")
    k.cmd("echo wait")
    assert heartbeat(k, "beat") > first
    assert k.cmd("guest halt beat") == "guest 'beat' halted: halted from the shell"


def test_syscon_reboot_resets_the_guest(keel_factory, tmp_path):
    k = keel_factory(smp=1, extra_args=["-initrd", package(
        tmp_path, {"rb": "poweroff keel.poweroff_value=0x7777"}, devices={"rb": PLATFORM},
        boot="guest create guests/rb.dtb\nguest start rb\n")])
    for _ in range(2):
        k.expect("guest 'rb' resetting: reboot through test@100000")
        k.expect("guest 'rb' running again after a reset")
    k.sync()
    k.send("guest halt rb\r")
    k.expect("guest 'rb' halted: halted from the shell")
    k.sync()
    assert k.output.count("[rb] BASIC: info poweroff: writing 0x7777 to 0x100000") >= 2


# (name, address, load size, what happens): an int is the value the load returns
# (QEMU's own answer there); a string is the start of the halt report (where QEMU
# raises a load access fault).
BAD = [
    ("plicbyte", 0xc000000, 1, "plic@c000000 (sifive,plic-1.0.0) refused a 1-byte load at "
                               "offset 0x0"),
    ("plicwide", 0xc000004, 8, "plic@c000000 (sifive,plic-1.0.0) refused a 8-byte load at "
                               "offset 0x4"),
    # QEMU splits a misaligned load into two aligned ones (and faults a misaligned store).
    ("plicodd", 0xc000006, 4, "plic@c000000 (sifive,plic-1.0.0) refused a 4-byte load at "
                              "offset 0x6"),
    ("plichole", 0xc001800, 4, 0),
    ("plicctx", 0xc200000 + 0x1000 * 9, 4, 0),
    ("rtcshort", 0x101000, 2, "rtc@101000 (google,goldfish-rtc) refused a 2-byte load at "
                              "offset 0x0"),
    ("rtcpast", 0x101030, 4, "rtc@101000 (google,goldfish-rtc) refused a 4-byte load at "
                             "offset 0x30"),
    ("rtcgap", 0x101020, 4, 0),
    ("testbyte", 0x100000, 1, "test@100000 (sifive,test1) refused a 1-byte load at "
                              "offset 0x0"),
    ("testwide", 0x100000, 8, "test@100000 (sifive,test1) refused a 8-byte load at "
                              "offset 0x0"),
    ("testhalf", 0x100002, 2, 0),
]


def test_bad_accesses_give_a_value_or_halt_the_guest(keel_factory, tmp_path):
    guests = {name: f"fault keel.fault_addr={addr:#x} keel.fault_size={size}"
              for name, addr, size, _ in BAD}
    guests["good"] = CHECKS
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, guests, devices={name: PLATFORM for name in guests})])
    for name, addr, size, what in BAD:
        create(k, name)
        k.send(f"guest start {name}\r")
        if isinstance(what, int):
            # The guest's fault mode reports a load that did not trap, and shuts down.
            assert wait_stopped(k, name) == \
                f"guest '{name}' stopped: vcpu 0: shut down (system failure)"
            assert f"[{name}] BASIC: fault FAIL load from {addr:#x} returned {what:#x} " \
                   "without a trap" in k.output
        else:
            halted = wait_stopped(k, name, then=T6)
            assert halted.startswith(f"guest '{name}' halted: vcpu 0: {what}: load "
                                     "guest-page fault at 0x"), halted
        assert k.cmd(f"guest destroy {name}") == f"guest '{name}' destroyed"
    # Keel, and a guest that uses the devices properly, are unaffected.
    create(k, "good")
    run_to_shutdown(k, "good")
    assert results(k.output, "good") == {t: "ok" for t in CHECKS.split(",")}


def test_unfit_platform_descriptions_are_refused(keel_factory, tmp_path):
    plic = ('plic@c000000 { compatible = "riscv,plic0"; reg = <0x0 0xc000000 0x0 0x600000>; '
            '%s};')
    uart = ('uart@10000000 { compatible = "ns16550a"; reg = <0x0 0x10000000 0x0 0x100>; '
            'interrupts = <%d>; };')
    devices = {
        "two": "devices { %s %s };" % (plic % "", plic.replace("c000000", "d000000") % ""),
        "high": "devices { %s %s };" % (plic % "riscv,ndev = <31>; ", uart % 32),
        "small": "devices { %s };" % plic.replace("0x600000", "0x400000") % "",
        "irq": "devices { %s };" % plic % "interrupts = <3>; ",
        "ndev": "devices { %s };" % (uart % 10).replace("interrupts = <10>;",
                                                       "riscv,ndev = <8>;"),
    }
    k = keel_factory(smp=1, extra_args=["-initrd", package(
        tmp_path, {name: "uart" for name in devices}, devices=devices)])
    errors = {
        "two": "error: guest 'two': devices 'plic@c000000' and 'plic@d000000' are both "
               "interrupt controllers (one per guest)",
        "high": "error: guest 'high': device 'uart@10000000': interrupt 32 is above the 31 "
                "sources of 'plic@c000000'",
        "small": "error: guest 'small': device 'plic@c000000': sifive,plic-1.0.0 needs "
                 "0x600000 bytes of registers, reg gives 0x400000",
        "irq": "error: guest 'irq': device 'plic@c000000': sifive,plic-1.0.0 has no "
               "interrupt line",
        "ndev": "error: guest 'ndev': device 'uart@10000000': riscv,ndev is for an interrupt "
                "controller, not ns16550a",
    }
    before = k.memory_in_use()
    for name, error in errors.items():
        assert k.cmd(f"guest create guests/{name}.dtb") == error
    assert k.lines("guest list")[1:] == []
    assert k.memory_in_use() == before


def fdt(path, node, prop=None, fmt="x"):
    """fdtget: a property's cells (hex) or string, or a node's property names."""
    args = ["fdtget", "-t", fmt, path, node, prop] if prop else ["fdtget", "-p", path, node]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()


def test_generated_device_tree_has_qemu_virts_shape(keel_factory, tmp_path):
    k = keel_factory(smp=1, extra_args=["-initrd", package(
        tmp_path, {"p": "uart"}, devices={"p": PLATFORM}, vcpus=2)])
    create(k, "p")
    # The DTB sits in the top 64 KiB of RAM; its header gives the size.
    dump = k.lines("guest dumpmem p 0x83ff0000 4096")
    blob = bytes.fromhex("".join("".join(line.split()[1:17]) for line in dump))
    ours = tmp_path / "ours.dtb"
    ours.write_bytes(blob[:int.from_bytes(blob[4:8], "big")])
    virt = tmp_path / "virt.dtb"
    subprocess.run([QEMU, "-M", f"virt,dumpdtb={virt}", "-smp", "2", "-m", "256M",
                    "-nographic"], check=True, capture_output=True)
    assert os.path.getsize(virt) > 0

    # Same node, same properties, same values but for phandles and node names.
    pairs = [("/soc/plic@c000000", "/soc/plic@c000000"),
             ("/soc/uart@10000000", "/soc/serial@10000000"),
             ("/soc/rtc@101000", "/soc/rtc@101000"),
             ("/soc/test@100000", "/soc/test@100000"),
             ("/poweroff", "/poweroff"), ("/reboot", "/reboot"),
             ("/cpus/cpu@0/interrupt-controller", "/cpus/cpu@0/interrupt-controller"),
             ("/cpus/cpu@1/interrupt-controller", "/cpus/cpu@1/interrupt-controller")]
    handles = {"phandle", "interrupt-parent", "regmap", "interrupts-extended"}
    for mine, theirs in pairs:
        assert sorted(fdt(ours, mine)) == sorted(fdt(virt, theirs)), mine
        for prop in set(fdt(ours, mine)) - handles:
            assert fdt(ours, mine, prop, "bx") == fdt(virt, theirs, prop, "bx"), (mine, prop)

    # Phandles lead where QEMU's do.
    def handle(path, node):
        return fdt(path, node, "phandle")[0]

    for path, uart in ((ours, "/soc/uart@10000000"), (virt, "/soc/serial@10000000")):
        plic = handle(path, "/soc/plic@c000000")
        intc = [handle(path, f"/cpus/cpu@{i}/interrupt-controller") for i in range(2)]
        assert fdt(path, "/soc/plic@c000000", "interrupts-extended") == \
            [intc[0], "b", intc[0], "9", intc[1], "b", intc[1], "9"]
        for dev in (uart, "/soc/rtc@101000"):
            assert fdt(path, dev, "interrupt-parent") == [plic]
        for node in ("/poweroff", "/reboot"):
            assert fdt(path, node, "regmap") == [handle(path, "/soc/test@100000")]
        assert fdt(path, "/chosen", "stdout-path", "s") == [uart]
