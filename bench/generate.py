"""Generate the benchmark data set: N seizures as a CSV in Kouprey's import format, and
cases written straight into a database that already holds them.

Every seizure has 3 items and 2 suspects, so 3 rows (rows of one seizure share its
external_id; the first gives the seizure's columns, docs/import-export.md). Every person is
fictitious (names combined at random from common syllables) and marked synthetic.

    python bench/generate.py seizures --count 1000000 --out /tmp/bench/seizures-1000000.csv
    python bench/generate.py cases --count 200000 --data-dir /tmp/bench/sqlite-1000000
        [--database-url postgresql://...]

Cases are not part of the import format; they are written with bulk inserts (no audit log,
as a restore would) and each links 5 consecutive seizures, with 1-2 defendants, agency roles
and a court timeline (arrest; some charged; some of those convicted).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_ORG, setup_django  # noqa: E402

HEADER = [
    "external_id", "reference", "date", "place", "agencies", "detection_method",
    "transport_mode", "concealment", "flight", "container", "export_country",
    "destination_country", "origins", "transits", "description", "validation_status",
    "confidentiality", "synthetic",
    "taxon", "commodity", "worked", "pieces", "count_unit", "weight_kg", "value", "currency",
    "suspect_name", "suspect_name_latin", "suspect_nationality", "suspect_role",
    "suspect_arrested", "suspect_synthetic",
]
SEIZURE_COLUMNS = HEADER.index("taxon")

# A place by its code, or by its name where several places share the code (KHPNH: Phnom
# Penh's river port and its dry port; an import refuses the bare code).
PNH_PORT = "Phnom Penh Autonomous Port"
PLACES = ["KHKOS", PNH_PORT, "PNH", "REP", "SAI", "KHBVT", "KHPPT", "KTI"]
AGENCIES = ["gdce", "gdce;fa", "gdce;police", "police;gendarmerie", "fa", "gdce;fa;wcs"]
DETECTION = ["x-ray", "sniffer-dog", "risk-profiling", "intelligence", "random-inspection",
             "documentary-check"]
TRANSPORT = {"KHKOS": "sea-container", PNH_PORT: "sea-container", "PNH": "air-cargo",
             "REP": "air-passenger", "SAI": "air-passenger", "KTI": "air-cargo",
             "KHBVT": "road", "KHPPT": "road"}
CONCEALMENT = ["container-mixed", "false-compartment", "checked-baggage", "misdeclared",
               "vehicle", "mail-parcel"]
ORIGINS = ["MZ", "NG", "KE", "TZ", "ZA", "CM", "MZ:0.6;NG:0.4", "KE:0.5;TZ:0.5"]
EXPORT = ["MZ", "NG", "KE", "TZ", "ZA", "AE", "MY"]
DESTINATION = ["VN", "CN", "LA", "TH"]
TRANSITS = ["", "MY", "SG*", "MY;SG*", "AE", "ET*", "TH"]
# taxon, commodity, worked, count unit, weight range (kg)
GOODS = [
    ("Loxodonta africana", "ivory-raw", "raw", "pieces", (2, 40)),
    ("Loxodonta africana", "ivory-worked", "worked", "pieces", (0.1, 5)),
    ("Elephas maximus", "ivory-raw", "raw", "pieces", (1, 20)),
    ("Ceratotherium simum", "rhino-horn", "raw", "pieces", (0.5, 6)),
    ("Manis javanica", "pangolin-scales", "raw", "kg", (5, 900)),
    ("Smutsia gigantea", "pangolin-scales", "raw", "kg", (5, 900)),
    ("Panthera leo", "lion-bone", "raw", "kg", (10, 300)),
    ("Panthera tigris", "tiger-parts", "raw", "pieces", (0.5, 30)),
    ("Dalbergia cochinchinensis", "timber", "raw", "pieces", (50, 5000)),
    ("Batagur affinis", "live", "raw", "individuals", (1, 40)),
    ("Indotestudo elongata", "live", "raw", "individuals", (0.5, 60)),
]
WORDS = {  # English and Khmer words the descriptions (and so the search) contain
    "ivory-raw": "raw ivory tusks ភ្លុកដំរី", "ivory-worked": "carved ivory ភ្លុកដំរី",
    "rhino-horn": "rhino horn ស្នែងរមាស", "pangolin-scales": "pangolin scales ស្រកានសង្រូល",
    "lion-bone": "lion bones ឆ្អឹងតោ", "tiger-parts": "tiger parts ខ្លា",
    "timber": "rosewood logs ឈើក្រញូង", "live": "live turtles អណ្ដើក",
}
KHMER_GIVEN = [("សុខ", "Sok"), ("ចាន់", "Chan"), ("វណ្ណា", "Vanna"), ("ដារ៉ា", "Dara"),
               ("សុភា", "Sophea"), ("រតនា", "Rathana"), ("បុប្ផា", "Bopha"),
               ("ពិសិដ្ឋ", "Piseth"), ("សំណាង", "Samnang"), ("វិចិត្រ", "Vichet")]
KHMER_FAMILY = [("សៅ", "Sao"), ("ហេង", "Heng"), ("លី", "Ly"), ("គឹម", "Kim"), ("ជា", "Chea"),
                ("ស៊ុន", "Sun"), ("ម៉ៅ", "Mao"), ("ទេព", "Tep")]
VIET_FAMILY = [("Nguyễn", "Nguyen"), ("Trần", "Tran"), ("Lê", "Le"), ("Phạm", "Pham"),
               ("Hoàng", "Hoang"), ("Vũ", "Vu")]
VIET_GIVEN = [("Văn An", "Van An"), ("Thị Lan", "Thi Lan"), ("Minh Đức", "Minh Duc"),
              ("Quốc Huy", "Quoc Huy"), ("Thu Hà", "Thu Ha"), ("Văn Hải", "Van Hai")]
CHINESE_FAMILY = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen")]
CHINESE_GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("强", "Qiang"), ("静", "Jing"), ("磊", "Lei"),
                 ("洋", "Yang")]
ROLES = ["courier", "owner", "consignee", "consignor", "broker", "driver"]
FIRST_DAY = date(2012, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days


def person(rng: random.Random) -> tuple[str, str, str]:
    """A fictitious person: name as written, transliterated, nationality."""
    pick = rng.random()
    if pick < 0.4:
        (family, family_l), (given, given_l) = rng.choice(VIET_FAMILY), rng.choice(VIET_GIVEN)
        return f"{family} {given}", f"{family_l} {given_l}", "VN"
    if pick < 0.7:
        (family, family_l) = rng.choice(CHINESE_FAMILY)
        (given, given_l) = rng.choice(CHINESE_GIVEN)
        return family + given, f"{family_l} {given_l}", "CN"
    if pick < 0.9:
        (family, family_l), (given, given_l) = rng.choice(KHMER_FAMILY), rng.choice(KHMER_GIVEN)
        return f"{family} {given}", f"{family_l} {given_l}", "KH"
    return f"Chukwu {rng.choice(['Emeka', 'Obi', 'Ade'])}", "", "NG"


def seizure_rows(i: int, rng: random.Random) -> list[list[str]]:
    """The three rows of seizure ``i``: 3 items, 2 suspects."""
    place = rng.choice(PLACES)
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    goods = [rng.choice(GOODS) for _ in range(3)]
    container = f"MSCU{rng.randrange(10**7):07d}" if TRANSPORT[place] == "sea-container" else ""
    flight = f"{rng.choice(['ET', 'QR', 'EK', 'VN'])}{rng.randrange(100, 999)}" \
        if TRANSPORT[place].startswith("air") else ""
    seizure = [
        f"bench-{i:07d}", f"B/{day.year}/{i:07d}", day.isoformat(), place,
        rng.choice(AGENCIES), rng.choice(DETECTION), TRANSPORT[place], rng.choice(CONCEALMENT),
        flight, container, rng.choice(EXPORT), rng.choice(DESTINATION),
        rng.choice(ORIGINS), rng.choice(TRANSITS),
        f"{WORDS.get(goods[0][1], goods[0][1])} found at {place}",
        rng.choice(["validated", "validated", "submitted", "draft"]),
        rng.choice(["open", "restricted", "restricted", "confidential"]), "yes",
    ]
    rows = []
    for n, (taxon, commodity, worked, unit, (low, high)) in enumerate(goods):
        weight = round(rng.uniform(low, high), 3)
        item = [taxon, commodity, worked, str(rng.randrange(1, 200)), unit, f"{weight:.3f}",
                f"{weight * rng.uniform(50, 3000):.2f}", "USD"]
        if n < 2:
            name, latin, nationality = person(rng)
            suspect = [name, latin, nationality, rng.choice(ROLES),
                       rng.choice(["yes", "no"]), "yes"]
        else:
            suspect = [""] * 6
        rows.append((seizure if n == 0 else [seizure[0]] + [""] * (SEIZURE_COLUMNS - 1))
                    + item + suspect)
    return rows


def write_seizures(count: int, out: Path, seed: int) -> None:
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(1, count + 1):
            writer.writerows(seizure_rows(i, rng))
    print(f"{count} seizures ({3 * count} rows, {out.stat().st_size / 2**20:,.0f} MiB) "
          f"written to {out} in {time.perf_counter() - started:.1f} s")


def write_cases(count: int, per_case: int, seed: int) -> None:
    """``count`` cases over the imported seizures, ``per_case`` seizures each, in bulk."""
    from django.db import transaction

    from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
    from kouprey.core.models import Organisation
    from kouprey.reference.models import Agency
    from kouprey.seizures.models import Seizure, Suspect

    rng = random.Random(seed)
    org = Organisation.objects.get(code=BENCH_ORG)
    agencies = {a.code: a.pk for a in Agency.objects.filter(
        code__in=["gdce", "fa", "police", "pp-prosecutor", "pp-court", "gendarmerie"])}
    started = time.perf_counter()
    seizure_ids = list(Seizure.objects.order_by("pk").values_list("pk", "date", "reference"))
    if len(seizure_ids) < count * per_case:
        raise SystemExit(f"{len(seizure_ids)} seizures: too few for {count} cases")
    Through = Case.seizures.through
    batch = 5000
    for start in range(0, count, batch):
        with transaction.atomic():
            chunk = range(start, min(start + batch, count))
            linked = {n: seizure_ids[n * per_case:(n + 1) * per_case] for n in chunk}
            suspects: dict[int, list[tuple[int, str, str, int | None]]] = {}
            for row in Suspect.objects.filter(seizure_id__in=[s[0] for n in chunk
                                                              for s in linked[n][:1]]
                                              ).values_list("seizure_id", "pk", "name",
                                                            "name_latin", "nationality_id"):
                suspects.setdefault(row[0], []).append(row[1:])
            cases = [Case(owner_org=org, external_id=f"bench-case-{n:06d}",
                          case_number=f"BC/{linked[n][0][1].year}/{n:06d}",
                          title=f"Case {n} ({linked[n][0][2]})", opened_on=linked[n][0][1],
                          synthetic=True, confidentiality=2,
                          search_text=f"BC/{linked[n][0][1].year}/{n:06d} Case {n}")
                     for n in chunk]
            Case.objects.bulk_create(cases)
            links, roles, defendants, events = [], [], [], []
            for n, case in zip(chunk, cases, strict=True):
                first_date = linked[n][0][1]
                links += [Through(case_id=case.pk, seizure_id=s[0]) for s in linked[n]]
                roles.append(CaseAgency(case=case, agency_id=agencies["gdce"],
                                        role=CaseAgency.Role.DETECTING))
                if rng.random() < 0.5:
                    roles.append(CaseAgency(case=case, agency_id=agencies["police"],
                                            role=CaseAgency.Role.INVESTIGATING))
                for pk, name, latin, nationality in suspects.get(linked[n][0][0], [])[:2]:
                    defendants.append(Defendant(case=case, suspect_id=pk, name=name,
                                                name_latin=latin, nationality_id=nationality,
                                                synthetic=True))
                events.append(CaseEvent(case=case, kind="arrest", date=first_date))
                if rng.random() < 0.5:
                    events.append(CaseEvent(case=case, kind="charge",
                                            date=first_date + timedelta(days=30),
                                            law_section="Forestry Law art. 98"))
                    if rng.random() < 0.4:
                        events.append(CaseEvent(case=case, kind="verdict",
                                                date=first_date + timedelta(days=300),
                                                outcome="conviction"))
            Through.objects.bulk_create(links)
            CaseAgency.objects.bulk_create(roles)
            Defendant.objects.bulk_create(defendants)
            CaseEvent.objects.bulk_create(events)
        done = min(start + batch, count)
        print(f"\r{done}/{count} cases", end="", flush=True)
    print(f"\n{count} cases written in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    seizures = sub.add_parser("seizures", help="write the seizures CSV")
    seizures.add_argument("--count", type=int, default=1_000_000)
    seizures.add_argument("--out", type=Path, required=True)
    seizures.add_argument("--seed", type=int, default=2012)
    cases = sub.add_parser("cases", help="write cases into a database holding the seizures")
    cases.add_argument("--count", type=int, default=200_000)
    cases.add_argument("--per-case", type=int, default=5)
    cases.add_argument("--data-dir", type=Path, required=True)
    cases.add_argument("--database-url", default="")
    cases.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    if args.what == "seizures":
        write_seizures(args.count, args.out, args.seed)
    else:
        setup_django(args.data_dir, args.database_url)
        write_cases(args.count, args.per_case, args.seed)


if __name__ == "__main__":
    main()
