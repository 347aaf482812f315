#!/usr/bin/env python3
"""make negotiation-bench: pricing memory on against off on populations of repeat callers.

Runs `carrier-sales simulate --population repeat` (two in-process servers on temporary
SQLite databases, the bundled loads and FMCSA snapshot) once per seed: 23 carriers are
few, so which premiums a seed draws moves the figures, and several seeds show by how much.
Prints the tables, and writes the first seed's table and a line per seed into
docs/benchmarks.md between the negotiation-bench markers (appended the first time; the
rest of the file is kept, and `make bench` keeps this section).
Env: NEGOTIATION_BENCH_CALLS (calls per carrier, default 100), NEGOTIATION_BENCH_SEEDS
(default "1 2 3 4 5").
"""
import datetime, os, pathlib, re, subprocess, sys, time

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/carrier-sales")
os.chdir(pathlib.Path(__file__).resolve().parent.parent)
calls = os.environ.get("NEGOTIATION_BENCH_CALLS") or "100"
seeds = (os.environ.get("NEGOTIATION_BENCH_SEEDS") or "1 2 3 4 5").split()
BEGIN, END = "<!-- negotiation-bench -->", "<!-- /negotiation-bench -->"


def args(seed):
    return ["simulate", "--population", "repeat", "--carriers", "23", "--calls-per-carrier", calls, "--seed", seed]


def cells(table, mode, which):
    """The cells of one row of the table: negotiations, share, booked, premium, rounds."""
    for line in table.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if parts[:2] == [mode, which]:
            return parts[2:]
    sys.exit(f"no row {mode} / {which} in the table:\n{table}")


def num(cell):
    return float(cell.rstrip("%"))


t0 = time.monotonic()
tables = {}
for seed in seeds:
    print("carrier-sales " + " ".join(args(seed)), file=sys.stderr)
    run = subprocess.run([binary, *args(seed)], stdout=subprocess.PIPE, text=True)
    print(run.stdout)
    if run.returncode != 0:
        sys.exit(f"the simulation failed (exit {run.returncode}); docs/benchmarks.md left as it was")
    tables[seed] = run.stdout.strip()
elapsed = time.monotonic() - t0

lines = [
    "| seed | share of oracle margin, memory on | memory off | points | booked, memory on | memory off | first calls answered alike |",
    "|--:|--:|--:|--:|--:|--:|--:|",
]
gains, ons, offs = [], [], []
for seed, table in tables.items():
    on, off = cells(table, "memory on", "repeat calls"), cells(table, "memory off", "repeat calls")
    alike = re.search(r"first calls answered identically with memory on and off: (\d+ of \d+)", table)
    ons.append(num(on[1]))
    offs.append(num(off[1]))
    gains.append(num(on[1]) - num(off[1]))
    booked = num(on[2]) - num(off[2])
    lines.append(
        f"| {seed} | {on[1]} | {off[1]} | {gains[-1]:+.1f} | {on[2]} | {off[2]} ({booked:+.1f}) | {alike.group(1) if alike else '?'} |"
    )
mean = lambda xs: sum(xs) / len(xs)
summary = (
    f"Over {len(seeds)} seeds, on repeat calls: memory on keeps {mean(ons):.1f}% of the oracle's margin "
    f"({min(ons):.1f}–{max(ons):.1f}%), memory off {mean(offs):.1f}% ({min(offs):.1f}–{max(offs):.1f}%); "
    f"the gain is {min(gains):+.1f} to {max(gains):+.1f} points."
)
print("\n".join(lines) + "\n\n" + summary)

first = seeds[0]
section = f"""{BEGIN}
## Pricing memory (make negotiation-bench)

Measured by `make negotiation-bench` (`bench/negotiation.py`) on {datetime.date.today().isoformat()}: \
{len(seeds)} runs in {elapsed:.0f} s on {os.cpu_count()} cores.

23 repeat callers (the eligible MCs of the bundled FMCSA snapshot) call {calls} times each, round-robin,
against two in-process servers on the bundled loads, one with pricing memory on
(`CARRIER_SALES__NEGOTIATION__LEARNING=true`) and one with it off (SPEC §7 alone). A carrier needs
posted × (premium + ε) on a load, its premium drawn once from N(1.04, 0.06), ε per call from
N(0, 0.01); it opens 5–25% above its need, concedes 30–60% of the gap to our counter each round and
takes any counter or final offer at or above its need. Every call verifies the MC and negotiates
through `negotiations/evaluate`; nothing is booked or finalized. Margin: the shipper pays 1.20 ×
posted; the oracle pays max(posted, need) when that is within the load's ceiling, else walks.
Share of oracle margin = Σ our margin / Σ the oracle's margin over the same negotiations.

Seed {first}:

```sh
carrier-sales {" ".join(args(first))}
```

{tables[first]}

Repeat calls, one population per seed (23 carriers are few: the premiums a seed draws move the
figures):

{chr(10).join(lines)}

{summary}
{END}
"""

doc_path = pathlib.Path("docs/benchmarks.md")
doc = doc_path.read_text() if doc_path.exists() else "# Benchmarks\n"
pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.S)
if pattern.search(doc):
    doc = pattern.sub(lambda _: section, doc, count=1)
else:
    doc = doc.rstrip("\n") + "\n\n" + section
doc_path.write_text(doc)
print(f"wrote its section of docs/benchmarks.md ({elapsed:.0f} s)", file=sys.stderr)
