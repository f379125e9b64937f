"""
Boot-time discovery: what the loader hands over (an initrd, larger RAM) is
respected by the page allocator and shown by `host info`.
"""
import re


def ranges(out, what):
    return [(int(a, 16), int(b, 16)) for a, b in
            re.findall(rf"^  reserved ([0-9a-f]{{16}})-([0-9a-f]{{16}}) {what}$", out, re.M)]


def test_initrd_is_reserved(keel_factory, tmp_path):
    initrd = tmp_path / "initrd.bin"
    initrd.write_bytes(bytes(range(256)) * 4096 + b"end")  # 1 MiB + 3 bytes
    k = keel_factory(smp=2, extra_args=["-initrd", str(initrd)])
    out = k.cmd("host info")
    (start, end), = ranges(out, "initrd")
    assert end - start + 1 == initrd.stat().st_size
    # None of the initrd's pages is handed out: it does not overlap free RAM
    # the allocator reports, and Keel's own ranges stay apart from it.
    for what in ("keel", "dtb", "firmware", "page-meta"):
        for a, b in ranges(out, what):
            assert b < start or a > end, f"{what} overlaps the initrd"
    assert "integrity: ok" in k.cmd("heap info")


def test_large_memory(keel_factory):
    k = keel_factory(smp=1, memory="2G")
    out = k.cmd("host info")
    assert "memory: 2048 MiB RAM" in out
    assert "  ram      0000000080000000-00000000ffffffff" in out
    pages = re.search(r"pages: total (\d+)", k.cmd("heap info")).group(1)
    assert int(pages) == 2 * 1024 * 256


def test_more_harts_than_configured(keel_factory):
    # CONFIG_MAX_HARTS is 8 in the QEMU defconfig: a ninth hart is listed, not used.
    k = keel_factory(smp=9, memory="256M")
    assert k.online == (8, 9)
    out = k.cmd("host cpu")
    m = re.search(r"^hart (\d+) not used: beyond CONFIG_MAX_HARTS$", out, re.M)
    assert m, out
    assert len(re.findall(r"^ +\d+ +\d+ online ", out, re.M)) == 8
