"""
Unmodified U-Boot as a Keel guest: Debian's u-boot-qemu build for QEMU virt in
S-mode (qemu-riscv64_smode/u-boot.bin) on QEMU virt's emulated devices.  It
reaches its prompt, `sbi` shows Keel's SBI, and its `reset` and `poweroff`
(through the emulated syscon, QEMU virt's sifive,test) act on that guest only.
"""
import os
import re
import subprocess

from test_guests import ESCAPE, PLATFORM

UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"

GUEST = """/dts-v1/;
/ {
	compatible = "keel,guest-v1";
	guest-name = "uboot";
	vcpus { count = <1>; };
	memory@80000000 { reg = <0x0 0x80000000 0x0 0x10000000>; };
	images { kernel { file = "u-boot.bin"; }; };
	%s
};
"""


def package(tmp_path):
    root = tmp_path / "pkg"
    (root / "guests").mkdir(parents=True)
    (root / "u-boot.bin").write_bytes(open(UBOOT, "rb").read())
    (tmp_path / "uboot.dts").write_text(GUEST % PLATFORM)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(root / "guests/uboot.dtb"),
                    str(tmp_path / "uboot.dts")], check=True)
    (root / "boot.keel").write_text("guest create guests/uboot.dtb\nguest start uboot\n"
                                    "vserial bind uboot\n")
    archive = tmp_path / "pkg.cpio"
    archive.write_bytes(subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                       input=b"u-boot.bin\nguests/uboot.dtb\nboot.keel\n",
                                       check=True, capture_output=True).stdout)
    return str(archive)


def prompt(k):
    k.expect("Hit any key to stop autoboot", 30, "U-Boot's autoboot countdown")
    k.send(" ")
    k.expect("=> ", 10, "U-Boot's prompt")


def test_uboot_reaches_its_prompt_and_resets_and_powers_off_alone(keel_factory, tmp_path):
    assert os.path.isfile(UBOOT), "u-boot-qemu missing: tools/install-deps"
    k = keel_factory(smp=2, extra_args=["-initrd", package(tmp_path)])
    k.expect("vserial: bound to guest 'uboot'")
    k.expect("U-Boot 2023.01", 30, "U-Boot's banner")
    k.expect("CPU:   rv64imafdc_zicsr_zifencei_sstc")
    prompt(k)
    k.send("sbi\r")
    # U-Boot 2023.01 knows no "Keel" ID and then prints its SBI spec version as the ID.
    k.expect("SBI 2.0Unknown implementation ID", what="the SBI version")
    k.expect(re.compile(rb"Extensions:\r*\n"), what="the extension list")
    k.expect("=> ")
    out = k.output
    sbi = out[out.rindex("SBI 2.0"):]
    for ext in ("Timer", "IPI", "RFENCE", "Hart State Management", "System Reset"):
        assert ext in sbi, sbi
    # reset (U-Boot uses the syscon's reboot register) resets this guest, which boots again.
    k.send("reset\r")
    k.expect("guest 'uboot' resetting: reboot through test@100000")
    k.expect("guest 'uboot' running again after a reset")
    k.expect("U-Boot 2023.01", 30, "U-Boot's banner again")
    prompt(k)
    # poweroff stops this guest; Keel goes on.
    k.send("poweroff\r")
    k.expect(re.compile(rb"guest 'uboot' stopped: ([^\r\n]*)\r*\n"), what="the guest to stop")
    assert k.proc.match.group(1) == b"poweroff through test@100000"
    k.send(ESCAPE)
    k.expect("vserial: detached from guest 'uboot'")
    k.sync()
    assert re.match(r" +0 uboot +stopped ", k.lines("guest list")[1])
    assert k.cmd("echo keel alive") == "keel alive"
