"""
SBI STA (steal-time accounting) under Keel: the test guest's `sta` check
(set_shmem's errors, the record zeroed, sequence even, steal no more than
the time that passed) beside a CPU hog, so that the record really moves; a
description's `sbi-disable = "sta"` hiding it, and
steal time that grows while a guest shares its hart with a CPU hog: the
guest's `sta_spin` prints the steal Keel wrote into its record every 500 ms
of its time, which must be about half of that time with one other hog on
the hart, and close to nothing alone.
"""
import re
import time

from test_guests import create, package, results, run_to_shutdown, start_counting

STEAL = re.compile(r"^\[st\] BASIC: info sta_spin steal (\d+) ns in (\d+) ns$", re.M)


def steal_lines(k):
    """Every (steal, elapsed) the guest `st` printed so far, in ns."""
    return [(int(s), int(t)) for s, t in STEAL.findall(k.output)]


def steal_rate(lines):
    """Steal over elapsed time between the first and the last of `lines`."""
    (s0, t0), (s1, t1) = lines[0], lines[-1]
    assert t1 > t0 and s1 >= s0, lines
    return (s1 - s0) / (t1 - t0)


def vcpu_ids(k):
    return {ln.split()[1]: ln.split()[0] for ln in k.lines("vcpu list")[1:]}


def steal_us(k, vid):
    stats = dict(re.findall(r"^  (.+?) +(\d+)$", k.cmd(f"vcpu stats {vid}"), re.M))
    return int(stats["steal us"])


def test_sta_check(keel_factory, tmp_path):
    # On the one hart with a CPU hog: the 50 ms the check waits busily are half stolen, so the
    # record has been rewritten (sequence past 0) by the time it is read.
    pkg = package(tmp_path, {"st": "sbi_base,sta", "hog": "spin"})
    k = keel_factory(smp=1, extra_args=["-initrd", pkg])
    for name in ("st", "hog"):
        create(k, name)
    start_counting(k, "hog")
    run_to_shutdown(k, "st")
    text = k.output
    assert results(text, "st") == {"sbi_base": "ok", "sta": "ok"}, text[-3000:]
    m = re.search(r"^\[st\] BASIC: sta ok steal (\d+) ns in (\d+) ms, sequence (\d+)$", text, re.M)
    assert m, text[-3000:]
    steal, ms, seq = (int(g) for g in m.groups())
    print(f"sta check beside a hog: steal {steal} ns in {ms} ms, sequence {seq}")
    assert 0 < steal <= ms * 1000000 and seq >= 2 and seq % 2 == 0, m.group(0)


def test_sta_disabled_by_the_description(keel_factory, tmp_path):
    pkg = package(tmp_path, {"nosta": "sbi_base,sta"},
                  root_props={"nosta": '\n\tsbi-disable = "sta";'})
    k = keel_factory(smp=1, extra_args=["-initrd", pkg])
    create(k, "nosta")
    run_to_shutdown(k, "nosta")
    text = k.output
    assert results(text, "nosta") == {"sbi_base": "ok", "sta": "skip"}, text[-3000:]
    assert "[nosta] BASIC: sta skip no STA (probe 0)" in text


def test_steal_grows_on_a_shared_hart(keel_factory, tmp_path):
    # Both on hart 1; the shell's thread stays where Keel put it.
    pin = {"st": "affinity = <1>; ", "hog": "affinity = <1>; "}
    pkg = package(tmp_path, {"st": "sta_spin", "hog": "spin"}, vcpu_props=pin)
    k = keel_factory(smp=2, extra_args=["-initrd", pkg])
    for name in ("st", "hog"):
        create(k, name)
    start_counting(k, "st", "sta_spin")
    time.sleep(2.0)
    k.sync()
    alone = steal_lines(k)
    assert len(alone) >= 2, k.output[-2000:]
    rate_alone = steal_rate(alone)

    start_counting(k, "hog")
    before = len(steal_lines(k))
    time.sleep(4.0)
    k.sync()
    shared = steal_lines(k)[before:]
    assert len(shared) >= 2, k.output[-2000:]
    rate_shared = steal_rate(shared)
    print(f"steal rate alone {rate_alone:.3f}, sharing hart 1 with a hog {rate_shared:.3f}")
    assert rate_alone < 0.1, alone
    # Two hogs of the same priority: each waits about half the time.
    assert 0.3 <= rate_shared <= 0.7, shared

    # Paused, it prints nothing into the commands' output (and waits for nothing).
    k.send("guest pause st\r")
    k.sync()
    ids = vcpu_ids(k)
    info = k.lines(f"vcpu info {ids['st/0']}")
    assert info[1] == "  affinity 1, 0 migrations", info
    assert re.match(r"  runtime \d+ us, steal \d+ us, ", info[2]), info
    assert re.search(r", steal-time record \(SBI STA\) at 0x8[0-9a-f]{7}$", info[-1]), info
    # Keel's total covers what the guest was told (its record counts from set_shmem).
    last_steal_ns = steal_lines(k)[-1][0]
    assert steal_us(k, ids["st/0"]) >= last_steal_ns // 1000
    assert steal_us(k, ids["hog/0"]) > 0
    assert "no steal-time record (SBI STA)" in k.lines(f"vcpu info {ids['hog/0']}")[-1]
