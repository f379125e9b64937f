"""
Linux as a Keel guest: the Linux test guest (tests/guests/linux, Linux 6.1
with a built-in /init) from a guest package, on Keel's SBI, its emulated
ns16550A and the device tree Keel generates.  /init must print the same lines
as natively (test_linux_native.py), Keel's console showing them as
"[linux] KEEL-INIT: ...".
"""
import os
import re
import subprocess
import time

import pytest

from conftest import _SCALE
from linuxguest import LINUX_IMAGE, MISSING, check_init, init_lines
from test_guests import ESCAPE, create, guest_states, wait_stopped

GUEST_LINE = r"\[linux\] "  # how Keel's console starts a line of the guest's

GUEST = """/dts-v1/;
/ {
	compatible = "keel,guest-v1";
	guest-name = "linux";
	bootargs = "%(bootargs)s";
	%(extra)s
	vcpus { count = <%(vcpus)d>; };
	memory@80000000 { reg = <0x0 0x80000000 0x0 0x10000000>; };
	images { kernel { file = "Image"; }; };
	devices {
		#address-cells = <2>;
		#size-cells = <2>;
%(devices)s
	};
};
"""

# The devices of QEMU virt, at its addresses and interrupt lines.
UART = """
		uart@10000000 {
			compatible = "ns16550a";
			reg = <0x0 0x10000000 0x0 0x100>;
			interrupts = <10>;
		};"""
PLIC = """
		plic@c000000 {
			compatible = "sifive,plic-1.0.0", "riscv,plic0";
			reg = <0x0 0xc000000 0x0 0x600000>;
		};"""
RTC = """
		rtc@101000 {
			compatible = "google,goldfish-rtc";
			reg = <0x0 0x101000 0x0 0x1000>;
			interrupts = <11>;
		};"""
SYSCON = """
		test@100000 {
			compatible = "sifive,test1", "sifive,test0", "syscon";
			reg = <0x0 0x100000 0x0 0x1000>;
		};"""

# Linux boots to /init in about 1 s of guest time; under Keel on a loaded
# 2-core machine with 4 VCPUs, wall time can be many times that.
LINUX_TIMEOUT = 120 * _SCALE


def linux_package(tmp_path, bootargs, vcpus, devices=UART, extra="", boot="", more=None):
    """A guest package with the Image and guests/linux.dtb (and guests/NAME.dtb
    for each NAME: (bootargs, vcpus, devices) in more); returns its path."""
    assert os.path.isfile(LINUX_IMAGE), MISSING
    root = tmp_path / "pkg"
    (root / "guests").mkdir(parents=True)
    (root / "Image").write_bytes(open(LINUX_IMAGE, "rb").read())
    names = ["Image"]
    guests = {"linux": (bootargs, vcpus, devices)}
    guests.update(more or {})
    for name, (args, count, devs) in guests.items():
        src = tmp_path / f"{name}.dts"
        src.write_text(GUEST.replace('"linux"', f'"{name}"') %
                       {"bootargs": args, "vcpus": count, "devices": devs, "extra": extra})
        subprocess.run(["dtc", "-q", "-W", "no-interrupts_property", "-I", "dts", "-O", "dtb",
                        "-o", str(root / "guests" / f"{name}.dtb"), str(src)], check=True)
        names.append(f"guests/{name}.dtb")
    if boot:
        (root / "boot.keel").write_text(boot)
        names.append("boot.keel")
    archive = tmp_path / "pkg.cpio"
    archive.write_bytes(subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                       input="\n".join(names).encode(), check=True,
                                       capture_output=True).stdout)
    return str(archive)


def start_linux(keel_factory, tmp_path, bootargs, vcpus, smp=2, cpu="rv64", **kw):
    k = keel_factory(smp=smp, memory="1G", cpu=cpu,
                     extra_args=["-initrd", linux_package(tmp_path, bootargs, vcpus, **kw)])
    assert k.cmd("guest create guests/linux.dtb") == \
        f"guest 'linux' created: id 0, {vcpus} vcpus, 262144 KiB RAM"
    k.send("guest start linux\r")
    return k


def wait_poweroff(k):
    """Waits for the guest's SBI shutdown; returns its /init lines."""
    stop = wait_stopped_linux(k)
    assert re.fullmatch(r"guest 'linux' stopped: vcpu \d+: shut down \(no reason\)", stop), stop
    return init_lines(k.output, GUEST_LINE)


def wait_stopped_linux(k):
    k.expect("[linux] KEEL-INIT: start", LINUX_TIMEOUT, "/init to start")
    return wait_stopped(k, "linux")


@pytest.mark.parametrize("vcpus,smp,cpu", [(1, 2, "rv64"), (4, 2, "rv64"), (4, 1, "rv64"),
                                           (4, 4, "rv64"), (2, 2, "rv64,sstc=false")])
def test_linux_boots_to_init_and_powers_off(keel_factory, tmp_path, vcpus, smp, cpu):
    # The 8250 driver finds Keel's ns16550A in the generated device tree and,
    # without an interrupt line for it yet, polls it.  smp: Keel's harts;
    # without Sstc the guest's timer is SBI TIME.
    k = start_linux(keel_factory, tmp_path, f"console=ttyS0 earlycon=sbi keel.cpus={vcpus}", vcpus,
                    smp=smp, cpu=cpu)
    lines = wait_poweroff(k)
    check_init(lines, vcpus)
    text = k.output
    assert f"[linux] [    0.000000] Kernel command line: console=ttyS0 earlycon=sbi " \
           f"keel.cpus={vcpus}\n" in text
    assert "[linux] [    0.000000] earlycon: sbi0 at I/O port 0x0 (options '')\n" in text
    assert "[linux] [    0.000000] SBI specification v2.0 detected\n" in text
    sstc = "riscv-timer: Timer interrupt in S-mode is available via sstc extension" in text
    assert sstc == ("sstc=false" not in cpu)
    assert f"smp: Brought up 1 node, {vcpus} CPU" in text
    assert re.search(r"\] 10000000\.uart: ttyS0 at MMIO 0x10000000 \(irq = \d+, "
                     r"base_baud = 230400\) is a 16550A\n", text), text[-3000:]
    assert "printk: console [ttyS0] enabled" in text
    assert "[linux] [" in text and "reboot: Power down\n" in text
    # Keel goes on.
    assert re.match(r" +0 linux +stopped +%d +262144  vcpu \d+: shut down" % vcpus,
                    k.lines("guest list")[1])


@pytest.mark.parametrize("console,vcpus", [("ttyS0", 1), ("hvc0", 2)])
def test_linux_console_input(keel_factory, tmp_path, console, vcpus):
    # A line typed into a bound terminal reaches /init: through the polled
    # UART's receive FIFO (ttyS0) or SBI legacy getchar (hvc0).
    k = start_linux(keel_factory, tmp_path,
                    f"console={console} earlycon=sbi keel.cpus={vcpus} keel.echo=1", vcpus)
    k.expect("[linux] KEEL-INIT: echo ready", LINUX_TIMEOUT, "/init asking for a line")
    k.sync()
    k.send("vserial bind linux\r")
    k.expect("vserial: bound to guest 'linux' (Ctrl-] q returns to Keel)")
    k.send(f"typed on {console}\r")
    k.expect(f"KEEL-INIT: echo typed on {console}", what="/init printing the line back")
    k.expect(re.compile(rb"guest 'linux' stopped: vcpu \d+: shut down \(no reason\)"),
             LINUX_TIMEOUT, "the guest to power off")
    k.send(ESCAPE)
    k.expect("vserial: detached from guest 'linux'")
    k.read_until_prompt()
    # While bound the guest's lines come raw, without "[linux] ".
    check_init(init_lines(k.output, f"(?:{GUEST_LINE})?"), vcpus, echo=f"typed on {console}")
    assert f"console [{console}] enabled" in k.output


def test_linux_reboot_resets_the_guest(keel_factory, tmp_path):
    # reboot(2) -> SBI SRST cold reboot -> Keel resets the guest (zeroed RAM,
    # images reloaded) and Linux boots again, then reboots again...
    k = start_linux(keel_factory, tmp_path, "console=ttyS0 earlycon=sbi keel.cpus=2 keel.end=reboot",
                    2)
    for i in range(2):
        k.expect("[linux] KEEL-INIT: done ok", LINUX_TIMEOUT, f"/init, boot {i + 1}")
        k.expect("[linux] KEEL-INIT: reboot")
        k.expect(re.compile(rb"guest 'linux' resetting: vcpu \d+: cold reboot \(no reason\)"))
        k.expect("guest 'linux' running again after a reset")
    k.expect("[linux] KEEL-INIT: start", LINUX_TIMEOUT, "the third boot")
    k.sync()
    k.send("guest halt linux\r")
    k.expect("guest 'linux' halted")
    k.sync()
    assert k.output.count("[linux] KEEL-INIT: start") >= 3
    assert "FAIL" not in "".join(init_lines(k.output, GUEST_LINE))


def test_two_linux_guests_at_once(keel_factory, tmp_path):
    # Two kernels on two harts, one Image: each its own RAM at the same
    # guest-physical address, its own console (UART or SBI), its own power-off.
    pkg = linux_package(tmp_path, "console=ttyS0 earlycon=sbi keel.cpus=2", 2,
                        more={"other": ("console=hvc0 earlycon=sbi keel.cpus=3", 3, "")},
                        boot="guest create guests/linux.dtb\nguest create guests/other.dtb\n"
                             "guest start linux\nguest start other\n")
    k = keel_factory(smp=2, memory="1G", extra_args=["-initrd", pkg])
    stops = set()
    for _ in range(2):
        k.expect(re.compile(rb"guest '(linux|other)' stopped: vcpu \d+: shut down \(no reason\)"),
                 LINUX_TIMEOUT, "a guest to power off")
        stops.add(k.proc.match.group(1).decode())
    assert stops == {"linux", "other"}
    k.sync()
    check_init(init_lines(k.output, GUEST_LINE), 2)
    check_init(init_lines(k.output, r"\[other\] "), 3)
    assert re.search(r"^\[linux\] \[ *[\d.]+\] printk: console \[ttyS0\] enabled$", k.output, re.M)
    assert re.search(r"^\[other\] \[ *[\d.]+\] printk: console \[hvc0\] enabled$", k.output, re.M)
    # Each guest's lines in its own virtual serial line only.
    for name, cmdline in (("linux", "keel.cpus=2"), ("other", "keel.cpus=3")):
        dump = k.cmd(f"vserial dump {name}")
        assert f"{cmdline}\nKEEL-INIT: cpus" in dump and "KEEL-INIT: poweroff" in dump, dump
        assert dump.count("KEEL-INIT: start") == 1


# ---------------------------------------------------------------- the platform devices


def test_linux_with_plic_and_rtc(keel_factory, tmp_path):
    # The UART interrupt-driven through the virtual PLIC, the RTC read by /init.
    started = time.time()
    k = start_linux(keel_factory, tmp_path, "console=ttyS0 earlycon=sbi keel.cpus=2 keel.rtc=1", 2,
                    devices=PLIC + UART + RTC)
    lines = wait_poweroff(k)
    check_init(lines, 2, rtc_near=started)
    assert re.search(r"ttyS0 at MMIO 0x10000000 \(irq = [1-9]\d*, ", k.output), k.output[-3000:]
    assert "plic: " in k.output and "goldfish_rtc 101000.rtc: registered as rtc0" in k.output


def test_linux_reboots_through_syscon(keel_factory, tmp_path):
    # Without SBI SRST, Linux 6.1 reboots through the syscon-reboot node (the
    # sifive,test register).  It cannot power off that way: with the SBI v0.1
    # calls configured (for hvc0 and earlycon=sbi), sbi_init() takes
    # pm_power_off for the legacy shutdown before syscon-poweroff probes.
    k = start_linux(keel_factory, tmp_path, "console=ttyS0 earlycon=sbi keel.cpus=1 keel.end=reboot",
                    1, devices=UART + SYSCON, extra='sbi-disable = "srst";')
    k.expect("[linux] KEEL-INIT: reboot", LINUX_TIMEOUT, "/init to reboot")
    k.expect(re.compile(rb"guest 'linux' resetting: ([^\r\n]*)\r*\n"), what="the guest's reset")
    how = k.proc.match.group(1).decode()
    k.expect("guest 'linux' running again after a reset")
    k.expect("[linux] KEEL-INIT: start", LINUX_TIMEOUT, "the second boot")
    k.send("guest halt linux\r")
    k.expect("guest 'linux' halted")
    k.sync()
    assert "SBI SRST extension detected" not in k.output
    assert "srst" not in how.lower() and "sbi" not in how.lower(), how
    lines = init_lines(k.output, GUEST_LINE)
    check_init(lines[:lines.index("reboot") + 1], 1, end="reboot")


def test_linux_keeps_running_while_another_guest_faults(keel_factory, tmp_path):
    # The basic test guest touches memory outside its RAM and is halted; Linux, started
    # first and waiting in /init, is unaffected: its console still answers.
    from test_guests import BASIC
    pkg_root = tmp_path / "pkg"
    archive = linux_package(tmp_path, "console=ttyS0 earlycon=sbi keel.cpus=2 keel.echo=1 "
                            "keel.end=hang", 2, devices=PLIC + UART)
    # The faulting guest joins the same package.
    (pkg_root / "basic.bin").write_bytes(open(BASIC, "rb").read())
    (tmp_path / "faulty.dts").write_text(
        '/dts-v1/;\n/ { compatible = "keel,guest-v1"; guest-name = "faulty"; '
        'bootargs = "keel.test=fault"; vcpus { count = <1>; }; '
        'memory@80000000 { reg = <0x0 0x80000000 0x0 0x4000000>; }; '
        'images { kernel { file = "basic.bin"; }; }; };\n')
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o",
                    str(pkg_root / "guests" / "faulty.dtb"), str(tmp_path / "faulty.dts")],
                   check=True)
    names = ["Image", "guests/linux.dtb", "basic.bin", "guests/faulty.dtb"]
    open(archive, "wb").write(subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"],
                                             cwd=pkg_root, input="\n".join(names).encode(),
                                             check=True, capture_output=True).stdout)
    k = keel_factory(smp=2, memory="1G", extra_args=["-initrd", archive])
    create(k, "linux")
    create(k, "faulty")
    k.send("guest start linux\r")
    k.expect("[linux] KEEL-INIT: echo ready", LINUX_TIMEOUT, "/init to wait for a line")
    k.sync()
    k.send("guest start faulty\r")
    k.expect(re.compile(rb"guest 'faulty' halted: vcpu 0: access outside its memory"),
             what="the faulty guest to halt")
    k.expect(re.compile(rb" t6: [0-9a-f]{16}\r*\n"), what="its register dump")
    k.sync()
    states = guest_states(k)
    assert states == {"linux": "running", "faulty": "halted"}
    k.send("vserial bind linux\r")
    k.expect("vserial: bound to guest 'linux'")
    k.send("still here\r")
    k.expect("KEEL-INIT: echo still here", LINUX_TIMEOUT, "Linux to echo the line")
    k.expect("KEEL-INIT: hang", LINUX_TIMEOUT)
    k.send(ESCAPE)
    k.expect("vserial: detached from guest 'linux'")
    k.sync()
