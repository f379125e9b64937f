"""
The board firmware path: Debian's U-Boot (qemu-riscv64_smode, itself started by
OpenSBI fw_jump) loads keel.bin from an ext4 filesystem on a virtio disk and
boots it with `booti`, as it would a Linux Image on a board.
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import LOG_DIR, Keel, _log_name

UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"


@pytest.fixture
def boot_disk(tmp_path, keel_kernel):
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(keel_kernel, root / "keel.bin")
    disk = tmp_path / "disk.img"
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "keelboot", "-d", str(root), str(disk), "16M"],
                   check=True, env={**os.environ, "PATH": "/usr/sbin:/sbin:" + os.environ["PATH"]})
    return str(disk)


@pytest.mark.parametrize("smp", [1, 4])
def test_uboot_booti_loads_keel(request, boot_disk, keel_kernel, smp):
    assert os.path.isfile(UBOOT), f"{UBOOT} missing (Debian package u-boot-qemu)"
    os.makedirs(LOG_DIR, exist_ok=True)
    log = os.path.join(LOG_DIR, _log_name(request.node.name) + ".log")
    k = Keel(UBOOT, log, smp=smp, extra_args=[
        "-drive", f"file={boot_disk},format=raw,if=none,id=d0",
        "-device", "virtio-blk-device,drive=d0"])
    try:
        k.start(wait_prompt=False)
        k.expect("Hit any key to stop autoboot", what="U-Boot's autoboot countdown")
        k.send("\r")
        k.expect("=> ", what="U-Boot's prompt")
        # Load somewhere other than where Keel will run: booti moves the Image
        # to RAM base + text_offset, which it reads from Keel's header.
        k.send("load virtio 0 0x90000000 keel.bin\r")
        k.expect(re.compile(rb"(\d+) bytes read"), what="keel.bin loaded from the virtio disk")
        assert int(k.proc.match.group(1)) == os.path.getsize(keel_kernel)
        k.expect("=> ")
        k.send("booti 0x90000000 - ${fdtcontroladdr}\r")
        k.expect("Starting kernel", what="booti accepting Keel's Image header")
        k.wait_boot()
        assert k.online == (smp, smp)
        out = k.cmd("host info")
        assert f"harts: {smp} online, {smp} in device tree" in out
        assert "device: ns16550" in out
        assert "echo from u-boot" in k.cmd("echo echo from u-boot")
    finally:
        k.kill()
