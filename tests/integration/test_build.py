"""
The build targets a developer uses beside `make run` and `make test`: a
Kconfig option that leaves code out of keel.bin, `make savedefconfig`, and
`make gdb` attaching gdb-multiarch to a waiting QEMU with Keel's symbols.
"""
import os
import shutil
import subprocess

import pexpect

from conftest import LOG_DIR, ROOT, Keel, _log_name

BUILD_TIMEOUT = 600


def test_kconfig_option_leaves_a_command_out(request, tmp_path):
    # A copy of the tree with CONFIG_CMD_SCHED off, built into its own directory.
    tree = tmp_path / "keel"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        os.makedirs(tree / os.path.dirname(f), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), tree / f)
    subprocess.run(["make", "-s", "defconfig"], cwd=tree, check=True, capture_output=True)
    config = (tree / ".config").read_text()
    assert "CONFIG_CMD_SCHED=y\n" in config
    (tree / ".config").write_text(config.replace("CONFIG_CMD_SCHED=y\n",
                                                 "# CONFIG_CMD_SCHED is not set\n"))
    r = subprocess.run(["make", "-s", "-j2", "all"], cwd=tree, capture_output=True, text=True,
                       timeout=BUILD_TIMEOUT)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    nm = subprocess.run(["riscv64-unknown-elf-nm", str(tree / "build" / "keel.elf")],
                        check=True, capture_output=True, text=True).stdout
    assert " cmd_decl_host\n" in nm and " cmd_decl_sched\n" not in nm
    assert os.path.getsize(tree / "build" / "keel.bin") < \
        os.path.getsize(os.path.join(ROOT, "build", "keel.bin"))

    # savedefconfig writes only what differs from the defaults.
    subprocess.run(["make", "-s", "savedefconfig"], cwd=tree, check=True, capture_output=True)
    assert "# CONFIG_CMD_SCHED is not set" in (tree / "defconfig").read_text().splitlines()

    os.makedirs(LOG_DIR, exist_ok=True)
    k = Keel(str(tree / "build" / "keel.bin"),
             os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), smp=1)
    k.start()
    try:
        assert k.cmd("sched info") == "error: unknown command 'sched' (try 'help')"
        assert not any(ln.split()[:1] == ["sched"] for ln in k.lines("help"))
        assert k.cmd("uptime").startswith("up ")
    finally:
        k.kill()


def test_make_gdb_attaches_with_symbols(request):
    # gdb reads its commands from the pipe: stop in boot_main, where OpenSBI passed the hart
    # id and the DTB address, then end QEMU.
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "wb")
    p = pexpect.spawn("make", ["-s", "gdb", "SMP=1"], cwd=ROOT, timeout=60, encoding=None)
    p.logfile_read = log
    try:
        p.expect(b"QEMU waits for the debugger on :1234")
        p.expect(rb"\(gdb\) ")
        p.sendline(b"set style enabled off")
        p.expect(rb"\(gdb\) ")
        p.sendline(b"break boot_main")
        p.expect(rb"Breakpoint 1 at 0x[0-9a-f]+: file core/main\.c")
        p.sendline(b"continue")
        p.expect(rb"Breakpoint 1, boot_main \(hartid=0, fdt=0x82200000\) at core/main\.c")
        p.sendline(b"kill")
        p.expect(rb"Kill the program being debugged\? \(y or n\) ")
        p.sendline(b"y")
        p.expect(rb"\(gdb\) ")
        p.sendline(b"quit")
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)
        log.close()
