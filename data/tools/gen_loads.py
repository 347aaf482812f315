#!/usr/bin/env python3
"""Generate data/loads.json, the seed load catalogue, and validate it.

    python3 data/tools/gen_loads.py            # generate + validate, writes data/loads.json
    python3 data/tools/gen_loads.py --check    # only validate the existing data/loads.json

Deterministic: a fixed random seed, a hand-written list of lanes, and the city
coordinates of data/cities.csv. Standard library only.

The loads are invented demo freight over real US lanes. Pickups are relative
to the import day (`pickup_day_offset`), times are local wall-clock times at
the origin (pickup) and destination (delivery); the service resolves them to
UTC with each city's time zone from cities.csv.

Rules baked in (and re-checked by validate()):
  * miles = great-circle distance between the two cities x 1.18, rounded;
    every lane is between 120 and 2,800 miles;
  * transit: same day below 250 miles, otherwise ceil(miles / 500) days;
  * loadboard_rate: rate per mile from a distance curve (short hauls ~$3-3.6,
    long hauls ~$1.95-2.3 for dry van), times an equipment factor (reefer
    +10-15 %, flatbed / step deck +15-20 %, conestoga ~+22 %, power only
    -8 %, box truck -20 %), kept inside $1.50-$4.00 per mile, rounded to $25;
  * max_rate on about a third of the loads, 5-12 % above loadboard_rate,
    rounded to $25.
"""
import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import sys
from collections import Counter

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - python < 3.9
    ZoneInfo = None

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, ".."))
CITIES = os.path.join(DATA, "cities.csv")
OUT = os.path.join(DATA, "loads.json")

SEED = 20261124
ROAD_FACTOR = 1.18
EARTH_RADIUS_MI = 3958.8
MILES_PER_DAY = 500
SAME_DAY_BELOW = 250

FIELDS = [
    "load_id", "origin", "destination", "pickup_day_offset", "pickup_time",
    "delivery_day_offset", "delivery_time", "equipment_type", "loadboard_rate",
    "max_rate", "miles", "weight", "commodity_type", "num_of_pieces",
    "dimensions", "notes",
]
OPTIONAL_FIELDS = {"max_rate"}

EQUIPMENT_TARGET_SHARE = {
    "Dry Van": 0.40, "Reefer": 0.25, "Flatbed": 0.15, "Step Deck": 0.07,
    "Power Only": 0.07, "Conestoga": 0.03, "Box Truck": 0.03,
}

# Per-equipment rate factor range (applied to the dry-van distance curve).
EQUIPMENT_RATE_FACTOR = {
    "Dry Van": (0.97, 1.03),
    "Reefer": (1.10, 1.15),
    "Flatbed": (1.15, 1.20),
    "Step Deck": (1.16, 1.20),
    "Conestoga": (1.20, 1.25),
    "Power Only": (0.90, 0.95),
    "Box Truck": (0.78, 0.84),
}

# Weight limits (lb) per equipment, used by the generator and the validator.
EQUIPMENT_WEIGHT = {
    "Dry Van": (12000, 44000),
    "Reefer": (20000, 43000),
    "Flatbed": (15000, 48000),
    "Step Deck": (15000, 48000),
    "Conestoga": (15000, 45000),
    "Power Only": (20000, 40000),  # includes the trailer's own weight
    "Box Truck": (2000, 10000),
}

# ---------------------------------------------------------------------------
# Commodity profiles: equipment -> commodity -> how it is packed.
#   unit:     what num_of_pieces counts
#   weight:   (min, max) lb
#   pieces:   (min, max)
#   dims:     format string for `dimensions` ({n} = pieces)
#   temp:     reefer set point in F (reefer only)
# ---------------------------------------------------------------------------
PALLET = "48x40"
P = {
    # ---- Dry Van ----------------------------------------------------------
    "Paper products": dict(weight=(30000, 42000), pieces=(24, 26),
                           dims="53 ft trailer, {n} pallets " + PALLET + "x60 in"),
    "Packaged foods": dict(weight=(28000, 42000), pieces=(20, 26),
                           dims="53 ft trailer, {n} pallets " + PALLET + "x54 in"),
    "Consumer electronics": dict(weight=(12000, 24000), pieces=(14, 24),
                                 dims="53 ft trailer, {n} pallets " + PALLET + "x66 in"),
    "Auto parts": dict(weight=(18000, 40000), pieces=(16, 26),
                       dims="53 ft trailer, {n} returnable racks 48x45x50 in"),
    "Canned beverages": dict(weight=(40000, 44000), pieces=(20, 22),
                             dims="53 ft trailer, {n} pallets " + PALLET + "x52 in"),
    "General merchandise (retail)": dict(weight=(14000, 30000), pieces=(22, 26),
                                         dims="53 ft trailer, {n} pallets " + PALLET + "x72 in"),
    "Household appliances": dict(weight=(16000, 28000), pieces=(40, 60),
                                 dims="53 ft trailer, {n} boxed units, floor loaded"),
    "Bagged plastic resin": dict(weight=(40000, 44000), pieces=(20, 22),
                                 dims="53 ft trailer, {n} pallets " + PALLET + "x48 in"),
    "Furniture": dict(weight=(12000, 22000), pieces=(120, 260),
                      dims="53 ft trailer, {n} cartons, floor loaded"),
    "Tires": dict(weight=(14000, 26000), pieces=(450, 700),
                  dims="53 ft trailer, {n} tires, floor loaded"),
    "Canned goods": dict(weight=(38000, 43500), pieces=(20, 24),
                         dims="53 ft trailer, {n} pallets " + PALLET + "x48 in"),
    "Corrugated boxes": dict(weight=(18000, 30000), pieces=(26, 30),
                             dims="53 ft trailer, {n} bundles on pallets 60x48x72 in"),
    "Pet food": dict(weight=(36000, 43000), pieces=(20, 24),
                     dims="53 ft trailer, {n} pallets " + PALLET + "x54 in"),
    "Bottled water": dict(weight=(41000, 44000), pieces=(20, 22),
                          dims="53 ft trailer, {n} pallets " + PALLET + "x50 in"),
    "Apparel (cartons)": dict(weight=(12000, 20000), pieces=(900, 1400),
                              dims="53 ft trailer, {n} cartons, floor loaded"),
    "Building materials (boxed)": dict(weight=(30000, 43000), pieces=(20, 24),
                                       dims="53 ft trailer, {n} pallets " + PALLET + "x48 in"),
    "Medical supplies": dict(weight=(12000, 22000), pieces=(18, 26),
                             dims="53 ft trailer, {n} pallets " + PALLET + "x60 in"),
    "Cleaning products": dict(weight=(30000, 42000), pieces=(22, 26),
                              dims="53 ft trailer, {n} pallets " + PALLET + "x54 in"),
    # ---- Reefer -----------------------------------------------------------
    "Fresh produce (avocados)": dict(weight=(36000, 42000), pieces=(20, 22), temp=42,
                                     dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Fresh produce (tomatoes)": dict(weight=(36000, 42000), pieces=(20, 22), temp=55,
                                     dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Fresh produce (limes)": dict(weight=(38000, 42000), pieces=(20, 22), temp=48,
                                  dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Fresh produce (berries)": dict(weight=(24000, 34000), pieces=(20, 24), temp=34,
                                    dims="53 ft reefer, {n} pallets " + PALLET + "x78 in"),
    "Fresh produce (lettuce)": dict(weight=(34000, 42000), pieces=(22, 26), temp=34,
                                    dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Fresh produce (table grapes)": dict(weight=(36000, 42000), pieces=(20, 22), temp=32,
                                         dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Fresh produce (citrus)": dict(weight=(38000, 43000), pieces=(20, 22), temp=38,
                                   dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Fresh produce (onions)": dict(weight=(40000, 43000), pieces=(20, 22), temp=40,
                                   dims="53 ft reefer, {n} pallets " + PALLET + "x60 in"),
    "Apples": dict(weight=(38000, 42000), pieces=(20, 22), temp=34,
                   dims="53 ft reefer, {n} pallets " + PALLET + "x72 in"),
    "Frozen poultry": dict(weight=(38000, 43000), pieces=(20, 24), temp=0,
                           dims="53 ft reefer, {n} pallets " + PALLET + "x60 in"),
    "Fresh poultry": dict(weight=(36000, 42000), pieces=(20, 24), temp=28,
                          dims="53 ft reefer, {n} pallets " + PALLET + "x54 in"),
    "Boxed beef": dict(weight=(38000, 43000), pieces=(900, 1000), temp=28,
                       dims="53 ft reefer, {n} cases, floor loaded"),
    "Frozen pork": dict(weight=(38000, 42000), pieces=(20, 22), temp=0,
                        dims="53 ft reefer, {n} pallets " + PALLET + "x60 in"),
    "Dairy (cheese)": dict(weight=(34000, 42000), pieces=(18, 22), temp=36,
                           dims="53 ft reefer, {n} pallets " + PALLET + "x54 in"),
    "Dairy (yogurt and milk)": dict(weight=(30000, 42000), pieces=(20, 26), temp=34,
                                    dims="53 ft reefer, {n} pallets " + PALLET + "x60 in"),
    "Frozen foods": dict(weight=(28000, 40000), pieces=(20, 26), temp=-10,
                         dims="53 ft reefer, {n} pallets " + PALLET + "x66 in"),
    "Ice cream": dict(weight=(22000, 32000), pieces=(22, 26), temp=-20,
                      dims="53 ft reefer, {n} pallets " + PALLET + "x66 in"),
    "Orange juice (chilled)": dict(weight=(38000, 43000), pieces=(20, 22), temp=34,
                                   dims="53 ft reefer, {n} pallets " + PALLET + "x54 in"),
    "Fresh seafood": dict(weight=(20000, 30000), pieces=(16, 22), temp=32,
                          dims="53 ft reefer, {n} pallets " + PALLET + "x48 in"),
    # ---- Flatbed ----------------------------------------------------------
    "Steel coils": dict(weight=(40000, 48000), pieces=(2, 5),
                        dims="{n} coils, 60 in dia x 48 in wide, on coil racks"),
    "Lumber": dict(weight=(38000, 46000), pieces=(14, 20),
                   dims="{n} bundles, 16 ft x 4 ft x 2.5 ft"),
    "Rebar": dict(weight=(40000, 47000), pieces=(10, 24),
                  dims="{n} bundles, 20 ft x 2 ft x 1.5 ft"),
    "Structural steel beams": dict(weight=(36000, 46000), pieces=(12, 30),
                                   dims="{n} beams, 40 ft x 1.5 ft x 1 ft"),
    "Steel pipe": dict(weight=(38000, 46000), pieces=(40, 80),
                       dims="{n} joints, 40 ft x 8.6 in OD"),
    "Roofing shingles": dict(weight=(40000, 46000), pieces=(20, 24),
                             dims="{n} pallets, 4 ft x 3.5 ft x 4 ft"),
    "Concrete pipe": dict(weight=(38000, 46000), pieces=(6, 10),
                          dims="{n} sections, 8 ft x 5 ft dia"),
    "Fence posts and wire": dict(weight=(24000, 40000), pieces=(12, 22),
                                 dims="{n} bundles, 8 ft x 4 ft x 3 ft"),
    "Sheet steel": dict(weight=(40000, 47000), pieces=(8, 14),
                        dims="{n} lifts, 20 ft x 5 ft x 1 ft"),
    # ---- Step Deck --------------------------------------------------------
    "Construction equipment (skid steers)": dict(weight=(18000, 32000), pieces=(2, 3),
                                                 dims="{n} units, 12 ft x 6.5 ft x 7 ft each"),
    "Construction equipment (excavator)": dict(weight=(30000, 44000), pieces=(1, 1),
                                               dims="{n} piece{s}, 30 ft x 8.5 ft x 10 ft"),
    "Industrial machinery": dict(weight=(18000, 42000), pieces=(1, 3),
                                 dims="{n} crated piece{s}, 14 ft x 8 ft x 9.5 ft"),
    "Electrical transformers": dict(weight=(24000, 40000), pieces=(1, 2),
                                    dims="{n} unit{s}, 10 ft x 8 ft x 10.5 ft"),
    "Farm tractors": dict(weight=(20000, 36000), pieces=(1, 2),
                          dims="{n} unit{s}, 18 ft x 8 ft x 10 ft"),
    "Oilfield compressors": dict(weight=(28000, 44000), pieces=(1, 1),
                                 dims="{n} skid{s}, 26 ft x 8.5 ft x 10 ft"),
    "HVAC rooftop units": dict(weight=(15000, 28000), pieces=(2, 4),
                               dims="{n} units, 12 ft x 7.5 ft x 9 ft"),
    # ---- Conestoga --------------------------------------------------------
    "Aircraft parts (crated)": dict(weight=(15000, 30000), pieces=(4, 10),
                                    dims="{n} crates, 20 ft x 8 ft x 8 ft max"),
    "Packaged machinery": dict(weight=(20000, 40000), pieces=(3, 8),
                               dims="{n} crates, 10 ft x 7 ft x 8 ft"),
    "Coated steel coils": dict(weight=(38000, 45000), pieces=(3, 5),
                               dims="{n} coils, 54 in dia x 42 in wide"),
    "Finished cabinetry": dict(weight=(15000, 26000), pieces=(18, 26),
                               dims="{n} crates, 8 ft x 4 ft x 7 ft"),
    # ---- Power Only (shipper-owned / preloaded trailer; weight incl. trailer) --
    "Preloaded trailer: retail freight": dict(weight=(26000, 38000), pieces=(22, 26),
                                              dims="53 ft preloaded trailer, {n} pallets"),
    "Preloaded trailer: auto parts": dict(weight=(30000, 40000), pieces=(18, 26),
                                          dims="53 ft preloaded trailer, {n} racks"),
    "Preloaded trailer: packaged foods": dict(weight=(32000, 40000), pieces=(20, 26),
                                              dims="53 ft preloaded trailer, {n} pallets"),
    "Preloaded trailer: household goods": dict(weight=(24000, 36000), pieces=(22, 26),
                                               dims="53 ft preloaded trailer, {n} pallets"),
    "Preloaded trailer: imported furniture": dict(weight=(24000, 34000), pieces=(22, 26),
                                                  dims="53 ft preloaded trailer, {n} pallets"),
    # ---- Box Truck --------------------------------------------------------
    "Office furniture": dict(weight=(3000, 8000), pieces=(6, 12),
                             dims="26 ft box truck, {n} pallets " + PALLET + "x60 in"),
    "Trade show materials": dict(weight=(2000, 6000), pieces=(4, 10),
                                 dims="26 ft box truck, {n} crates 48x48x60 in"),
    "Medical supplies (small load)": dict(weight=(2000, 7000), pieces=(4, 10),
                                          dims="26 ft box truck, {n} pallets " + PALLET + "x48 in"),
    "Retail store fixtures": dict(weight=(4000, 10000), pieces=(8, 12),
                                  dims="26 ft box truck, {n} pallets " + PALLET + "x72 in"),
}

# ---------------------------------------------------------------------------
# The lanes. (origin, destination, equipment, commodity[, pickup_day_offset])
# Real freight lanes: border crossings, ports, produce and protein regions,
# steel and lumber country, and the big DC markets.
# ---------------------------------------------------------------------------
LANES = [
    # ---- Dallas, TX outbound (dry vans picking up tomorrow / the day after)
    ("Dallas, TX", "Atlanta, GA", "Dry Van", "Packaged foods", 1),
    ("Dallas, TX", "Houston, TX", "Dry Van", "General merchandise (retail)", 1),
    ("Dallas, TX", "Phoenix, AZ", "Dry Van", "Consumer electronics", 1),
    ("Dallas, TX", "Memphis, TN", "Dry Van", "Paper products", 2),
    ("Dallas, TX", "Chicago, IL", "Dry Van", "Cleaning products", 2),
    ("Dallas, TX", "Nashville, TN", "Dry Van", "Household appliances", 2),
    ("Dallas, TX", "Kansas City, MO", "Dry Van", "Canned beverages"),
    ("Dallas, TX", "Denver, CO", "Dry Van", "Pet food"),
    ("Dallas, TX", "Los Angeles, CA", "Reefer", "Frozen foods"),
    ("Dallas, TX", "San Antonio, TX", "Flatbed", "Structural steel beams"),
    ("Dallas, TX", "Oklahoma City, OK", "Step Deck", "Construction equipment (skid steers)"),
    ("Dallas, TX", "Laredo, TX", "Power Only", "Preloaded trailer: auto parts"),
    ("Dallas, TX", "Austin, TX", "Box Truck", "Office furniture", 1),
    # ---- Dallas-Fort Worth metro (within 60 miles of Dallas)
    ("Fort Worth, TX", "Atlanta, GA", "Dry Van", "Auto parts", 1),
    ("Fort Worth, TX", "El Paso, TX", "Reefer", "Dairy (yogurt and milk)"),
    ("Fort Worth, TX", "Laredo, TX", "Power Only", "Preloaded trailer: retail freight"),
    ("Fort Worth, TX", "Oklahoma City, OK", "Flatbed", "Steel pipe"),
    ("Lancaster, TX", "Memphis, TN", "Dry Van", "General merchandise (retail)", 2),
    ("Mesquite, TX", "Little Rock, AR", "Dry Van", "Corrugated boxes"),
    ("Garland, TX", "Tulsa, OK", "Dry Van", "Bottled water"),
    ("Arlington, TX", "Shreveport, LA", "Dry Van", "Auto parts"),
    ("Irving, TX", "Houston, TX", "Dry Van", "Medical supplies"),
    ("Grand Prairie, TX", "San Antonio, TX", "Step Deck", "HVAC rooftop units"),
    ("Denton, TX", "Kansas City, MO", "Flatbed", "Concrete pipe"),
    # ---- Chicago, IL outbound
    ("Chicago, IL", "Columbus, OH", "Dry Van", "Paper products", 1),
    ("Chicago, IL", "Atlanta, GA", "Dry Van", "Canned goods"),
    ("Chicago, IL", "Denver, CO", "Dry Van", "Packaged foods"),
    ("Chicago, IL", "Harrisburg, PA", "Dry Van", "Consumer electronics"),
    ("Chicago, IL", "Dallas, TX", "Reefer", "Frozen pork"),
    ("Chicago, IL", "Minneapolis, MN", "Flatbed", "Sheet steel"),
    ("Chicago, IL", "Nashville, TN", "Power Only", "Preloaded trailer: packaged foods"),
    ("Chicago, IL", "Indianapolis, IN", "Box Truck", "Trade show materials"),
    # ---- Atlanta, GA outbound
    ("Atlanta, GA", "Dallas, TX", "Dry Van", "Furniture"),
    ("Atlanta, GA", "Charlotte, NC", "Dry Van", "Cleaning products", 1),
    ("Atlanta, GA", "Chicago, IL", "Dry Van", "Tires"),
    ("Atlanta, GA", "Jacksonville, FL", "Reefer", "Fresh poultry"),
    ("Atlanta, GA", "Orlando, FL", "Reefer", "Dairy (yogurt and milk)"),
    ("Atlanta, GA", "Miami, FL", "Reefer", "Frozen foods"),
    ("Atlanta, GA", "Memphis, TN", "Flatbed", "Roofing shingles"),
    ("Atlanta, GA", "Birmingham, AL", "Box Truck", "Retail store fixtures"),
    # ---- Los Angeles, CA outbound
    ("Los Angeles, CA", "Phoenix, AZ", "Dry Van", "Apparel (cartons)", 1),
    ("Los Angeles, CA", "Las Vegas, NV", "Dry Van", "General merchandise (retail)"),
    ("Los Angeles, CA", "Salt Lake City, UT", "Dry Van", "Consumer electronics"),
    ("Los Angeles, CA", "Seattle, WA", "Dry Van", "Furniture"),
    ("Los Angeles, CA", "Dallas, TX", "Reefer", "Fresh produce (berries)"),
    ("Los Angeles, CA", "Denver, CO", "Step Deck", "Industrial machinery"),
    ("Los Angeles, CA", "San Diego, CA", "Box Truck", "Medical supplies (small load)"),
    # ---- Laredo, TX (Mexico cross-border freight, transloaded on the US side)
    ("Laredo, TX", "Chicago, IL", "Dry Van", "Auto parts"),
    ("Laredo, TX", "Atlanta, GA", "Dry Van", "Household appliances"),
    ("Laredo, TX", "Detroit, MI", "Dry Van", "Auto parts"),
    ("Laredo, TX", "Memphis, TN", "Power Only", "Preloaded trailer: household goods"),
    # ---- Memphis, TN
    ("Memphis, TN", "Indianapolis, IN", "Dry Van", "General merchandise (retail)"),
    ("Memphis, TN", "Atlanta, GA", "Dry Van", "Paper products"),
    ("Memphis, TN", "Dallas, TX", "Dry Van", "Medical supplies"),
    ("Memphis, TN", "Chicago, IL", "Power Only", "Preloaded trailer: retail freight"),
    # ---- Ports: Savannah, GA and Newark, NJ
    ("Savannah, GA", "Charlotte, NC", "Dry Van", "Furniture"),
    ("Savannah, GA", "Memphis, TN", "Dry Van", "Consumer electronics"),
    ("Savannah, GA", "Nashville, TN", "Dry Van", "Tires"),
    ("Savannah, GA", "Atlanta, GA", "Power Only", "Preloaded trailer: imported furniture"),
    ("Newark, NJ", "Chicago, IL", "Dry Van", "Apparel (cartons)"),
    ("Newark, NJ", "Harrisburg, PA", "Dry Van", "Canned goods"),
    # ---- Pennsylvania distribution belt
    ("Allentown, PA", "Chicago, IL", "Dry Van", "Packaged foods"),
    ("Allentown, PA", "Atlanta, GA", "Dry Van", "Pet food"),
    ("Harrisburg, PA", "Columbus, OH", "Dry Van", "General merchandise (retail)"),
    ("Harrisburg, PA", "Charlotte, NC", "Dry Van", "Paper products"),
    # ---- other dry van lanes
    ("Houston, TX", "Atlanta, GA", "Dry Van", "Bagged plastic resin"),
    ("Indianapolis, IN", "Atlanta, GA", "Dry Van", "Pet food"),
    ("Columbus, OH", "Dallas, TX", "Dry Van", "Household appliances"),
    ("Jacksonville, FL", "Charlotte, NC", "Dry Van", "Building materials (boxed)"),
    ("Phoenix, AZ", "Los Angeles, CA", "Dry Van", "Corrugated boxes"),
    ("Kansas City, MO", "Dallas, TX", "Dry Van", "Packaged foods"),
    ("Nashville, TN", "Dallas, TX", "Dry Van", "Auto parts"),
    ("St. Louis, MO", "Dallas, TX", "Dry Van", "Canned beverages"),
    ("Salt Lake City, UT", "Denver, CO", "Dry Van", "Cleaning products"),
    ("Reno, NV", "Salt Lake City, UT", "Dry Van", "General merchandise (retail)"),
    ("Ontario, CA", "Dallas, TX", "Dry Van", "Consumer electronics"),
    ("Detroit, MI", "Laredo, TX", "Dry Van", "Auto parts"),
    # ---- Reefer: produce, protein and dairy regions
    ("McAllen, TX", "Chicago, IL", "Reefer", "Fresh produce (limes)"),
    ("McAllen, TX", "Dallas, TX", "Reefer", "Fresh produce (citrus)"),
    ("McAllen, TX", "Atlanta, GA", "Reefer", "Fresh produce (onions)"),
    ("Nogales, AZ", "Dallas, TX", "Reefer", "Fresh produce (tomatoes)"),
    ("Nogales, AZ", "Atlanta, GA", "Reefer", "Fresh produce (tomatoes)"),
    ("Fresno, CA", "Seattle, WA", "Reefer", "Fresh produce (table grapes)"),
    ("Fresno, CA", "Denver, CO", "Reefer", "Fresh produce (citrus)"),
    ("Fresno, CA", "Los Angeles, CA", "Reefer", "Dairy (cheese)"),
    ("Fresno, CA", "Salt Lake City, UT", "Reefer", "Fresh produce (table grapes)"),
    ("Salinas, CA", "Chicago, IL", "Reefer", "Fresh produce (lettuce)"),
    ("Salinas, CA", "Dallas, TX", "Reefer", "Fresh produce (lettuce)"),
    ("Salinas, CA", "Phoenix, AZ", "Reefer", "Fresh produce (berries)"),
    ("Yakima, WA", "Los Angeles, CA", "Reefer", "Apples"),
    ("Yakima, WA", "Chicago, IL", "Reefer", "Apples"),
    ("Gainesville, GA", "Chicago, IL", "Reefer", "Frozen poultry"),
    ("Gainesville, GA", "Dallas, TX", "Reefer", "Frozen poultry"),
    ("Greeley, CO", "Dallas, TX", "Reefer", "Boxed beef"),
    ("Garden City, KS", "Atlanta, GA", "Reefer", "Boxed beef"),
    ("Omaha, NE", "Chicago, IL", "Reefer", "Frozen pork"),
    ("Green Bay, WI", "Chicago, IL", "Reefer", "Dairy (cheese)"),
    ("Milwaukee, WI", "Minneapolis, MN", "Reefer", "Ice cream"),
    ("Madison, WI", "Dallas, TX", "Reefer", "Dairy (cheese)"),
    ("Jacksonville, FL", "Atlanta, GA", "Reefer", "Fresh seafood"),
    ("Phoenix, AZ", "Denver, CO", "Reefer", "Dairy (yogurt and milk)"),
    ("Lakeland, FL", "Atlanta, GA", "Reefer", "Orange juice (chilled)"),
    # ---- Flatbed: steel, lumber, building materials
    ("Birmingham, AL", "Dallas, TX", "Flatbed", "Steel coils"),
    ("Birmingham, AL", "Charlotte, NC", "Flatbed", "Rebar"),
    ("Birmingham, AL", "Atlanta, GA", "Flatbed", "Structural steel beams"),
    ("Pittsburgh, PA", "Detroit, MI", "Flatbed", "Steel coils"),
    ("Gary, IN", "Nashville, TN", "Flatbed", "Steel coils"),
    ("Houston, TX", "Midland, TX", "Flatbed", "Steel pipe"),
    ("Houston, TX", "Dallas, TX", "Flatbed", "Rebar"),
    ("Macon, GA", "Dallas, TX", "Flatbed", "Lumber"),
    ("Jackson, MS", "Houston, TX", "Flatbed", "Lumber"),
    ("Montgomery, AL", "Atlanta, GA", "Flatbed", "Lumber"),
    ("Eugene, OR", "Salt Lake City, UT", "Flatbed", "Lumber"),
    ("Portland, OR", "Phoenix, AZ", "Flatbed", "Lumber"),
    ("Kansas City, MO", "Denver, CO", "Flatbed", "Fence posts and wire"),
    ("Stockton, CA", "Reno, NV", "Flatbed", "Lumber"),
    ("Spokane, WA", "Boise, ID", "Flatbed", "Lumber"),
    # ---- Step Deck: machinery and equipment
    ("Peoria, IL", "Denver, CO", "Step Deck", "Construction equipment (excavator)"),
    ("Peoria, IL", "Houston, TX", "Step Deck", "Construction equipment (skid steers)"),
    ("Houston, TX", "Phoenix, AZ", "Step Deck", "Electrical transformers"),
    ("Houston, TX", "Baton Rouge, LA", "Step Deck", "Industrial machinery"),
    ("Fort Wayne, IN", "Dallas, TX", "Step Deck", "Farm tractors"),
    ("Tulsa, OK", "Houston, TX", "Step Deck", "Oilfield compressors"),
    # ---- Conestoga
    ("Wichita, KS", "Dallas, TX", "Conestoga", "Aircraft parts (crated)"),
    ("Pittsburgh, PA", "Charlotte, NC", "Conestoga", "Coated steel coils"),
    ("Cedar Rapids, IA", "Denver, CO", "Conestoga", "Packaged machinery"),
    ("Greenville, SC", "Atlanta, GA", "Conestoga", "Finished cabinetry"),
    # ---- Power Only
    ("Columbus, OH", "Harrisburg, PA", "Power Only", "Preloaded trailer: retail freight"),
    ("St. Louis, MO", "Memphis, TN", "Power Only", "Preloaded trailer: packaged foods"),
    ("Ontario, CA", "Phoenix, AZ", "Power Only", "Preloaded trailer: household goods"),
]

PORT_CITIES = {"Savannah, GA", "Newark, NJ"}
BORDER_CITIES = {"Laredo, TX", "McAllen, TX", "Nogales, AZ"}

GENERAL_NOTES = [
    "Drop and hook at shipper",
    "FCFS 7-15, appointment at consignee",
    "Appointment required at both ends",
    "Live load, 2 hrs free time, detention $50/hr after",
    "Tracking app required for the whole trip",
    "Seal must stay intact, POD within 24 hrs",
    "Driver must check in with PO number",
    "Blind shipment, do not contact consignee directly",
    "Multiple loads available on this lane weekly",
]
# Only for freight loaded inside a trailer the carrier brings.
VAN_NOTES = [
    "Lumper paid by broker with receipt",
    "No touch freight",
    "Load bars required",
]
FOOD_COMMODITIES = {
    "Packaged foods", "Canned beverages", "Canned goods", "Pet food", "Bottled water",
}
NOTES_BY_EQUIPMENT = {
    "Flatbed": [
        "Tarps required, 6 ft", "Tarps required, 4 ft", "8 straps and 4 chains required",
        "Edge protectors required", "Side load at shipper", "No tarp needed",
    ],
    "Step Deck": [
        "Ramps required", "Chains and binders required, legal dims, no permits",
        "Crane load at shipper", "Tarp required for machinery",
    ],
    "Conestoga": [
        "Conestoga only, no tarped flatbeds", "Must stay dry, rolling tarp system required",
    ],
    "Power Only": [
        "Drop and hook both ends", "Hook preloaded trailer at shipper yard",
        "Shipper trailer, return empty to origin pool",
    ],
    "Box Truck": [
        "Liftgate required", "Inside delivery, pallet jack required",
        "Driver assist unload",
    ],
    "Dry Van": [
        "Swing doors required", "Pallet exchange not required", "53 ft air-ride trailer",
        "Floor loaded, driver does not touch", "Must have 2 load locks",
    ],
}


# ---------------------------------------------------------------------------
def load_cities(path=CITIES):
    """(city, state) -> row; the first row wins (the file lists the most
    populous first for a duplicated name)."""
    idx = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = f"{r['city']}, {r['state']}"
            if key not in idx:
                idx[key] = {
                    "lat": float(r["lat"]), "lon": float(r["lon"]),
                    "tz": r["timezone"], "population": int(r["population"]),
                }
    return idx


def great_circle_mi(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_RADIUS_MI * math.asin(math.sqrt(h))


def road_miles(cities, origin, dest):
    return int(round(great_circle_mi(cities[origin], cities[dest]) * ROAD_FACTOR))


def transit_days(miles):
    return 0 if miles < SAME_DAY_BELOW else math.ceil(miles / MILES_PER_DAY)


def base_rate_per_mile(miles):
    """Dry-van rate per mile by distance (piecewise linear)."""
    pts = [(120, 3.55), (300, 3.00), (600, 2.55), (1100, 2.25), (2800, 1.98)]
    if miles <= pts[0][0]:
        return pts[0][1]
    for (m0, r0), (m1, r1) in zip(pts, pts[1:]):
        if miles <= m1:
            return r0 + (r1 - r0) * (miles - m0) / (m1 - m0)
    return pts[-1][1]


def round_to(x, step=25):
    return int(step * round(x / step))


def hhmm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hhmm(s):
    h, m = s.split(":")
    return int(h) * 60 + int(m)


def local_to_utc(day, minutes, tz):
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    if ZoneInfo is None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.timezone.utc)


def utc_offset_hours(tz, day):
    if ZoneInfo is None:
        return 0.0
    noon = dt.datetime.combine(day, dt.time(12)).replace(tzinfo=ZoneInfo(tz))
    return noon.utcoffset().total_seconds() / 3600


# ---------------------------------------------------------------------------
def make_loads(cities):
    rng = random.Random(SEED)
    n = len(LANES)
    loads = []

    # Pickup offsets: mostly 1..10, a few 0 (late-day pickups), a few 11..14.
    offset_weights = [1, 12, 12, 11, 10, 9, 8, 8, 7, 6, 6, 2, 2, 1, 1]  # days 0..14
    free_offsets = rng.choices(range(15), weights=offset_weights, k=n)

    max_rate_idx = set(rng.sample(range(n), round(n / 3)))
    ref_day = dt.date(2026, 1, 15)  # any day: only used for time-zone offsets

    for i, lane in enumerate(LANES):
        origin, dest, equip, commodity = lane[:4]
        for c in (origin, dest):
            if c not in cities:
                raise SystemExit(f"lane city not in cities.csv: {c!r}")
        prof = P[commodity]
        miles = road_miles(cities, origin, dest)
        days = transit_days(miles)
        pickup_off = lane[4] if len(lane) > 4 else free_offsets[i]

        # ---- pickup time (local at origin)
        if pickup_off == 0:
            choices = list(range(13 * 60, 16 * 60 + 1, 30))  # later today
        elif days == 0:
            choices = list(range(5 * 60, 12 * 60 + 1, 30))   # leaves room to deliver today
        else:
            choices = list(range(5 * 60, 16 * 60 + 1, 30))
        weights = [3 if 6 * 60 <= m <= 10 * 60 else 1 for m in choices]
        pickup_min = rng.choices(choices, weights)[0]

        # ---- delivery (local at destination)
        if days == 0:
            drive_h = miles / 50.0
            tz_shift = (utc_offset_hours(cities[dest]["tz"], ref_day)
                        - utc_offset_hours(cities[origin]["tz"], ref_day))
            earliest = pickup_min + int((1.5 + drive_h + tz_shift) * 60)  # 1.5 h to load
            delivery_min = min(((earliest + 29) // 30) * 30 + rng.choice([0, 30, 60]), 23 * 60)
        else:
            choices = list(range(6 * 60, 15 * 60 + 1, 30))
            delivery_min = rng.choice(choices)
        delivery_off = pickup_off + days

        # ---- rate
        rpm = base_rate_per_mile(miles) * rng.uniform(0.96, 1.04)
        rpm *= rng.uniform(*EQUIPMENT_RATE_FACTOR[equip])
        rpm = min(max(rpm, 1.55), 3.95)
        rate = round_to(rpm * miles)
        while rate / miles > 4.0:
            rate -= 25
        while rate / miles < 1.5:
            rate += 25

        # ---- freight
        wlo, whi = prof["weight"]
        elo, ehi = EQUIPMENT_WEIGHT[equip]
        weight = round_to(rng.uniform(max(wlo, elo), min(whi, ehi)), 100)
        pieces = rng.randint(*prof["pieces"])
        dims = prof["dims"].format(n=pieces, s="" if pieces == 1 else "s")

        notes = make_note(rng, origin, dest, equip, commodity, prof, miles)

        load = {
            "load_id": f"L-{1001 + i}",
            "origin": origin,
            "destination": dest,
            "pickup_day_offset": pickup_off,
            "pickup_time": hhmm(pickup_min),
            "delivery_day_offset": delivery_off,
            "delivery_time": hhmm(delivery_min),
            "equipment_type": equip,
            "loadboard_rate": rate,
        }
        if i in max_rate_idx:
            load["max_rate"] = make_max_rate(rng, rate)
        load.update({
            "miles": miles,
            "weight": weight,
            "commodity_type": commodity,
            "num_of_pieces": pieces,
            "dimensions": dims,
            "notes": notes,
        })
        loads.append(load)
    return loads


def make_max_rate(rng, rate):
    for _ in range(100):
        m = round_to(rate * (1 + rng.uniform(0.05, 0.12)))
        if 0.05 <= m / rate - 1 <= 0.12:
            return m
    # tiny rates: find any $25 multiple inside the band
    m = round_to(rate * 1.05)
    while m / rate - 1 < 0.05:
        m += 25
    return m


def make_note(rng, origin, dest, equip, commodity, prof, miles):
    parts = []
    if equip == "Reefer":
        t = prof["temp"]
        parts.append(rng.choice([f"Continuous temp {t}F", f"Pre-cool to {t}F, continuous run",
                                 f"Set reefer to {t}F continuous"]))
    elif equip in NOTES_BY_EQUIPMENT and rng.random() < (0.4 if equip == "Dry Van" else 0.8):
        parts.append(rng.choice(NOTES_BY_EQUIPMENT[equip]))
    if origin in PORT_CITIES and equip in ("Dry Van", "Power Only") and rng.random() < 0.7:
        parts.append("TWIC required at port")
    if origin in BORDER_CITIES and rng.random() < 0.6:
        parts.append("Pickup at US-side cross-dock, no border crossing")
    if miles >= 1700 and rng.random() < 0.6:
        parts.append("Team preferred")
    if commodity in FOOD_COMMODITIES and rng.random() < 0.7:
        parts.insert(0, "Food grade trailer, clean and odor free")
    if not parts or rng.random() < 0.35:
        if rng.random() < 0.8:
            pool = GENERAL_NOTES + (VAN_NOTES if equip in ("Dry Van", "Reefer") else [])
            parts.append(rng.choice(pool))
    # a few loads carry no note at all
    if equip in ("Dry Van", "Power Only") and rng.random() < 0.12:
        parts = []
    return "; ".join(parts[:2])


# ---------------------------------------------------------------------------
def validate(loads, cities):
    """Return a list of problems (empty when the catalogue is sound)."""
    errs = []

    def err(lid, msg):
        errs.append(f"{lid}: {msg}")

    if len(loads) < 120:
        errs.append(f"only {len(loads)} loads (< 120)")
    for i, l in enumerate(loads):
        lid = l.get("load_id", f"#{i}")
        keys = set(l)
        required = set(FIELDS) - OPTIONAL_FIELDS
        if not required <= keys:
            err(lid, f"missing fields {sorted(required - keys)}")
            continue
        if keys - set(FIELDS):
            err(lid, f"unexpected fields {sorted(keys - set(FIELDS))}")
        if lid != f"L-{1001 + i}":
            err(lid, f"expected load_id L-{1001 + i}")
        for k in ("origin", "destination"):
            if l[k] not in cities:
                err(lid, f"{k} {l[k]!r} not in cities.csv")
        if l["origin"] not in cities or l["destination"] not in cities:
            continue
        if l["origin"] == l["destination"]:
            err(lid, "origin equals destination")
        for k in ("pickup_day_offset", "delivery_day_offset", "loadboard_rate", "miles",
                  "weight", "num_of_pieces"):
            if not isinstance(l[k], int) or isinstance(l[k], bool):
                err(lid, f"{k} must be an integer")
        miles = l["miles"]
        if miles != road_miles(cities, l["origin"], l["destination"]):
            err(lid, f"miles {miles} != great-circle x {ROAD_FACTOR}")
        if not 120 <= miles <= 2800:
            err(lid, f"miles {miles} outside 120..2800")
        # rates
        rpm = l["loadboard_rate"] / miles
        if not 1.50 <= rpm <= 4.00:
            err(lid, f"rate per mile {rpm:.2f} outside 1.50..4.00")
        if l["loadboard_rate"] % 25:
            err(lid, "loadboard_rate not a multiple of $25")
        if "max_rate" in l:
            mr = l["max_rate"]
            if not isinstance(mr, int) or mr % 25:
                err(lid, "max_rate must be an integer multiple of $25")
            elif not 0.05 <= mr / l["loadboard_rate"] - 1 <= 0.12:
                err(lid, f"max_rate {mr} not 5-12% above {l['loadboard_rate']}")
        # equipment, weight
        eq = l["equipment_type"]
        if eq not in EQUIPMENT_WEIGHT:
            err(lid, f"unknown equipment {eq!r}")
        else:
            lo, hi = EQUIPMENT_WEIGHT[eq]
            if not lo <= l["weight"] <= hi:
                err(lid, f"weight {l['weight']} outside {lo}..{hi} for {eq}")
        if l["num_of_pieces"] < 1:
            err(lid, "num_of_pieces < 1")
        for k in ("commodity_type", "dimensions"):
            if not isinstance(l[k], str) or not l[k].strip():
                err(lid, f"{k} empty")
        if not isinstance(l["notes"], str):
            err(lid, "notes must be a string")
        # times
        po, do = l["pickup_day_offset"], l["delivery_day_offset"]
        if not 0 <= po <= 14:
            err(lid, f"pickup_day_offset {po} outside 0..14")
        if do < po:
            err(lid, "delivery_day_offset before pickup_day_offset")
        try:
            pm, dm = parse_hhmm(l["pickup_time"]), parse_hhmm(l["delivery_time"])
        except Exception:
            err(lid, "pickup_time / delivery_time must be HH:MM")
            continue
        if not (5 * 60 <= pm <= 16 * 60 and pm % 30 == 0):
            err(lid, f"pickup_time {l['pickup_time']} not 05:00-16:00 on the half hour")
        if not (0 <= dm < 24 * 60 and dm % 30 == 0):
            err(lid, f"delivery_time {l['delivery_time']} not a valid half-hour time")
        want_days = transit_days(miles)
        if do - po != want_days:
            err(lid, f"transit {do - po} days, expected {want_days} for {miles} mi")
        # delivery strictly after pickup + driving time, in real time (UTC),
        # checked in winter and in summer (DST) on an arbitrary import day
        for ref in (dt.date(2026, 1, 15), dt.date(2026, 7, 15)):
            pu = local_to_utc(ref + dt.timedelta(days=po), pm, cities[l["origin"]]["tz"])
            de = local_to_utc(ref + dt.timedelta(days=do), dm, cities[l["destination"]]["tz"])
            if de <= pu + dt.timedelta(hours=miles / 55.0):
                err(lid, f"delivery not after pickup + drive time ({ref:%b})")

    # catalogue-level checks
    by_origin = Counter(l["origin"] for l in loads)
    for city, need in (("Dallas, TX", 8), ("Chicago, IL", 5), ("Atlanta, GA", 5),
                       ("Los Angeles, CA", 4)):
        if by_origin[city] < need:
            errs.append(f"only {by_origin[city]} loads out of {city} (< {need})")
    if "Dallas, TX" in cities:
        near = [l for l in loads if l["origin"] != "Dallas, TX" and l["origin"] in cities
                and great_circle_mi(cities[l["origin"]], cities["Dallas, TX"]) <= 60]
        if len(near) < 3:
            errs.append("fewer than 3 loads out of the Dallas area (within 60 mi)")
        if not any(l["origin"] == "Fort Worth, TX" for l in loads):
            errs.append("no load out of Fort Worth, TX")
    if sum(l["destination"] == "Atlanta, GA" for l in loads) < 3:
        errs.append("fewer than 3 loads to Atlanta, GA")
    for off in (1, 2):
        k = sum(1 for l in loads if l["origin"] == "Dallas, TX"
                and l["equipment_type"] == "Dry Van" and l["pickup_day_offset"] == off)
        if k < 2:
            errs.append(f"fewer than 2 Dallas Dry Van loads at pickup_day_offset {off}")
    eq = Counter(l["equipment_type"] for l in loads)
    for name, share in EQUIPMENT_TARGET_SHARE.items():
        got = eq[name] / max(len(loads), 1)
        if abs(got - share) > 0.03:
            errs.append(f"{name} share {got:.0%}, target ~{share:.0%}")
    n_max = sum("max_rate" in l for l in loads)
    if not 0.28 <= n_max / max(len(loads), 1) <= 0.38:
        errs.append(f"max_rate on {n_max}/{len(loads)} loads, want about a third")
    n_today = sum(l["pickup_day_offset"] == 0 for l in loads)
    if n_today > max(3, len(loads) // 15):
        errs.append(f"{n_today} loads at pickup_day_offset 0: only a few wanted")
    return errs


def summary(loads):
    eq = Counter(l["equipment_type"] for l in loads)
    rpm = [l["loadboard_rate"] / l["miles"] for l in loads]
    offs = Counter(l["pickup_day_offset"] for l in loads)
    return (f"{len(loads)} loads; equipment {dict(eq)}; "
            f"rate/mile {min(rpm):.2f}-{max(rpm):.2f}; "
            f"miles {min(l['miles'] for l in loads)}-{max(l['miles'] for l in loads)}; "
            f"max_rate on {sum('max_rate' in l for l in loads)}; "
            f"pickup offsets {dict(sorted(offs.items()))}")


def main():
    ap = argparse.ArgumentParser(description="Generate and validate data/loads.json")
    ap.add_argument("--check", action="store_true", help="validate the existing file only")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    cities = load_cities()
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            loads = json.load(f)
    else:
        loads = make_loads(cities)
    errs = validate(loads, cities)
    if errs:
        print("loads.json validation FAILED:", file=sys.stderr)
        for e in errs:
            print("  " + e, file=sys.stderr)
        return 1
    if not args.check:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(loads, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {os.path.normpath(args.out)}", file=sys.stderr)
    print("ok: " + summary(loads), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
