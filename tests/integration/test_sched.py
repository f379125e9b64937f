"""
The scheduler core with real threads: `debug selftest` spawns threads on
every hart that go through a mutex, semaphore ping-pong across harts,
sleep, round-robin preemption between two CPU hogs, and exit (stacks and
heap blocks returned).  Also with the SBI TIME timer instead of Sstc.

Policies per hart: `sched policy` and keel.sched= on idle harts (Keel's
threads keep working under each), refused with guest VCPUs; guests with
budgets under edf and rm, windows under cyclic, admission control.  The
test guest's `spin` check counts as fast as it can in its memory: the
shares of a hart are computed from two such counters (guest progress), not
from wall time, and they are the only figures asserted.

A periodic guest beside such a CPU hog (the bench guest's keel.bench=periodic
under tools/keel-run --icount, where time is the count of instructions, so a
busy host changes nothing): it counts its activations, their lateness and the
ones whose work ended after the next release.
"""
import re
import time

import pytest

from conftest import ROOT
from test_guest_lifecycle import COUNTER, heartbeat as counter
from test_guests import create, package, start_counting
from test_keel_run import BASIC, keel_run  # noqa: F401 (a fixture)


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


def vcpus(lines):
    """sched info's VCPU table: {name: {column: value}}."""
    i = next(i for i, ln in enumerate(lines) if ln.split()[:2] == ["ID", "NAME"])
    head = lines[i].split()
    return {ln.split()[1]: dict(zip(head, ln.split())) for ln in lines[i + 1:]}


def test_context_switches_counted(keel_factory):
    k = keel_factory(smp=2)
    first, _ = harts(k)
    run_selftest(k)
    second, _ = harts(k)
    total = lambda rows: sum(int(r["SWITCHES"]) for r in rows.values())
    assert total(second) > total(first)


# ------------------------------------------------------------------ policies

def test_policy_per_hart_keeps_keel_threads_working(keel_factory):
    k = keel_factory(smp=2)
    known = "cyclic edf prio-rr rm"
    assert k.cmd("sched policy 1 fifo") == \
        f"error: sched policy: unknown policy 'fifo' (known: {known})"
    assert k.cmd("sched policy 2 edf") == "error: sched: no hart '2' (harts 0..1, see sched info)"
    assert k.cmd("sched table 1 -:1000") == \
        "error: sched table: hart 1 runs prio-rr: tables are for cyclic (sched policy 1 cyclic)"
    # Every policy on the hart of the selftest's CPU hogs, and edf under the shell too.
    for pol in ("edf", "rm", "cyclic"):
        assert k.cmd(f"sched policy 1 {pol}") == f"hart 1: policy {pol}"
        if pol == "cyclic":
            assert k.cmd("sched table 1 x/0:3000,-:2000") == "hart 1: 2 windows, frame 5000 us"
        rows, lines = harts(k)
        assert rows[1]["POLICY"] == pol and rows[0]["POLICY"] == "prio-rr", lines
        run_selftest(k)
    assert k.cmd("sched policy 0 edf") == "hart 0: policy edf"
    rows, lines = harts(k)
    assert rows[0]["POLICY"] == "edf", lines
    assert "hart 0: edf (earliest deadline first, constant-bandwidth servers): bound 100%, " \
           "reserved 0.0%, system server 500 us per 10000 us" in lines
    assert "hart 1: cyclic (cyclic table of time windows): 2 windows, frame 5000 us, " \
           "60.0% owned by VCPUs" in lines
    assert "  table: x/0:3000 -:2000" in lines
    run_selftest(k)
    assert k.cmd("sched policy 0 prio-rr") == "hart 0: policy prio-rr"


def test_boot_option(keel_factory):
    k = keel_factory(smp=2, extra_args=["-append", "keel.sched=1:edf,0:nope,5:rm,x"])
    assert "keel.sched: unknown policy 'nope' for hart 0 (known: cyclic edf prio-rr rm)" \
        in k.output
    assert "keel.sched: no hart 5 (harts 0..1)" in k.output
    assert "keel.sched: 'x' is not <hart>:<policy>" in k.output
    rows, lines = harts(k)
    assert (rows[0]["POLICY"], rows[1]["POLICY"]) == ("prio-rr", "edf"), lines


def spin_guests(keel_factory, tmp_path, smp, props, create, append=None):
    """Keel with a package of `spin` guests (props: {name: /vcpus properties}),
    the guests named in `create` created."""
    extra = ["-initrd", package(tmp_path, {n: "spin" for n in props}, vcpu_props=props)]
    k = keel_factory(smp=smp, extra_args=extra + (["-append", append] if append else []))
    for i, name in enumerate(create):
        assert k.cmd(f"guest create guests/{name}.dtb") == \
            f"guest '{name}' created: id {i}, 1 vcpus, 65536 KiB RAM"
    return k


def shares(k, names, seconds=2.0):
    """Each guest's share of the progress of all of them over `seconds`."""
    before = [counter(k, n) for n in names]
    time.sleep(seconds)
    done = [counter(k, n) - b for n, b in zip(names, before)]
    assert all(done), done
    print(f"shares of {names}: {[round(d / sum(done), 3) for d in done]}")
    return [d / sum(done) for d in done]


def vcpu_id(k, name):
    return next(ln.split()[0] for ln in k.lines("vcpu list")[1:] if ln.split()[1] == name)


# The shares are measured with one hart: QEMU's threads for more harts make them noisier on
# a busy host.  Guests on other harts: test_admission_failure_creates_nothing.

def test_edf_budgets_share_a_hart(keel_factory, tmp_path):
    # 30% and 70% of the hart, whose system server keeps the shell answering.
    hart = 0
    rsv = lambda q: f"affinity = <{hart}>; budget-us = <{q}>; period-us = <20000>;"
    k = spin_guests(keel_factory, tmp_path, 1, {"a": rsv(6000), "b": rsv(14000)}, "ab",
                    append=f"keel.sched={hart}:edf")
    start_counting(k, "a")
    start_counting(k, "b")
    time.sleep(0.5)
    a, b = shares(k, ["a", "b"])
    assert abs(a - 0.30) <= 0.05 and abs(b - 0.70) <= 0.05, (a, b)

    rows, lines = harts(k)
    assert f"hart {hart}: edf (earliest deadline first, constant-bandwidth servers): bound " \
           "100%, reserved 100.0%, system server 500 us per 10000 us" in lines
    v = vcpus(lines)
    assert (v["a/0"]["CLASS"], v["a/0"]["BUDGET_US"], v["a/0"]["PERIOD_US"]) == \
        ("budget", "6000", "20000"), lines
    assert int(v["b/0"]["PERIODS"]) > 0 and int(v["b/0"]["SWITCHES"]) > 0, lines
    # The hart is full: admission control refuses more, and nothing changes.
    assert k.cmd(f"vcpu sched {vcpu_id(k, 'a/0')} budget-us=7000") == \
        "error: vcpu sched: edf: reserved 70.0% + 35.0% > 100%"
    assert k.cmd(f"sched policy {hart} rm") == f"error: sched policy: hart {hart} runs 'a/0': " \
        "its policy changes only without guest VCPUs or reservations"
    assert k.cmd(f"vcpu sched {vcpu_id(k, 'a/0')} budget-us=4000 priority=3") == \
        f"vcpu {vcpu_id(k, 'a/0')} 'a/0': priority 3, slice 10000 us, budget 4000 us per 20000 us"
    assert "reserved 90.0%" in "\n".join(harts(k)[1])


def test_admission_failure_creates_nothing(keel_factory, tmp_path):
    props = {"a": "affinity = <1>; budget-us = <6000>; period-us = <10000>;",
             "c": "affinity = <1>; budget-us = <5000>; period-us = <10000>;",
             "d": "affinity = <0>; budget-us = <5000>; period-us = <10000>;",
             "e": "budget-us = <5000>; period-us = <10000>;"}
    extra = ["-initrd", package(tmp_path, {n: "spin" for n in props}, vcpu_props=props),
             "-append", "keel.sched=1:edf"]
    k = keel_factory(smp=2, extra_args=extra)
    before = k.memory_in_use()
    create(k, "a")
    start_counting(k, "a")
    a = vcpus(harts(k)[1])["a/0"]
    assert a["HART"] == "1" and int(a["PERIODS"]) > 0, a
    assert k.cmd("guest create guests/c.dtb") == \
        "error: guest 'c': vcpu 0: hart 1: edf: reserved 60.0% + 50.0% > 100%"
    assert k.cmd("guest create guests/d.dtb") == "error: guest 'd': vcpu 0: hart 0: prio-rr " \
        "has no budgets (sched policy <hart> edf|rm)"
    # Any hart, the least loaded first (equal: a and mterm run): each one's reason.
    assert k.cmd("guest create guests/e.dtb") == "error: guest 'e': vcpu 0: hart 0: prio-rr " \
        "has no budgets (sched policy <hart> edf|rm); hart 1: edf: reserved 60.0% + 50.0% > 100%"
    assert [ln.split()[1] for ln in k.lines("guest list")[1:]] == ["a"]
    assert k.cmd("guest halt a") == "guest 'a' halted: halted from the shell"
    assert k.cmd("guest destroy a") == "guest 'a' destroyed"
    assert k.memory_in_use() == before
    # Its reservation went with it.
    create(k, "c")


def test_rm_periods(keel_factory, tmp_path):
    # c, without a reservation, takes what a and b leave: the hart never idles (an idle QEMU
    # hart wakes late on a loaded host, which would cost the VCPU that comes next).
    props = {"a": "affinity = <0>; budget-us = <6000>; period-us = <30000>;",
             "b": "affinity = <0>; budget-us = <21000>; period-us = <120000>;",
             "c": "affinity = <0>;"}
    k = spin_guests(keel_factory, tmp_path, 1, props, "abc", append="keel.sched=0:rm")
    for name in "abc":
        start_counting(k, name)
    time.sleep(0.5)
    a, b, c = shares(k, ["a", "b", "c"])
    # 20% and 17.5% of the hart, the rest to c.
    assert abs(a - 0.2) <= 0.05 and abs(b - 0.175) <= 0.05 and abs(c - 0.625) <= 0.05, (a, b, c)
    assert "hart 0: rm (rate-monotonic, deferrable servers): response-time test, reserved " \
           "37.5%, system server 500 us per 10000 us" in harts(k)[1]
    assert k.cmd(f"vcpu sched {vcpu_id(k, 'b/0')} budget-us=96000") == \
        "error: vcpu sched: rm: 96000 us per 120000 us would take up to 126000 us (response-" \
        "time test)"


def test_cyclic_windows(keel_factory, tmp_path):
    # a and b own windows; c owns none and fills the window left to Keel's threads.
    props = {"a": "affinity = <0>;", "b": "affinity = <0>;", "c": "affinity = <0>;",
             "d": "affinity = <0>; budget-us = <1000>; period-us = <10000>;"}
    k = spin_guests(keel_factory, tmp_path, 1, props, "abc", append="keel.sched=0:cyclic")
    assert k.cmd("sched table 0 a/0:3000,b/0:5000") == \
        "error: sched table: no window for Keel's threads: leave at least one to '-'"
    assert k.cmd("sched table 0 a/0:3000,-:50") == \
        "error: sched table: window 1: 50 us out of range 100..1000000"
    assert k.cmd("sched table 0 a:3000") == \
        "error: sched table: owner 'a' is not '-' or a guest VCPU (<guest>/<index>)"
    assert k.cmd("sched table 0 a/0=3000") == "error: sched table: 'a/0=3000' is not <owner>:<us>"
    # Windows of several ms: each VCPU pays for its switch in, a larger part of a short window.
    assert k.cmd("sched table 0 a/0:9000,-:6000,b/0:15000") == "hart 0: 3 windows, frame 30000 us"
    for name in "abc":
        start_counting(k, name)
    time.sleep(0.5)
    # Only its owner runs in a window: 30% and 50% of the time; c the other 20%.
    a, b, c = shares(k, ["a", "b", "c"])
    assert abs(a - 0.3) <= 0.05 and abs(b - 0.5) <= 0.05 and abs(c - 0.2) <= 0.05, (a, b, c)
    lines = harts(k)[1]
    assert "hart 0: cyclic (cyclic table of time windows): 3 windows, frame 30000 us, 80.0% " \
           "owned by VCPUs" in lines
    assert [vcpus(lines)[n]["CLASS"] for n in ("a/0", "b/0", "c/0")] == ["windows", "windows", "bg"]
    # Windows go by name: the VCPU a reset makes has them too.
    k.send("guest reset a\r")
    k.expect(f"[a] BASIC: spin counting at {COUNTER:#x}")
    k.sync()
    assert vcpus(harts(k)[1])["a/0"]["CLASS"] == "windows"
    assert k.cmd("guest create guests/d.dtb") == \
        "error: guest 'd': vcpu 0: hart 0: cyclic has no budgets, only windows (sched table)"


# ------------------------------------------------------- periodic guest vs CPU hog

BENCH = f"{ROOT}/build/guests/bench.bin"
PERIODIC = re.compile(r"^BENCH timer_irq_latency_periodic (\d+) instr min (\d+) max (\d+) n (\d+)\n"
                      r"BENCH info timer_irq_latency_periodic: (\d+) activations every 1000 us, "
                      r"100 us of work, (\d+) missed$", re.M)
HOG = ["--add-guest", f"hog:{BASIC}::keel.test=spin"]
# What Keel's path from the deadline to the guest may cost, in instructions (1 ns each under
# icount; measured: about 1400, docs/benchmarks.md), QEMU's up to 99 included.
PATH = 10_000


def periodic_beside_hog(keel_run, *args):
    """The periodic guest (1 ms period, 100 us of work, 200 activations) beside a CPU hog on
    one hart: (worst lateness in ns, activations, missed)."""
    r = keel_run("--kernel", BENCH, "--append", "keel.bench=periodic", "--icount", *args, *HOG,
                 timeout=120)
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-2000:])
    m = PERIODIC.search(r.stdout)
    assert m, r.stdout
    assert "[hog] BASIC: spin counting at " in r.stdout
    worst, n, activations, missed = int(m[3]), int(m[4]), int(m[5]), int(m[6])
    assert n == activations
    return worst, activations, missed


@pytest.mark.parametrize("policy, args, bound_us", [
    # A deferrable (rm) or constant-bandwidth (edf) server of 200 us per 1000 us: with budget
    # left it preempts the hog at once.  The hog, a guest without a reservation, never runs on
    # the system server (Keel's threads only: before, under rm, every tenth release waited out
    # its budget behind the hog).
    ("rm", ["--sched", "budget-us=200,period-us=1000"], 0),
    ("edf", ["--sched", "budget-us=200,period-us=1000"], 0),
    # Its window is 900 us of each 1000 us frame: at worst a release waits out the other 100.
    ("cyclic", ["--shell", "sched table 0 guest/0:900,-:100"], 100),
    # prio-rr: above the hog's priority (4), it preempts the hog at once.
    ("prio-rr", ["--sched", "priority=2"], 0),
])
def test_a_hog_cannot_starve_a_periodic_guest(keel_run, policy, args, bound_us):
    worst, activations, missed = periodic_beside_hog(
        keel_run, "--keel-append", f"keel.sched=0:{policy}", *args)
    assert (activations, missed) == (200, 0)
    assert worst <= bound_us * 1000 + PATH, worst


def test_a_hog_of_equal_priority_delays_a_periodic_guest(keel_run):
    # Plain round-robin, both at priority 4: the hog keeps the hart for its 10 ms slice.
    worst, activations, missed = periodic_beside_hog(keel_run, "--keel-append",
                                                     "keel.sched=0:prio-rr")
    assert activations == 200 and missed > 100, missed
    assert worst > 5_000_000, worst
