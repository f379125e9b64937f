"""
VCPU affinity at run time and migration between harts (`vcpu affinity`),
load balancing of VCPUs that may run on several harts, and host interrupt
affinity (`host irq`).

The test guest's `migrate` check keeps its FP registers, sscratch and a
timer interrupt in a loop and counts rounds and failed rounds in guest
memory, while the test moves its VCPU back and forth.
"""
import re
import time

import pytest

from test_guest_lifecycle import COUNTER, heartbeat
from test_guests import create, package, start_counting

FAILED = COUNTER + 8


def vcpu_rows(k):
    rows = k.lines("vcpu list")
    assert rows[0].split() == ["ID", "NAME", "KIND", "HART", "STATE", "GUEST", "HSM", "EXITS",
                               "AFFINITY"], rows
    return {r.split()[1]: r.split() for r in rows[1:]}


def migrate_guest(keel_factory, tmp_path, smp, test="migrate", vcpus=1, props=""):
    k = keel_factory(smp=smp, extra_args=["-initrd", package(
        tmp_path, {"mg": test}, vcpus=vcpus, vcpu_props={"mg": props})])
    create(k, "mg")
    k.send("guest start mg\r")
    k.expect(re.compile(rb"\[mg\] BASIC: (migrate checking|spin counting) at "))
    k.sync()
    return k


@pytest.mark.parametrize("smp", [2, 4])
def test_migrated_vcpu_keeps_its_state(keel_factory, tmp_path, smp):
    k = migrate_guest(keel_factory, tmp_path, smp, props="affinity = <0>; ")
    vid = vcpu_rows(k)["mg/0"][0]
    assert vcpu_rows(k)["mg/0"][8] == "0"
    before = heartbeat(k, "mg", COUNTER)
    for i in range(40):
        hart = 1 + i % (smp - 1) if i % 2 == 0 else 0
        out = k.cmd(f"vcpu affinity {vid} {hart}")
        assert out == f"vcpu {vid} 'mg/0': affinity {hart}, on hart {hart}", out
        row = vcpu_rows(k)["mg/0"]
        assert (row[3], row[8]) == (str(hart), str(hart)), row
        time.sleep(0.02)
    after = heartbeat(k, "mg", COUNTER)
    assert after > before + 40, (before, after)
    assert heartbeat(k, "mg", FAILED) == 0, k.output
    assert "migrate FAIL" not in k.output
    info = k.lines(f"vcpu info {vid}")
    assert re.match(r"  affinity 0, (\d+) migrations", info[1]), info
    assert int(re.match(r"  affinity 0, (\d+) migrations", info[1]).group(1)) >= 40
    # Still counting after the last move.
    time.sleep(0.3)
    assert heartbeat(k, "mg", COUNTER) > after


def test_affinity_errors_change_nothing(keel_factory, tmp_path):
    k = migrate_guest(keel_factory, tmp_path, 2, props="affinity = <1>; ")
    rows = vcpu_rows(k)
    vid, tid, idle = rows["mg/0"][0], rows["mterm"][0], rows["idle/0"][0]
    assert k.cmd(f"vcpu affinity {vid} 2") == "error: vcpu affinity: no hart 2 (harts 0..1)"
    assert k.cmd(f"vcpu affinity {vid} 1-0") == \
        "error: vcpu affinity: '1-0': range 1-0 is backwards"
    assert k.cmd(f"vcpu affinity {vid} x") == \
        "error: vcpu affinity: 'x' is not a list of harts (e.g. 1 or 0,2-3 or all)"
    assert k.cmd(f"vcpu affinity {vid} 1,1") == "error: vcpu affinity: '1,1' names hart 1 twice"
    assert k.cmd(f"vcpu affinity {vid}") == \
        "error: usage: vcpu affinity <id> <harts> (e.g. 1, 0,2-3, all)"
    assert k.cmd("vcpu affinity 999 0") == "error: vcpu: no VCPU with id 999 (see vcpu list)"
    assert k.cmd(f"vcpu affinity {idle} 1") == \
        "error: vcpu affinity: does not apply to 'idle/0', the idle loop of hart 0"
    assert vcpu_rows(k)["mg/0"][3] == "1" and vcpu_rows(k)["mg/0"][8] == "1"
    # Keel's own thread (the shell, running this command) moves too, and keeps answering.
    assert k.cmd(f"vcpu affinity {tid} 1") == f"vcpu {tid} 'mterm': affinity 1, on hart 1"
    assert vcpu_rows(k)["mterm"][3] == "1"
    assert k.cmd(f"vcpu affinity {tid} 0") == f"vcpu {tid} 'mterm': affinity 0, on hart 0"
    assert k.cmd(f"vcpu affinity {vid} all") == f"vcpu {vid} 'mg/0': affinity all, on hart 1"


def test_affinity_refused_by_admission_control(keel_factory, tmp_path):
    props = {"a": "affinity = <0>; budget-us = <6000>; period-us = <10000>; ",
             "b": "affinity = <1>; budget-us = <6000>; period-us = <10000>; "}
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, {"a": "spin", "b": "spin"}, vcpu_props=props),
        "-append", "keel.sched=0:edf,1:edf"])
    for name in "ab":
        create(k, name)
    rows = vcpu_rows(k)
    a = rows["a/0"][0]
    assert k.cmd(f"vcpu affinity {a} 1") == \
        "error: vcpu affinity: hart 1: edf: reserved 60.0% + 60.0% > 100%"
    assert vcpu_rows(k)["a/0"][3] == "0" and vcpu_rows(k)["a/0"][8] == "0"
    k.cmd(f"vcpu sched {rows['b/0'][0]} budget-us=3000")
    assert k.cmd(f"vcpu affinity {a} 1") == f"vcpu {a} 'a/0': affinity 1, on hart 1"


def test_idle_hart_takes_a_waiting_vcpu(keel_factory, tmp_path):
    """Two CPU hogs that may use both harts, created on one: balancing spreads them."""
    k = keel_factory(smp=2, extra_args=["-initrd", package(
        tmp_path, {"s1": "spin", "s2": "spin"},
        vcpu_props={"s1": "affinity = <1>; ", "s2": "affinity = <1>; "})])
    for name in ("s1", "s2"):
        create(k, name)
        start_counting(k, name)
    rows = vcpu_rows(k)
    assert rows["s1/0"][3] == rows["s2/0"][3] == "1"
    for name in ("s1", "s2"):
        k.cmd(f"vcpu affinity {rows[name + '/0'][0]} all")
    deadline = time.time() + 10
    while time.time() < deadline:
        rows = vcpu_rows(k)
        if {rows["s1/0"][3], rows["s2/0"][3]} == {"0", "1"}:
            break
        time.sleep(0.2)
    assert {rows["s1/0"][3], rows["s2/0"][3]} == {"0", "1"}, rows
    lines = k.lines("sched info")
    head = next(ln for ln in lines if ln.split()[:2] == ["ID", "NAME"]).split()
    assert head[-1] == "MIGRATIONS"
    migr = sum(int(ln.split()[-1]) for ln in lines if ln.split()[1:2] in (["s1/0"], ["s2/0"]))
    assert migr >= 1, lines


def irq_rows(k, smp):
    lines = k.lines("host irq")
    assert lines[0].split() == ["IRQ", "HART", "HANDLER"] + [f"HART{i}" for i in range(smp)], lines
    return {int(ln.split()[0]): ln.split() for ln in lines[1:]}


def test_console_irq_moves_to_another_hart(keel_factory):
    k = keel_factory(smp=2)
    rows = irq_rows(k, 2)
    assert rows[10][1:5] == ["0", "ns16550", "console", rows[10][4]], rows
    on0 = int(rows[10][4])
    assert on0 > 0 and rows[10][5] == "0", rows
    assert k.cmd("host irq affinity 10 1") == "irq 10: hart 1"
    # The shell keeps answering: every byte typed now is taken on hart 1.
    for i in range(5):
        assert k.cmd(f"echo still here {i}") == f"still here {i}"
    rows = irq_rows(k, 2)
    assert rows[10][1] == "1" and int(rows[10][5]) > 10, rows
    assert int(rows[10][4]) >= on0
    assert k.cmd("host irq affinity 10 0") == "irq 10: hart 0"
    assert k.cmd("echo back") == "back"


def test_irq_affinity_errors_change_nothing(keel_factory):
    k = keel_factory(smp=2)
    assert k.cmd("host irq affinity 10 2") == "error: host irq: no hart '2' (harts 0..1)"
    assert k.cmd("host irq affinity 11 1") == "error: host irq: no host interrupt 11 (see host irq)"
    assert k.cmd("host irq affinity 5000 1") == \
        "error: host irq: no host interrupt 5000 (see host irq)"
    assert k.cmd("host irq affinity x 1") == \
        "error: host irq: 'x' is not an interrupt number (see host irq)"
    assert k.cmd("host irq affinity 10") == \
        "error: usage: host irq [list | affinity <irq> <hart>]"
    assert k.cmd("host irq list").split("\n")[0].split()[:3] == ["IRQ", "HART", "HANDLER"]
    assert irq_rows(k, 2)[10][1] == "0"
