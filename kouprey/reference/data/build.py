"""Derive the bundled places and taxa from the real data sets in ../shared/data.

Run from the repository root when ../shared/data exists beside it:

    .venv/bin/python kouprey/reference/data/build.py [--shared ../shared/data] [--out DIR]

It writes ``places.csv`` and ``taxa.csv`` (into this folder by default) and prints what it
took from where. The output is sorted and deterministic: running it again on the same inputs
gives the same bytes (tests/reference/test_build.py checks that the bundled files are exactly
what this script makes). Countries are not bundled: they come from the ``pycountry``
dependency at load time. Agencies and the vocabularies (commodity types, units, ...) are
written by hand in their CSV files; this script does not touch them.

Sources and licences are in README.md beside this file.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parents[3] / "shared" / "data"

# Countries whose airports (every airport with an IATA code, military and seaplane bases
# left out) are bundled: Cambodia, its neighbours and the countries on the trafficking
# routes named in the seeds (Africa -> Middle East / Asian hubs -> Cambodia -> Viet Nam,
# China).
AIRPORT_COUNTRIES = (
    "KH VN CN HK MO TH LA MM MY SG "
    "MZ NG KE TZ ZA NA AO CD UG ET TG CM CG "
    "AE QA"
).split()
NOT_CIVIL = re.compile(r"Air Base|Air Force|\bAB\b|Seaplane|Heliport|Military", re.I)
# Airports are identified by their IATA code alone: a UN/LOCODE names a whole location
# (KHPNH is Phnom Penh: its river port, dry port and airport), so it is kept for ports and
# crossings only and a code never points to an airport and a port at once.

# Main seaports of the same countries. The UN/LOCODE snapshot in ../shared lacks the
# function column, so the selection is curated by hand; coordinates come from the snapshot,
# or from GeoNames (the port's city) where the snapshot's point is an airport's.
SEAPORTS: dict[str, list[tuple[str, str]]] = {
    "VN": [("VNSGN", "Port of Ho Chi Minh City"), ("VNCLI", "Cat Lai port"),
           ("VNCMT", "Cai Mep International Terminal"), ("VNVUT", "Port of Vung Tau"),
           ("VNHPH", "Port of Haiphong"), ("VNDAD", "Port of Da Nang"),
           ("VNQNH", "Port of Quang Ninh"), ("VNVCA", "Port of Can Tho")],
    "CN": [("CNSHA", "Port of Shanghai"), ("CNNGB", "Port of Ningbo"),
           ("CNYTN", "Port of Yantian (Shenzhen)"), ("CNSHK", "Port of Shekou (Shenzhen)"),
           ("CNNSA", "Port of Nansha (Guangzhou)"), ("CNXMN", "Port of Xiamen"),
           ("CNTAO", "Port of Qingdao"), ("CNTXG", "Port of Tianjin Xingang"),
           ("CNDLC", "Port of Dalian"), ("CNFOC", "Port of Fuzhou"),
           ("CNZHA", "Port of Zhanjiang"), ("CNBHY", "Port of Beihai"),
           ("CNFAN", "Port of Fangchenggang"), ("CNHAK", "Port of Haikou"),
           ("CNDGG", "Port of Dongguan"), ("CNZUH", "Port of Zhuhai")],
    "HK": [("HKHKG", "Port of Hong Kong")],
    "TH": [("THLCH", "Port of Laem Chabang"), ("THBKK", "Port of Bangkok (Khlong Toei)"),
           ("THMAT", "Port of Map Ta Phut"), ("THSAT", "Port of Sattahip"),
           ("THPKT", "Port of Phuket")],
    "MY": [("MYPKG", "Port Klang"), ("MYWSP", "Westport (Port Klang)"),
           ("MYTPP", "Port of Tanjung Pelepas"), ("MYPEN", "Port of Penang"),
           ("MYKUA", "Port of Kuantan"), ("MYBKI", "Port of Kota Kinabalu"),
           ("MYKCH", "Port of Kuching"), ("MYSDK", "Port of Sandakan")],
    "SG": [("SGSIN", "Port of Singapore")],
    "MZ": [("MZMPM", "Port of Maputo"), ("MZBEW", "Port of Beira"),
           ("MZMNC", "Port of Nacala"), ("MZPOL", "Port of Pemba"),
           ("MZUEL", "Port of Quelimane")],
    "NG": [("NGLOS", "Port of Lagos (Apapa and Tin Can Island)"), ("NGONN", "Port of Onne"),
           ("NGPHC", "Port of Port Harcourt"), ("NGCBQ", "Port of Calabar")],
    "KE": [("KEMBA", "Port of Mombasa"), ("KELAU", "Port of Lamu")],
    "TZ": [("TZDAR", "Port of Dar es Salaam"), ("TZTGT", "Port of Tanga"),
           ("TZMYW", "Port of Mtwara"), ("TZZNZ", "Port of Zanzibar")],
    "ZA": [("ZADUR", "Port of Durban"), ("ZACPT", "Port of Cape Town"),
           ("ZAPLZ", "Port of Port Elizabeth (Gqeberha)"), ("ZAZBA", "Port of Ngqura (Coega)"),
           ("ZARCB", "Port of Richards Bay"), ("ZAELS", "Port of East London")],
    "NA": [("NAWVB", "Port of Walvis Bay"), ("NALUD", "Port of Lüderitz")],
    "AO": [("AOLAD", "Port of Luanda"), ("AOLOB", "Port of Lobito"),
           ("AOCAB", "Port of Cabinda"), ("AOSZA", "Port of Soyo")],
    "CD": [("CDMAT", "Port of Matadi"), ("CDBOA", "Port of Boma"),
           ("CDBNW", "Port of Banana")],
    "TG": [("TGLFW", "Port of Lomé")],
    "CM": [("CMDLA", "Port of Douala")],
    "CG": [("CGPNR", "Port of Pointe-Noire")],
    "DJ": [("DJJIB", "Port of Djibouti")],
    "AE": [("AEJEA", "Port of Jebel Ali"), ("AEDXB", "Port Rashid (Dubai)"),
           ("AEKHL", "Khalifa Port (Abu Dhabi)"), ("AEAUH", "Port of Abu Dhabi (Zayed)"),
           ("AEKLF", "Port of Khor Fakkan"), ("AESHJ", "Port of Sharjah"),
           ("AEFJR", "Port of Fujairah")],
    "QA": [("QAHMD", "Hamad Port"), ("QADOH", "Port of Doha")],
}
# City names (GeoNames) for seaports whose UN/LOCODE point is missing or is an airport's.
PORT_CITY = {
    "CNSHA": "Shanghai", "CNNGB": "Ningbo", "CNXMN": "Xiamen", "CNTAO": "Qingdao",
    "CNDLC": "Dalian", "CNFOC": "Fuzhou", "CNHAK": "Haikou", "CDMAT": "Matadi",
    "CDBOA": "Boma", "AEJEA": "Jebel Ali", "MYKCH": "Kuching", "MYKUA": "Kuantan",
    "MYSDK": "Sandakan", "TGLFW": "Lomé", "ZAPLZ": "Gqeberha",
}

# Cambodia's ports and land border crossings, by hand: (kind, locode, name, Khmer name,
# GeoNames place whose point is used instead of the UN/LOCODE one: KHPNH's point is the
# airport's). Khmer names
# are written by the project; blank where the spelling could not be confirmed.
CAMBODIA = [
    ("seaport", "KHKOS", "Sihanoukville Autonomous Port", "កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ", ""),
    ("river_port", "KHPNH", "Phnom Penh Autonomous Port", "កំពង់ផែស្វយ័តភ្នំពេញ",
     "KH:Phnom Penh"),
    ("dry_port", "KHPNH", "Phnom Penh dry port", "កំពង់ផែស្ងួតភ្នំពេញ", "KH:Phnom Penh"),
    ("border", "KHBVT", "Bavet – Moc Bai international border crossing (to Viet Nam)",
     "ច្រកព្រំដែនអន្តរជាតិបាវិត", ""),
    ("border", "KHPPT", "Poipet – Aranyaprathet international border crossing (to Thailand)",
     "ច្រកព្រំដែនអន្តរជាតិប៉ោយប៉ែត", ""),
    ("border", "", "Cham Yeam – Hat Lek international border crossing (to Thailand)",
     "ច្រកព្រំដែនអន្តរជាតិចាំយាម", "TH:Ban Hat Lek"),
    ("border", "", "O'Smach – Chong Chom international border crossing (to Thailand)",
     "ច្រកព្រំដែនអន្តរជាតិអូរស្មាច់", "KH:Ou Smach"),
    ("border", "", "Trapeang Kriel – Nong Nok Khiene international border crossing (to Laos)",
     "", ""),
    ("border", "", "Prek Chak – Xa Xia international border crossing (to Viet Nam)",
     "ច្រកព្រំដែនអន្តរជាតិព្រែកចាក", ""),
    ("border", "", "Phnom Den – Tinh Bien international border crossing (to Viet Nam)",
     "ច្រកព្រំដែនអន្តរជាតិភ្នំដិន", ""),
    ("border", "", "Kaam Samnor – Vinh Xuong international border crossing (Mekong, to Viet Nam)",
     "", ""),
    ("border", "", "Trapeang Phlong – Xa Mat international border crossing (to Viet Nam)",
     "ច្រកព្រំដែនអន្តរជាតិត្រពាំងផ្លុង", ""),
    ("border", "", "O Yadav – Le Thanh international border crossing (to Viet Nam)",
     "", "KH:Ou Ya Dav"),
]
# Foreign land crossings on the onward routes (UN/LOCODE with coordinates).
FOREIGN_BORDERS = [
    ("VNLCA", "Lao Cai – Hekou border crossing (Viet Nam to China)"),
    ("LAHOE", "Houayxay – Chiang Khong border crossing (Laos to Thailand)"),
]
# Cambodian airports: Khmer names written by the project, and the two airports that
# closed (REP in 2023, PNH in 2025) but where most seizures since 2012 were made; their
# IATA codes are gone from airportsdata, so they are added here.
KH_AIRPORTS_KM = {
    "PNH": "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ",
    "KTI": "អាកាសយានដ្ឋានអន្តរជាតិតេជោ",
    "REP": "អាកាសយានដ្ឋានអន្តរជាតិសៀមរាប",
    "SAI": "អាកាសយានដ្ឋានអន្តរជាតិសៀមរាប-អង្គរ",
    "KOS": "អាកាសយានដ្ឋានអន្តរជាតិព្រះសីហនុ",
    "BBM": "អាកាសយានដ្ឋានបាត់ដំបង",
    "RBE": "អាកាសយានដ្ឋានរតនគិរី",
}
CLOSED_AIRPORTS = [
    # (iata, ICAO code in airportsdata or "", name, UN/LOCODE whose point is used else, note)
    ("PNH", "", "Phnom Penh International Airport", "KHPNH",
     "closed 2025, replaced by Techo International Airport (KTI)"),
    ("REP", "VDSR", "Siem Reap International Airport", "KHREP",
     "closed 2023, replaced by Siem Reap Angkor International Airport (SAI)"),
]

# Taxa traded through the region (DOMAIN.md): scientific name, rank, group, English name,
# CITES appendix (the species' main listing; split listings are noted in README.md), the
# GBIF id under which Stringham et al. 2021 give a Khmer name (0: none), and a Khmer name
# written by the project where that data set has none (without a native speaker: to be
# reviewed, see README.md); blank where the project could not be sure.
TAXA: list[tuple[str, str, str, str, str, int, str]] = [
    ("Elephantidae", "family", "elephants", "Elephants", "", 0, "ដំរី"),
    ("Loxodonta africana", "species", "elephants", "African savanna elephant", "I", 0,
     "ដំរីអាហ្វ្រិក"),
    ("Loxodonta cyclotis", "species", "elephants", "African forest elephant", "I", 0,
     "ដំរីព្រៃអាហ្វ្រិក"),
    ("Elephas maximus", "species", "elephants", "Asian elephant", "I", 5219461, ""),
    ("Rhinocerotidae", "family", "rhinoceroses", "Rhinoceroses", "I", 0, "រមាស"),
    ("Ceratotherium simum", "species", "rhinoceroses", "White rhinoceros", "I", 0, "រមាសស"),
    ("Diceros bicornis", "species", "rhinoceroses", "Black rhinoceros", "I", 0, "រមាសខ្មៅ"),
    ("Panthera leo", "species", "big cats", "Lion", "II", 0, "តោ"),
    ("Panthera tigris", "species", "big cats", "Tiger", "I", 0, "ខ្លា"),
    ("Panthera pardus", "species", "big cats", "Leopard", "I", 0, "ខ្លារខិន"),
    ("Neofelis nebulosa", "species", "big cats", "Clouded leopard", "I", 2435079, ""),
    ("Manidae", "family", "pangolins", "Pangolins", "I", 0, "ពង្រូល"),
    ("Manis javanica", "species", "pangolins", "Sunda pangolin", "I", 5219628, ""),
    ("Manis pentadactyla", "species", "pangolins", "Chinese pangolin", "I", 0, "ពង្រូលចិន"),
    ("Manis crassicaudata", "species", "pangolins", "Indian pangolin", "I", 0, "ពង្រូលឥណ្ឌា"),
    ("Phataginus tricuspis", "species", "pangolins", "White-bellied pangolin", "I", 0,
     "ពង្រូលពោះស"),
    ("Phataginus tetradactyla", "species", "pangolins", "Black-bellied pangolin", "I", 0,
     "ពង្រូលពោះខ្មៅ"),
    ("Smutsia gigantea", "species", "pangolins", "Giant pangolin", "I", 0, "ពង្រូលយក្ស"),
    ("Smutsia temminckii", "species", "pangolins", "Temminck's ground pangolin", "I", 0, ""),
    ("Helarctos malayanus", "species", "bears", "Sun bear", "I", 2433403, ""),
    ("Ursus thibetanus", "species", "bears", "Asian black bear", "I", 2433425, ""),
    ("Batagur affinis", "species", "turtles and tortoises",
     "Southern river terrapin (Royal turtle)", "I", 0, "អណ្តើកហ្លួង"),
    ("Pelochelys cantorii", "species", "turtles and tortoises",
     "Asian giant softshell turtle", "II", 0, ""),
    ("Amyda cartilaginea", "species", "turtles and tortoises", "Asiatic softshell turtle", "II",
     2442561, ""),
    ("Heosemys annandalii", "species", "turtles and tortoises", "Yellow-headed temple turtle",
     "II", 2443332, ""),
    ("Heosemys grandis", "species", "turtles and tortoises", "Giant Asian pond turtle", "II",
     2443336, ""),
    ("Indotestudo elongata", "species", "turtles and tortoises", "Elongated tortoise", "II",
     8539576, ""),
    ("Cyclemys", "genus", "turtles and tortoises", "Asian leaf turtles", "II", 0, ""),
    ("Cuora amboinensis", "species", "turtles and tortoises", "Southeast Asian box turtle", "II",
     0, ""),
    ("Crocodylus siamensis", "species", "reptiles", "Siamese crocodile", "I", 2441348, ""),
    ("Hippopotamus amphibius", "species", "other mammals", "Common hippopotamus", "II", 0,
     "ដំរីទឹក"),
    ("Dalbergia cochinchinensis", "species", "timber", "Siamese rosewood", "II", 2968506, ""),
    ("Dalbergia oliveri", "species", "timber", "Burmese rosewood", "II", 0, "នាងនួន"),
]

PLACE_FIELDS = ["kind", "country", "name", "name_km", "locode", "iata", "latitude",
                "longitude", "source", "note"]
TAXON_FIELDS = ["scientific_name", "rank", "group", "common_name_en", "common_name_km",
                "cites_appendix", "km_source"]
ZWSP = "\u200b"


def read_csv(path: Path, header: list[str] | None = None) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle, fieldnames=header)


def coord(value: str | float) -> str:
    """A coordinate rounded to 5 decimals (about 1 m), written without trailing zeros."""
    text = f"{float(value):.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def clean_km(text: str) -> str:
    return " ".join(text.replace(ZWSP, "").split())


def locodes(shared: Path) -> dict[str, dict[str, str]]:
    header = ["locode", "name", "continent", "subdiv", "subdiv_name", "lat", "lon"]
    path = shared / "geo" / "unlocode" / "nspcc_locodes_with_coords.csv"
    return {row["locode"]: row for row in read_csv(path, header)}


def cities(shared: Path) -> dict[tuple[str, str], dict[str, str]]:
    """GeoNames places by (country, name); the most populous one wins for homonyms."""
    geo = shared / "geo" / "geonames"
    best: dict[tuple[str, str], dict[str, str]] = {}
    for path in (geo / "cities15000_world.csv", geo / "cities500_mekong_KH_VN_LA_TH_MM.csv"):
        for row in read_csv(path):
            key = (row["countrycode"], row["name"])
            if key not in best or int(row["population"] or 0) > int(
                    best[key]["population"] or 0):
                best[key] = row
    return best


def place(kind: str, country: str, name: str, *, name_km: str = "", locode: str = "",
          iata: str = "", lat: str | float = "", lon: str | float = "", source: str = "",
          note: str = "") -> dict[str, str]:
    return {
        "kind": kind, "country": country, "name": name, "name_km": name_km,
        "locode": locode, "iata": iata,
        "latitude": coord(lat) if lat != "" else "", "longitude": coord(lon) if lon != "" else "",
        "source": source, "note": note,
    }


def airports(shared: Path, codes: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    by_icao = {}
    for row in read_csv(shared / "geo" / "airportsdata" / "airports.csv"):
        by_icao[row["icao"]] = row
        if row["country"] not in AIRPORT_COUNTRIES or not row["iata"]:
            continue
        if NOT_CIVIL.search(row["name"]):
            continue
        rows.append(place(
            "airport", row["country"], row["name"], iata=row["iata"],
            name_km=KH_AIRPORTS_KM.get(row["iata"], "") if row["country"] == "KH" else "",
            lat=row["lat"], lon=row["lon"],
            source="airportsdata",
        ))
    for iata, icao, name, locode, note in CLOSED_AIRPORTS:
        point = (by_icao.get(icao) if icao else None) or codes[locode]
        source = "airportsdata (ICAO " + icao + ")" if icao in by_icao else "UN/LOCODE point"
        rows.append(place("airport", "KH", name, name_km=KH_AIRPORTS_KM[iata], iata=iata,
                          lat=point["lat"], lon=point["lon"],
                          source=f"curated; coordinates {source}", note=note))
    return rows


def minute_precision(entry: dict[str, str]) -> bool:
    """UN/LOCODE gives points in whole minutes; finer ones were filled in from an airport."""
    return all(abs(float(entry[k]) * 60 - round(float(entry[k]) * 60)) < 0.01
               for k in ("lat", "lon"))


def port_point(country: str, locode: str, codes: dict[str, dict[str, str]],
               towns: dict[tuple[str, str], dict[str, str]]) -> tuple[str, str, str]:
    """The seaport's point: UN/LOCODE's own, else its city's (GeoNames)."""
    entry = codes.get(locode)
    if entry is not None and locode not in PORT_CITY and minute_precision(entry):
        return entry["lat"], entry["lon"], "UN/LOCODE point"
    city_name = PORT_CITY.get(locode) or (entry or {}).get("name", "")
    city = towns.get((country, city_name))
    if city is not None:
        return city["latitude"], city["longitude"], f"GeoNames {city['name']} (city point)"
    if entry is not None:
        return entry["lat"], entry["lon"], "UN/LOCODE point (an airport's)"
    raise SystemExit(f"{locode}: no coordinates in UN/LOCODE or GeoNames")


def seaports(codes: dict[str, dict[str, str]],
             towns: dict[tuple[str, str], dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for country, ports in SEAPORTS.items():
        for locode, name in ports:
            lat, lon, source = port_point(country, locode, codes, towns)
            rows.append(place("seaport", country, name, locode=locode, lat=lat, lon=lon,
                              source=f"curated; coordinates {source}"))
    return rows


def cambodia(codes: dict[str, dict[str, str]],
             towns: dict[tuple[str, str], dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for kind, locode, name, name_km, town in CAMBODIA:
        lat: str = ""
        lon: str = ""
        source = "curated"
        if town:
            country, town_name = town.split(":", 1)
            found = towns[(country, town_name)]
            lat, lon = found["latitude"], found["longitude"]
            source += f"; coordinates GeoNames {found['name']}"
        elif locode:
            lat, lon = codes[locode]["lat"], codes[locode]["lon"]
            source += "; coordinates UN/LOCODE point"
        rows.append(place(kind, "KH", name, name_km=name_km, locode=locode, lat=lat, lon=lon,
                          source=source))
    for locode, name in FOREIGN_BORDERS:
        rows.append(place("border", locode[:2], name, locode=locode, lat=codes[locode]["lat"],
                          lon=codes[locode]["lon"], source="curated; coordinates UN/LOCODE point"))
    return rows


def build_places(shared: Path) -> list[dict[str, str]]:
    codes, towns = locodes(shared), cities(shared)
    rows = airports(shared, codes) + seaports(codes, towns) + cambodia(codes, towns)
    rows.sort(key=lambda r: (r["country"], r["kind"], r["iata"] or r["locode"], r["name"]))
    return rows


def khmer_names(shared: Path) -> tuple[dict[int, str], dict[int, set[str]]]:
    """Khmer and English common names by GBIF id (Stringham et al. 2021)."""
    khmer: dict[int, list[str]] = defaultdict(list)
    english: dict[int, set[str]] = defaultdict(set)
    path = shared / "seized_taxa_common_names" / "03_gbif_common_names.csv"
    for row in read_csv(path):
        gbif = int(row["gbif_id"])
        name = row["gbif_common_name"]
        if row["ISO 639-1 Code"] == "km" and any("\u1780" <= ch <= "\u17ff" for ch in name):
            khmer[gbif].append(clean_km(name))
        elif row["ISO 639-1 Code"] == "en":
            english[gbif].add(name.lower())
    return {gbif: names[0] for gbif, names in khmer.items()}, english


def build_taxa(shared: Path) -> list[dict[str, str]]:
    khmer, english = khmer_names(shared)
    rows = []
    for scientific, rank, group, name_en, appendix, gbif, own_km in TAXA:
        name_km, km_source = own_km, "project" if own_km else ""
        if gbif:
            if name_en.lower() not in english[gbif] and not any(
                    name_en.lower() in alias for alias in english[gbif]):
                raise SystemExit(f"GBIF {gbif} does not look like {scientific} ({name_en})")
            name_km, km_source = khmer[gbif], f"Stringham et al. 2021 (GBIF {gbif})"
        rows.append({"scientific_name": scientific, "rank": rank, "group": group,
                     "common_name_en": name_en, "common_name_km": name_km,
                     "cites_appendix": appendix, "km_source": km_source})
    rows.sort(key=lambda r: r["scientific_name"])
    return rows


def write_csv(path: Path, fields: list[str], rows: Iterable[dict[str, str]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def build(shared: Path, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    return {
        "places.csv": write_csv(out / "places.csv", PLACE_FIELDS, build_places(shared)),
        "taxa.csv": write_csv(out / "taxa.csv", TAXON_FIELDS, build_taxa(shared)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the CSV files")
    args = parser.parse_args()
    if not (args.shared / "geo").is_dir():
        raise SystemExit(f"{args.shared} has no geo/ folder; pass --shared PATH")
    for name, count in build(args.shared, args.out).items():
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()
