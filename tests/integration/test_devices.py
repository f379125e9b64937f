"""
Emulated devices and virtual serial lines: the test guest `basic` drives an
emulated ns16550A through MMIO (its `uart` check passes natively on QEMU's
UART too, test_guest_native.py), its output is kept per guest (`vserial
dump`), a bound terminal types into it (`vserial bind`, Ctrl-] q), and bad
device accesses or unknown devices stop only that guest or that command.
"""
import re

from test_guests import (ESCAPE, PLATFORM, UART, create, guest_states,
                         package, results, run_to_shutdown, wait_stopped)



def test_guest_uart_prints_through_mmio(keel_factory, tmp_path):
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, {"u": "uart,console"}, devices={"u": UART})])
    out = k.lines("guest check guests/u.dtb")
    assert "  device uart@10000000: ns16550a at 0x10000000+0x100, irq 10" in out
    create(k, "u")
    run_to_shutdown(k, "u")
    text = k.output
    assert results(text, "u") == {"uart": "ok", "console": "ok"}, text[-3000:]
    # The line the guest wrote byte by byte into THR, as a line of its console.
    assert "[u] BASIC: info uart THR prints\n" in text
    assert "[u] BASIC: uart ok ns16550a at 0x10000000\n" in text

    devices = k.lines("guest devices u")
    assert devices[0].split() == ["DEVICE", "MODEL", "BASE", "SIZE", "IRQ", "PENDING",
                                  "MMIO_EXITS"]
    name, model, base, size, irq, pending, exits = devices[1].split()
    assert (name, model, base, size, irq, pending) == \
        ("uart@10000000", "ns16550a", "0x10000000", "0x100", "10", "no")
    # Every register access of the check is one exit; it makes well over a hundred.
    assert int(exits) > 100

    # Its output is kept: the UART's and the SBI console's, in order.
    dump = k.cmd("vserial dump u").split("\n")
    assert "BASIC: info uart THR prints" in dump
    assert dump.index("BASIC: info uart THR prints") < \
        dump.index("BASIC: uart ok ns16550a at 0x10000000")
    assert dump[-1] == "BASIC: done 2/2"
    listing = k.lines("vserial list")
    assert listing[0].split() == ["GUEST", "BOUND", "BUFFERED", "INPUT"]
    guest, bound, buffered, pending_input = listing[1].split()
    assert (guest, bound, pending_input) == ("u", "no", "0")
    # The dump's bytes: its lines, their newlines, and the CR of the line sent through THR.
    assert int(buffered) == sum(len(line) + 1 for line in dump) + 1


def test_vserial_bind_types_into_the_guest(keel_factory, tmp_path):
    # With the PLIC: console_rx checks that SBI taking typed bytes lowers the UART's line.
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, {"rx": "uart_rx,console_rx"}, devices={"rx": PLATFORM})])
    create(k, "rx")
    k.send("guest start rx\r")
    # Unbound, the guest's question comes as a line of Keel's console.
    k.expect(re.compile(rb"\[rx\] BASIC: info uart_rx: type a line\r*\n"))
    k.sync()

    k.send("vserial bind rx\r")
    k.expect("vserial: bound to guest 'rx' (Ctrl-] q returns to Keel)")
    # Through the emulated UART: the guest echoes what it reads.
    k.send("hello uart\r")
    k.expect('BASIC: uart_rx ok read "hello uart"')
    # Through SBI DBCN console_read.
    k.expect("BASIC: info console_rx: type a line")
    k.send("via dbcn\r")
    k.expect('BASIC: console_rx ok read "via dbcn"')
    k.expect("BASIC: done 2/2")
    k.expect("guest 'rx' stopped: vcpu 0: shut down (no reason)")
    k.send(ESCAPE)
    k.expect("vserial: detached from guest 'rx'")
    k.read_until_prompt()
    assert k.cmd("echo back at the shell") == "back at the shell"

    text = k.output
    # While bound, the guest's output is raw (no [rx] prefix), the echo included.
    assert "hello uart\nBASIC: uart_rx ok" in text
    assert "[rx] BASIC: uart_rx ok" not in text
    # The ring keeps only what the guest wrote while nobody was bound.
    dump = k.lines("vserial dump rx")
    assert "BASIC: info uart_rx: type a line" in dump
    assert not any("uart_rx ok" in line for line in dump)
    assert k.lines("vserial list")[1].split() == ["rx", "no", str(sum(len(x) + 1 for x in dump)),
                                                  "0"]


def test_escape_from_a_guest_that_does_not_read(keel_factory, tmp_path):
    # A created guest never reads: keystrokes wait in its input, the escape still works.
    k = keel_factory(smp=1, extra_args=["-initrd", package(tmp_path, {"idle": "sbi_base"})])
    create(k, "idle")
    k.send("vserial bind idle\r")
    k.expect("vserial: bound to guest 'idle' (Ctrl-] q returns to Keel)")
    # Ctrl-] Ctrl-] is one Ctrl-] for the guest; Ctrl-] x is both bytes.
    k.send(b"abc\x1d\x1d\x1dx\r")
    k.send(ESCAPE)
    k.expect("vserial: detached from guest 'idle'")
    k.read_until_prompt()
    assert k.lines("vserial list")[1].split() == ["idle", "no", "0", "7"]


def test_vserial_command_errors(keel):
    assert keel.lines("vserial list") == ["GUEST            BOUND BUFFERED  INPUT"]
    assert keel.cmd("vserial bind nothere") == "error: vserial: no guest named 'nothere'"
    assert keel.cmd("vserial dump nothere") == "error: vserial: no guest named 'nothere'"
    assert keel.cmd("vserial bind") == "error: usage: vserial bind <guest>"
    assert keel.cmd("vserial dump a b") == "error: usage: vserial dump <guest>"
    assert keel.cmd("vserial list all") == "error: usage: vserial list"
    assert keel.cmd("vserial") == "error: vserial: missing subcommand (list, bind, dump)"


def test_bad_mmio_access_halts_only_that_guest(keel_factory, tmp_path):
    guests = {
        # a 32-bit load from a byte register
        "wide": "fault keel.fault_addr=0x10000000 keel.fault_size=4",
        # a byte load inside the device's window but past its eight registers
        "beyond": "fault keel.fault_addr=0x10000080 keel.fault_size=1",
        "good": "uart,console",
    }
    pkg = package(tmp_path, guests, devices={name: UART for name in guests},
                  boot="guest create guests/wide.dtb\nguest create guests/beyond.dtb\n"
                       "guest create guests/good.dtb\nguest start wide\n")
    k = keel_factory(smp=2, extra_args=["-initrd", pkg])
    t6 = re.compile(rb" t6: [0-9a-f]{16}\r*\n")
    halted = wait_stopped(k, "wide", then=t6)
    assert re.fullmatch(r"guest 'wide' halted: vcpu 0: uart@10000000 \(ns16550a\) refused a "
                        r"4-byte load at offset 0x0: load guest-page fault at 0x[0-9a-f]+ "
                        r"\(stval 0x10000000, htval 0x4000000\)", halted), halted
    k.send("guest start beyond\r")
    halted = wait_stopped(k, "beyond", then=t6)
    assert re.fullmatch(r"guest 'beyond' halted: vcpu 0: uart@10000000 \(ns16550a\) refused a "
                        r"1-byte load at offset 0x80: load guest-page fault at 0x[0-9a-f]+ "
                        r"\(stval 0x10000080, htval 0x4000020\)", halted), halted
    # Keel and the third guest are unaffected.
    assert k.cmd("echo keel alive") == "keel alive"
    run_to_shutdown(k, "good")
    text = k.output
    assert results(text, "good") == {"uart": "ok", "console": "ok"}
    # One report each: the stop line once, the access never completed.
    for name in ("wide", "beyond"):
        assert text.count(f"guest '{name}' halted:") == 1
        assert f"[{name}] BASIC: fault FAIL" not in text
    for name, exits in (("wide", "1"), ("beyond", "1")):
        assert k.lines(f"guest devices {name}")[1].split()[-1] == exits
    states = guest_states(k)
    assert states == {"wide": "halted", "beyond": "halted", "good": "stopped"}


def test_unknown_or_unfit_devices_are_refused(keel_factory, tmp_path):
    devices = {
        "odd": 'devices { rtc@101000 { compatible = "foo,bar"; reg = <0x0 0x101000 0x0 0x1000>; '
               '}; };',
        "tiny": 'devices { uart@10000000 { compatible = "ns16550a"; '
                'reg = <0x0 0x10000000 0x0 0x4>; }; };',
    }
    k = keel_factory(smp=1, extra_args=["-initrd", package(
        tmp_path, {"odd": "uart", "tiny": "uart"}, devices=devices)])
    before = k.memory_in_use()
    assert k.cmd("guest create guests/odd.dtb") == \
        "error: guest 'odd': unknown device compatible 'foo,bar'"
    assert k.cmd("guest check guests/odd.dtb") == \
        "error: guest 'odd': unknown device compatible 'foo,bar'"
    assert k.cmd("guest create guests/tiny.dtb") == \
        "error: guest 'tiny': device 'uart@10000000': ns16550a needs 0x8 bytes of registers, " \
        "reg gives 0x4"
    assert k.lines("guest list")[1:] == []
    assert k.memory_in_use() == before


def test_create_destroy_with_devices_returns_all_memory(keel_factory, tmp_path):
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, {"u": "uart"}, devices={"u": UART})])
    before = k.memory_in_use()
    for i in range(5):
        create(k, "u")
        k.send("guest start u\r")
        wait_stopped(k, "u")
        assert k.cmd("guest destroy u") == "guest 'u' destroyed"
    assert k.memory_in_use() == before
    assert k.output.count("[u] BASIC: uart ok") == 5
