"""
The scheduler core with real threads: `debug selftest` spawns threads on
every hart that go through a mutex, semaphore ping-pong across harts,
sleep, round-robin preemption between two CPU hogs, and exit (stacks and
heap blocks returned).  Also with the SBI TIME timer instead of Sstc.
"""
import re

import pytest


def run_selftest(k):
    out = k.cmd("debug selftest", timeout=120)
    assert re.search(r"^selftest: \d+ threads on \d+ harts finished", out, re.M), out
    results = re.findall(r"^(\w[\w-]*): .*: (ok|FAILED)$", out, re.M)
    assert {name for name, _ in results} == {"mutex", "semaphore", "round-robin", "sleep", "heap"}, out
    assert all(res == "ok" for _, res in results), out
    return out


@pytest.mark.parametrize("smp", [1, 4])
def test_selftest_threads(keel_factory, smp):
    k = keel_factory(smp=smp)
    out = run_selftest(k)
    assert f"on {smp} harts" in out
    # Every worker has exited and been reaped: only idle threads and mterm remain.
    names = [ln.split()[1] for ln in k.lines("thread list")[1:]]
    assert sorted(names) == sorted([f"idle/{i}" for i in range(smp)] + ["mterm"])


def test_selftest_with_sbi_timer(keel_factory):
    k = keel_factory(smp=2, cpu="rv64,sstc=false")
    assert k.online == (2, 2)
    assert "timer: sbi-time" in k.cmd("host info")
    run_selftest(k)


def test_selftest_twice_keeps_memory(keel_factory):
    k = keel_factory(smp=2)
    run_selftest(k)
    before = k.cmd("heap info")
    run_selftest(k)
    after = k.cmd("heap info")
    pages = lambda s: re.search(r"pages: total (\d+), free (\d+)", s).groups()
    used = lambda s: re.search(r"(\d+) blocks in use", s).group(1)
    assert pages(before) == pages(after)
    assert used(before) == used(after)


def harts(k):
    """sched info's first table: {hart: {column: value}}."""
    lines = k.lines("sched info")
    head = lines[0].split()
    assert head[:3] == ["HART", "HARTID", "POLICY"], lines
    rows = [dict(zip(head, ln.split())) for ln in lines[1:] if ln and ln[0] == " "
            and ln.split()[0].isdigit() and len(ln.split()) == len(head)]
    return {int(r["HART"]): r for r in rows}, lines


def test_context_switches_counted(keel_factory):
    k = keel_factory(smp=2)
    first, _ = harts(k)
    run_selftest(k)
    second, _ = harts(k)
    total = lambda rows: sum(int(r["SWITCHES"]) for r in rows.values())
    assert total(second) > total(first)
