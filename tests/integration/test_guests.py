"""
Guests under Keel: the project's test guest `basic` (tests/guests/basic) runs
in VS-mode from a guest package, served by Keel's SBI implementation.  Its
own checks must pass as they do natively (test_guest_native.py).
"""
import os
import re
import subprocess

import pytest

from conftest import ROOT

BASIC = os.path.join(ROOT, "build", "guests", "basic.bin")

GUEST = """/dts-v1/;
/ {
	compatible = "keel,guest-v1";
	guest-name = "%(name)s";
	bootargs = "keel.test=%(tests)s";%(root_props)s
	vcpus { count = <%(vcpus)d>; %(vcpu_props)s};
	memory@80000000 { reg = <0x0 0x80000000 0x0 0x4000000>; %(placement)s};
	images { kernel { file = "basic.bin"; }; };
	%(devices)s
};
"""

# The UART of QEMU virt, emulated (emulators/ns16550.c).
UART = """devices {
		uart@10000000 {
			compatible = "ns16550a";
			reg = <0x0 0x10000000 0x0 0x100>;
			interrupts = <10>;
		};
	};"""


# QEMU virt's platform devices, emulated: UART, RTC, syscon (poweroff, reboot) and the PLIC
# their interrupts go through (emulators/).
PLATFORM = """devices {
		uart@10000000 {
			compatible = "ns16550a";
			reg = <0x0 0x10000000 0x0 0x100>;
			interrupts = <10>;
		};
		rtc@101000 {
			compatible = "google,goldfish-rtc";
			reg = <0x0 0x101000 0x0 0x1000>;
			interrupts = <11>;
		};
		test@100000 {
			compatible = "sifive,test1", "sifive,test0", "syscon";
			reg = <0x0 0x100000 0x0 0x1000>;
		};
		plic@c000000 {
			compatible = "sifive,plic-1.0.0", "riscv,plic0";
			reg = <0x0 0xc000000 0x0 0x600000>;
			riscv,ndev = <96>;
		};
	};"""


def package(tmp_path, guests, boot="", placement="", devices=None, vcpus=1, vcpu_props=None,
            root_props=None):
    """guests: {name: keel.test value (and more bootargs after it)};
    devices: {name: more root nodes: its /devices, more /memory}; vcpu_props: {name: more
    /vcpus properties}; root_props: {name: more properties of / (e.g.
    sbi-disable)}.  Returns the cpio archive's path."""
    root = tmp_path / "pkg"
    (root / "guests").mkdir(parents=True)
    names = ["basic.bin"]
    (root / "basic.bin").write_bytes(open(BASIC, "rb").read())
    for name, tests in guests.items():
        src = tmp_path / f"{name}.dts"
        src.write_text(GUEST % {"name": name, "tests": tests, "placement": placement,
                                "devices": (devices or {}).get(name, ""), "vcpus": vcpus,
                                "vcpu_props": (vcpu_props or {}).get(name, ""),
                                "root_props": (root_props or {}).get(name, "")})
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o",
                        str(root / "guests" / f"{name}.dtb"), str(src)], check=True)
        names.append(f"guests/{name}.dtb")
    if boot:
        (root / "boot.keel").write_text(boot)
        names.append("boot.keel")
    archive = tmp_path / "pkg.cpio"
    archive.write_bytes(subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                       input="\n".join(names).encode(), check=True,
                                       capture_output=True).stdout)
    return str(archive)


def results(text, name):
    return dict(re.findall(rf"^\[{name}\] BASIC: (\w+) (ok|FAIL|skip)\b", text, re.M))


ESCAPE = b"\x1dq"  # Ctrl-] q: back from a bound guest to the shell


def guest_states(k):
    """{guest name: state} from `guest list`."""
    return {ln.split()[1]: ln.split()[2] for ln in k.lines("guest list")[1:]}


def create(k, name):
    """`guest create guests/<name>.dtb`, which must succeed."""
    out = k.cmd(f"guest create guests/{name}.dtb")
    assert out.startswith(f"guest '{name}' created"), out


def start_counting(k, name, check="spin"):
    """Start guest `name`, running a check that counts in its RAM (spin, sta_spin, heartbeat),
    and wait until it counts."""
    k.send(f"guest start {name}\r")
    k.expect(f"[{name}] BASIC: {check} counting at ", what=f"{check} in {name} to start")
    k.sync()


def run_to_shutdown(k, name):
    """Start guest `name` and wait for its clean SBI shutdown (no reason)."""
    k.send(f"guest start {name}\r")
    assert wait_stopped(k, name) == f"guest '{name}' stopped: vcpu 0: shut down (no reason)"


def wait_stopped(k, name, then=None):
    """Wait for the guest's stop line (and then for the pattern `then`, if
    given), then leave the terminal at a fresh prompt (Keel.sync).

    The stop line comes from the VCPU's hart, before or after the prompt
    of the command that started the guest: waiting for the next prompt
    after an empty line would take that command's prompt when it comes
    after the stop line, and leave the empty line's for the next command.
    The sync marker's own output line is unambiguous."""
    k.expect(re.compile(rf"guest '{name}' (stopped|halted): ([^\r\n]*)\r*\n".encode()),
             timeout=60, what=f"guest {name} to stop")
    m = k.proc.match
    line = f"guest '{name}' {m.group(1).decode()}: {m.group(2).decode()}"
    if then is not None:
        k.expect(then, what=f"{then.pattern!r} after the stop line")
    k.sync()
    return line


@pytest.mark.parametrize("smp", [1, 2])
def test_basic_guest_passes_its_checks(keel_factory, tmp_path, smp):
    assert os.path.isfile(BASIC), "build/guests/basic.bin missing: make guests"
    tests = "sbi_base,console,timer_sbi,timer_sstc,legacy"
    k = keel_factory(smp=smp, extra_args=["-initrd", package(tmp_path, {"basic": tests})])
    out = k.cmd("guest create guests/basic.dtb")
    assert out == "guest 'basic' created: id 0, 1 vcpus, 65536 KiB RAM"
    run_to_shutdown(k, "basic")
    text = k.output
    assert results(text, "basic") == {t: "ok" for t in tests.split(",")}, text[-3000:]
    assert "[basic] BASIC: done 5/5" in text
    assert "[basic] BASIC: info sbi spec 2.0" in text
    lines = k.lines("guest list")
    assert re.match(r" +0 basic +stopped +1 +65536  vcpu 0: shut down", lines[1]), lines


ALL = ["sbi_base", "console", "timer_sbi", "timer_sstc", "hsm", "hsm_suspend", "ipi", "rfence",
       "legacy", "uart", "plic", "rtc", "fp", "virt_insn", "memory", "sta"]


@pytest.mark.parametrize("smp,vcpus,cpu", [(1, 2, None), (1, 4, None), (2, 2, None), (2, 4, None),
                                           (2, 3, "rv64,sstc=false")])
def test_guest_with_several_vcpus(keel_factory, tmp_path, smp, vcpus, cpu):
    # HSM, IPI, RFENCE, TIME, FP and QEMU virt's devices (the PLIC's interrupts to each VCPU)
    # across VCPUs: the guest's own checks, as natively.
    extra = ["-initrd", package(tmp_path, {"mv": "all"}, devices={"mv": PLATFORM}, vcpus=vcpus)]
    k = keel_factory(smp=smp, extra_args=extra + (["-cpu", cpu] if cpu else []))
    assert k.cmd("guest create guests/mv.dtb") == \
        f"guest 'mv' created: id 0, {vcpus} vcpus, 65536 KiB RAM"
    run_to_shutdown(k, "mv")
    text = k.output
    want = {t: "ok" for t in ALL}
    want["memory"] = "skip"  # one /memory range: test_ram_above_2tib_uses_sv48x4
    if cpu:
        want["timer_sstc"] = "skip"
    assert results(text, "mv") == want, text[-3000:]
    assert f"[mv] BASIC: info harts {vcpus} (" in text
    assert f"[mv] BASIC: hsm ok {vcpus - 1} hart(s) started and stopped" in text
    assert f"[mv] BASIC: fp ok {vcpus} hart(s)" in text


def test_a_faulting_guest_halts_alone(keel_factory, tmp_path):
    pkg = package(tmp_path, {"faulty": "fault", "good": "sbi_base,console"},
                  boot="guest create guests/faulty.dtb\nguest create guests/good.dtb\n"
                       "guest start faulty\n")
    k = keel_factory(smp=2, extra_args=["-initrd", pkg])
    # The report ends with the guest's registers.
    halted = wait_stopped(k, "faulty", then=re.compile(rb" t6: [0-9a-f]{16}\r*\n"))
    assert halted.startswith("guest 'faulty' halted: vcpu 0: access outside its memory: "
                             "load guest-page fault at 0x")
    assert "stval 0x100000000" in halted
    # Keel and the other guest are unaffected.
    assert k.cmd("echo keel alive") == "keel alive"
    run_to_shutdown(k, "good")
    text = k.output
    assert results(text, "good") == {"sbi_base": "ok", "console": "ok"}
    states = guest_states(k)
    assert states == {"faulty": "halted", "good": "stopped"}


def test_create_destroy_returns_all_memory(keel_factory, tmp_path):
    k = keel_factory(smp=2, extra_args=["-initrd", package(tmp_path, {"basic": "sbi_base"})])
    before = k.memory_in_use()
    for i in range(20):
        create(k, "basic")
        k.send("guest start basic\r")
        wait_stopped(k, "basic")
        # A reset reloads it into zeroed RAM and runs it again: nothing is allocated anew.
        k.send("guest reset basic\r")
        wait_stopped(k, "basic")
        assert k.cmd("guest destroy basic") == "guest 'basic' destroyed"
    assert k.memory_in_use() == before
    assert k.lines("guest list") == [k.lines("guest list")[0]]


def test_guest_command_errors(keel_factory, tmp_path):
    k = keel_factory(smp=1, extra_args=["-initrd", package(tmp_path, {"basic": "sbi_base"})])
    assert k.cmd("guest create nothere.dtb") == \
        "error: guest: 'nothere.dtb' is not in the guest package"
    assert k.cmd("guest start basic") == "error: guest: no guest named 'basic'"
    create(k, "basic")
    assert k.cmd("guest create guests/basic.dtb") == \
        "error: guest 'basic': a guest of that name exists"
    assert k.cmd("guest destroy") == "error: usage: guest destroy <name>"
    # A created guest that never ran can be destroyed; its name is free again.
    assert k.cmd("guest destroy basic") == "guest 'basic' destroyed"
    create(k, "basic")


def test_fixed_host_placement(keel_factory, tmp_path):
    # RAM at a fixed host address: claimed at creation, given back on destroy.
    pkg = package(tmp_path, {"fixed": "sbi_base,console"},
                  placement="host-address = <0x0 0x90000000>; ")
    k = keel_factory(smp=2, extra_args=["-initrd", pkg])
    for i in range(2):
        assert k.cmd("guest create guests/fixed.dtb") == \
            f"guest 'fixed' created: id {i}, 1 vcpus, 65536 KiB RAM"
        run_to_shutdown(k, "fixed")
        assert k.cmd("guest destroy fixed") == "guest 'fixed' destroyed"
    text = k.output
    assert text.count("[fixed] BASIC: done 2/2") == 2



def test_ram_above_2tib_uses_sv48x4(keel_factory, tmp_path):
    # Sv39x4 reaches 2 TiB of guest-physical space: RAM at 4 TiB needs Sv48x4's fourth level.
    # The guest finds it zeroed and reads back what it writes, at both ends.
    high = "memory@40000000000 { reg = <0x400 0x0 0x0 0x200000>; };"
    pkg = package(tmp_path, {"high": "memory", "low": "memory"}, devices={"high": high})
    k = keel_factory(smp=1, extra_args=["-initrd", pkg])
    used = k.memory_in_use()
    assert "guest-physical: up to 1048576 GiB (sv48x4; sv39x4 for guests within 2048 GiB)" in \
        k.lines("host info")
    for name in ("high", "low"):
        create(k, name)
        k.send(f"guest start {name}\r")
        wait_stopped(k, name)
    text = k.output
    assert "[high] BASIC: memory ok zero, then read back: 0x40000000000+0x200000" in text
    assert "[low] BASIC: memory skip one /memory range" in text
    fmt = {n: re.search(r"G-stage (\S+) VMID", k.cmd(f"guest info {n}")).group(1)
           for n in ("high", "low")}
    assert fmt == {"high": "sv48x4", "low": "sv39x4"}
    assert "  ram 0x40000000000-0x400001fffff: 1 host blocks" in k.lines("guest info high")
    for name in ("high", "low"):
        assert k.cmd(f"guest destroy {name}") == f"guest '{name}' destroyed"
    assert k.memory_in_use() == used


def test_two_guests_share_one_hart(keel_factory, tmp_path):
    # Both VCPUs on the only hart, each sleeping in WFI while the other runs:
    # their VS-level state (timers and FP included) must survive every switch,
    # and each has its own console: its UART and SBI output in its own vserial.
    tests = {"one": "sbi_base,console,timer_sbi,timer_sstc,fp,uart",
             "two": "sbi_base,console,timer_sbi,timer_sstc,fp,legacy"}
    pkg = package(tmp_path, tests, devices={"one": UART, "two": UART},
                  boot="guest create guests/one.dtb\nguest create guests/two.dtb\n"
                       "guest start one\nguest start two\n")
    k = keel_factory(smp=1, extra_args=["-initrd", pkg])
    k.expect(re.compile(rb"guest '(one|two)' stopped"), timeout=60, what="a guest to stop")
    k.expect(re.compile(rb"guest '(one|two)' stopped"), timeout=60, what="the other to stop")
    k.sync()
    text = k.output
    for name in ("one", "two"):
        assert results(text, name) == {t: "ok" for t in tests[name].split(",")}, text[-3000:]
        assert f"[{name}] BASIC: done 6/6" in text
    one = k.cmd("vserial dump one")
    assert "BASIC: uart ok" in one and "BASIC: done 6/6" in one
    assert "legacy ok" not in one, "guest two's output in guest one's vserial"
    two = k.cmd("vserial dump two")
    assert "BASIC: legacy ok" in two and "uart ok" not in two


BAD = {
    # name in the package: (description source or raw bytes, the one error line)
    "typo.dtb": (GUEST.replace("count = <%(vcpus)d>", "cuont = <1>"),
                 "error: guest 'typo': /vcpus: unknown property 'cuont'"),
    "nokernel.dtb": (GUEST.replace('"basic.bin"', '"nothere.bin"'),
                     "error: guest 'nokernel': image 'kernel': file 'nothere.bin' is not in the "
                     "guest package"),
    "huge.dtb": (GUEST.replace("0x0 0x4000000>", "0x4 0x0>"),
                 "error: guest 'huge': cannot place memory 0x80000000+0x400000000 "
                 "(out of memory)"),
    # Keel itself is at 0x80200000.
    "taken.dtb": (GUEST.replace("%(placement)s", "host-address = <0x0 0x80000000>; "),
                  "error: guest 'taken': cannot place memory 0x80000000+0x4000000 "
                  "(host range in use)"),
    "vcpus.dtb": (GUEST.replace("count = <%(vcpus)d>", "count = <65>"),
                  "error: guest 'vcpus': vcpus count 65 out of range 1..8"),
    "notdtb.dtb": (b"\xd0\x0d\xfe\xed" + b"\x00" * 60, "error: guest: invalid device tree blob"),
    "nomem.dtb": (GUEST.replace("memory@80000000 { reg = <0x0 0x80000000 0x0 0x4000000>; "
                                "%(placement)s};", ""),
                  "error: guest 'nomem': no memory region"),
    "overlap.dtb": (GUEST.replace("%(placement)s};", "%(placement)s};\n\tmemory@82000000 { reg = "
                                  "<0x0 0x82000000 0x0 0x4000000>; };"),
                    "error: guest 'overlap': memory regions 0x80000000+0x4000000 and "
                    "0x82000000+0x4000000 overlap"),
    "bigimage.dtb": (GUEST.replace("0x0 0x4000000>", "0x0 0x200000>"),
                     "error: guest 'bigimage': /images/kernel: load address 0x80200000 "
                     "(default: RAM base + 2 MiB) is not in RAM"),
    "zero.dtb": (GUEST.replace("count = <%(vcpus)d>", "count = <0>"),
                 "error: guest 'zero': vcpus count 0 out of range 1..8"),
    "many.dtb": (GUEST.replace("count = <%(vcpus)d>", "count = <1000>"),
                 "error: guest 'many': vcpus count 1000 out of range 1..8"),
    "unknowndev.dtb": (GUEST.replace("%(devices)s", 'devices { wd@1000 { compatible = '
                                     '"vendor,watchdog"; reg = <0x0 0x1000 0x0 0x100>; }; };'),
                       "error: guest 'unknowndev': unknown device compatible 'vendor,watchdog'"),
}


def test_malformed_descriptions_change_nothing(keel_factory, tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "basic.bin").write_bytes(open(BASIC, "rb").read())
    for name, (src, _) in BAD.items():
        if isinstance(src, bytes):
            (root / name).write_bytes(src)
            continue
        dts = tmp_path / (name + ".dts")
        dts.write_text(src % {"name": name[:-4], "tests": "sbi_base", "placement": "",
                              "devices": "", "vcpus": 1, "vcpu_props": "", "root_props": ""})
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(root / name), str(dts)],
                       check=True)
    archive = tmp_path / "pkg.cpio"
    archive.write_bytes(subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                       input="\n".join(["basic.bin"] + list(BAD)).encode(),
                                       check=True, capture_output=True).stdout)
    k = keel_factory(smp=1, memory="256M", extra_args=["-initrd", str(archive)])
    before = k.memory_in_use()
    for name, (_, error) in BAD.items():
        assert k.lines(f"guest create {name}") == [error], name
    assert k.lines("guest list")[1:] == []
    assert k.memory_in_use() == before
