"""
The guest package: a cpio (newc) archive passed as the initrd (QEMU -initrd).
`pkg list` shows its files; anything else as the initrd is refused clearly.
"""
import os
import re
import subprocess

from conftest import PROMPT_RE


def make_cpio(root, out):
    names = sorted(os.path.relpath(os.path.join(d, f), root)
                   for d, _, files in os.walk(root) for f in files)
    data = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, check=True,
                          input="\n".join(names).encode(), capture_output=True).stdout
    out.write_bytes(data)
    return names


def test_pkg_list_shows_the_archive(keel_factory, tmp_path):
    root = tmp_path / "pkg"
    (root / "guests").mkdir(parents=True)
    (root / "guests" / "basic.dtb").write_bytes(b"\xd0\x0d\xfe\xed" + bytes(60))
    (root / "basic.bin").write_bytes(os.urandom(12345))
    (root / "notes.txt").write_text("not a boot script\n")
    archive = tmp_path / "pkg.cpio"
    names = make_cpio(root, archive)
    k = keel_factory(smp=2, extra_args=["-initrd", str(archive)])
    assert re.search(rb"Keel: guest package: 3 files, \d+ KiB", bytes(k.transcript.data))
    lines = k.lines("pkg list")
    assert lines[0].split() == ["SIZE", "NAME"]
    listed = {ln.split()[1]: int(ln.split()[0]) for ln in lines[1:-1]}
    assert listed == {n: os.path.getsize(root / n) for n in names}
    assert lines[-1] == f"3 files, {sum(listed.values())} bytes"


def test_initrd_that_is_not_cpio(keel_factory, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"this is not a cpio archive\n" * 100)
    k = keel_factory(smp=1, extra_args=["-initrd", str(junk)])
    assert b"Keel: the initrd (2700 bytes) is not a cpio (newc) archive: no guest package" \
        in bytes(k.transcript.data)
    assert k.cmd("pkg list") == "error: pkg: no guest package (pass a cpio archive as the initrd)"
    assert k.cmd("echo alive") == "alive"


def test_no_initrd(keel):
    assert keel.cmd("pkg list") == "error: pkg: no guest package (pass a cpio archive as the initrd)"


def boot_with_package(keel_factory, tmp_path, files, append=None):
    root = tmp_path / "pkg"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    archive = tmp_path / "pkg.cpio"
    make_cpio(root, archive)
    extra = ["-initrd", str(archive)] + (["-append", append] if append else [])
    return keel_factory(smp=2, extra_args=extra)


def test_boot_script_runs_before_the_prompt(keel_factory, tmp_path):
    k = boot_with_package(keel_factory, tmp_path, {
        "boot.keel": "# set-up\r\necho hello from boot\n\nversion\nnosuchcmd\necho last",
    })
    k.expect("keel# echo last", what="the script's last line")
    k.expect(PROMPT_RE, what="the interactive prompt")
    out = k.output
    script = out[out.index("keel# echo hello from boot"):]
    assert script.split("\n")[:9] == [
        "keel# echo hello from boot", "hello from boot",
        "keel# version", script.split("\n")[3],
        "keel# nosuchcmd", "error: unknown command 'nosuchcmd' (try 'help')",
        "keel# echo last", "last", "keel# ",
    ]
    assert script.split("\n")[3].startswith("Keel 0.")
    assert "set-up" not in out
    assert k.cmd("echo interactive") == "interactive"


def test_boot_script_named_on_the_command_line(keel_factory, tmp_path):
    k = boot_with_package(keel_factory, tmp_path, {
        "boot.keel": "echo default script\n", "other.keel": "echo other script\n",
    }, append="console=ttyS0 keel.boot=other.keel")
    k.expect("other script\r", what="the named script's output")
    k.expect(PROMPT_RE)
    out = bytes(k.transcript.data)
    assert b"other script" in out and b"default script" not in out


def test_boot_script_missing(keel_factory, tmp_path):
    k = boot_with_package(keel_factory, tmp_path, {"boot.keel": "echo default\n"},
                          append="keel.boot=missing.keel")
    assert b"error: boot script 'missing.keel' is not in the guest package" in \
        bytes(k.transcript.data)
    assert k.cmd("echo still ok") == "still ok"


GUEST_DTS = """/dts-v1/;
/ {
	compatible = "keel,guest-v1";
	guest-name = "basic";
	bootargs = "keel.test=all";
	sbi-disable = "dbcn";
	vcpus {
		#address-cells = <1>;
		#size-cells = <0>;
		count = <2>;
		vcpu@1 { reg = <1>; priority = <3>; affinity = <0 1>; };
	};
	memory@80000000 { reg = <0x0 0x80000000 0x0 0x4000000>; };
	images { kernel { file = "basic.bin"; }; };
	%s
};
"""


def guest_package(tmp_path, dts_extra="", kernel_size=4096):
    root = tmp_path / "pkg"
    (root / "guests").mkdir(parents=True)
    src = tmp_path / "basic.dts"
    src.write_text(GUEST_DTS % dts_extra)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(root / "guests" / "basic.dtb"),
                    str(src)], check=True)
    (root / "basic.bin").write_bytes(bytes(kernel_size))
    archive = tmp_path / "pkg.cpio"
    make_cpio(root, archive)
    return archive


def test_guest_check_valid(keel_factory, tmp_path):
    k = keel_factory(smp=2, extra_args=["-initrd", str(guest_package(tmp_path))])
    assert k.lines("guest check guests/basic.dtb") == [
        "guest 'basic': 2 vcpus, 65536 KiB RAM in 1 regions",
        "  vcpu 0: priority 4, slice 10000 us, harts any",
        "  vcpu 1: priority 3, slice 10000 us, harts 0,1",
        "  memory 0x80000000-0x83ffffff",
        "  kernel basic.bin (4096 bytes) at 0x80200000",
        "  dtb    generated by Keel",
        "  sbi: -dbcn",
        '  bootargs "keel.test=all"',
        "guest 'basic': description ok",
    ]


def test_guest_check_errors(keel_factory, tmp_path):
    # A kernel larger than the RAM above its load address, then a device Keel
    # does not emulate, then files that are not there or not guest descriptions.
    pkg = guest_package(tmp_path, kernel_size=63 * 1024 * 1024)
    k = keel_factory(smp=1, extra_args=["-initrd", str(pkg)])
    out = k.cmd("guest check guests/basic.dtb")
    assert out.split("\n")[-1] == (
        "error: guest 'basic': image 'kernel' (66060288 bytes at 0x80200000) does not fit in RAM")
    assert k.cmd("guest check nothere.dtb") == "error: guest: 'nothere.dtb' is not in the guest package"
    assert k.cmd("guest check basic.bin").startswith("error: ")
    assert k.cmd("guest check") == "error: usage: guest check <file>"


def test_guest_check_unknown_device(keel_factory, tmp_path):
    # The first compatible Keel has a model for is used; none known is an error by name.
    pkg = guest_package(tmp_path, dts_extra="""devices {
		#address-cells = <2>; #size-cells = <2>;
		uart@10000000 { compatible = "vendor,uart", "ns16550a"; reg = <0x0 0x10000000 0x0 0x100>; };
		wdt@101000 { compatible = "vendor,watchdog"; reg = <0x0 0x101000 0x0 0x1000>; };
	};""")
    k = keel_factory(smp=1, extra_args=["-initrd", str(pkg)])
    assert k.cmd("guest check guests/basic.dtb") == \
        "error: guest 'basic': unknown device compatible 'vendor,watchdog'"
