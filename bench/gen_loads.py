#!/usr/bin/env python3
"""Writes N benchmark loads (JSON array) over the lanes of data/loads.json, pickups spread
over the next 1-14 days, deterministic. Usage: gen_loads.py N OUT"""
import json, random, sys, pathlib

n, out = int(sys.argv[1]), sys.argv[2]
root = pathlib.Path(__file__).resolve().parent.parent
seed = json.loads((root / "data" / "loads.json").read_text())
rng = random.Random(7)
loads = []
for i in range(n):
    base = seed[i % len(seed)]
    load = {k: base[k] for k in ("origin", "destination", "equipment_type", "miles", "weight",
                                   "commodity_type", "num_of_pieces", "dimensions", "notes")}
    load["load_id"] = f"B-{i:06d}"
    load["pickup_day_offset"] = rng.randint(1, 14)
    load["pickup_time"] = f"{rng.randint(5, 16):02d}:{rng.choice(['00', '30'])}"
    load["loadboard_rate"] = round(base["loadboard_rate"] * rng.uniform(0.9, 1.1) / 25) * 25
    loads.append(load)
pathlib.Path(out).write_text(json.dumps(loads))
