"""The demo data: 23 seizures and 11 cases, each fact marked with where it comes from.

Facts from the seed documents (../shared/seeds; see kouprey/demo/README.md for the list):
the counts, the places, the nationalities, the baseline and Year 2 figures, the lion bone case
and the two 2016 rhino horn seizures. Everything else — exact dates, weights, pieces, routes,
container and flight numbers, case numbers, law sections, sentences — is invented, and every
person is fictitious: their names are built from the words for "sample", "test" and "fake"
(Vietnamese mẫu / thử / giả, Chinese 示例 / 样本, Khmer គំរូ / សាកល្បង, Yoruba àyẹ̀wò).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Seed documents, cited in each record's sources.
SEED_IWT = "000_446466d267ed690d"  # IWT Challenge Fund annual report, Year 2 (2019/20)
SEED_NIAP = "001_de4bad686f6920dc"  # Cambodia NIAP progress report (2017)
SEED_TRAFFIC = "002_feb8662886643867"  # partners' report: dry-port ivory from Mozambique
SEED_TITLES = {
    SEED_IWT: "WCS Cambodia, IWT Challenge Fund annual report, Year 2",
    SEED_NIAP: "Cambodia, National Ivory Action Plan progress report",
    SEED_TRAFFIC: "Report on wildlife trade work in Cambodia (TRAFFIC and partners)",
}


@dataclass(frozen=True)
class Person:
    name: str
    latin: str
    nationality: str  # ISO 3166 alpha-2
    role: str = "courier"
    arrested: bool = True


@dataclass(frozen=True)
class Item:
    commodity: str  # reference CommodityType code
    taxon: str  # scientific name
    weight: str  # kg, as text (exact decimal)
    pieces: int | None = None
    description: str = ""

    @property
    def worked(self) -> bool:
        return self.commodity == "ivory-worked"


@dataclass(frozen=True)
class DemoSeizure:
    key: str  # external id "demo:seizure:<key>"
    date: date
    place: str  # UN/LOCODE or IATA code
    items: tuple[Item, ...]
    suspects: tuple[Person, ...]
    origins: tuple[tuple[str, str], ...] = ()  # (ISO2, proportion)
    transits: tuple[str, ...] = ()
    destination: str = "VN"
    agencies: tuple[str, ...] = ("gdce",)
    description: str = ""
    seeds: tuple[str, ...] = ()  # seed documents this seizure's facts come from
    container: str = ""
    flight: str = ""
    confidential: bool = False
    transport: str = ""  # reference TransportMode code
    detection: str = ""  # reference DetectionMethod code


@dataclass(frozen=True)
class Event:
    kind: str
    date: date
    defendant: int | None = None  # index into the case's defendants
    outcome: str = ""
    authority: str = ""  # agency code
    law_section: str = ""
    offence: str = ""
    prison_months: int | None = None
    amount: str = ""
    currency: str = ""
    fine_status: str = ""
    notes: str = ""


@dataclass(frozen=True)
class DemoCase:
    key: str  # external id "demo:case:<key>"
    case_number: str
    title: str
    seizures: tuple[str, ...]  # DemoSeizure keys
    roles: tuple[tuple[str, str], ...]  # (agency code, CaseAgency.Role)
    defendants: tuple[str, ...] = ()  # latin names of suspects of the linked seizures
    events: tuple[Event, ...] = ()
    court: str = ""
    summary: str = ""
    seeds: tuple[str, ...] = ()
    confidential: bool = False
    opened_on: date | None = None


ELEPHANT, WHITE_RHINO, BLACK_RHINO = "Loxodonta africana", "Ceratotherium simum", \
    "Diceros bicornis"
PANGOLIN, LION = "Phataginus tricuspis", "Panthera leo"
FORESTRY_LAW = "Law on Forestry (2002), wildlife trade offences"
CUSTOMS_LAW = "Law on Customs (2007), smuggling of prohibited goods"
TRADE = "Illegal transport and trade of wildlife products"

P = Person
SEIZURES: tuple[DemoSeizure, ...] = (
    DemoSeizure("2012-rep-ivory-worked", date(2012, 3, 14), "REP",
                (Item("ivory-worked", ELEPHANT, "4.200", 35, "bangles and chopsticks"),),
                (P("Trần Văn Mẫu", "Tran Van Mau", "VN"),), flight="DM 201"),
    DemoSeizure("2012-pnh-ivory", date(2012, 11, 2), "PNH",
                (Item("ivory-raw", ELEPHANT, "31.500", 6, "tusk pieces in checked bags"),),
                (P("Lê Thị Thử", "Le Thi Thu", "VN"),), origins=(("KE", "1"),),
                transits=("QA",), flight="DM 318"),
    DemoSeizure("2013-pnh-ivory", date(2013, 5, 21), "PNH",
                (Item("ivory-raw", ELEPHANT, "42.000", 8),),
                (P("Phạm Văn Giả", "Pham Van Gia", "VN"),), origins=(("MZ", "1"),),
                transits=("ET",), flight="DM 512"),
    DemoSeizure("2013-pnh-rhino", date(2013, 9, 9), "PNH",
                (Item("rhino-horn", WHITE_RHINO, "11.800", 4),),
                (P("Nguyễn Thị Mẫu", "Nguyen Thi Mau", "VN"),), origins=(("ZA", "1"),),
                transits=("QA",), flight="DM 318"),
    DemoSeizure("2013-khkos-ivory", date(2013, 12, 5), "KHKOS",
                (Item("ivory-raw", ELEPHANT, "385.000", 112, "tusks under sawn timber"),),
                (P("Đỗ Văn Thử", "Do Van Thu", "VN", "consignee", False),),
                origins=(("KE", "1"),), transits=("MY",), container="DEMU1300013"),
    DemoSeizure("2014-khkos-ivory", date(2014, 3, 18), "KHKOS",
                (Item("ivory-raw", ELEPHANT, "260.000", 74),),
                (P("Hoàng Văn Giả", "Hoang Van Gia", "VN", "consignee", False),),
                origins=(("TZ", "0.6"), ("KE", "0.4")), transits=("MY",),
                container="DEMU1400027"),
    DemoSeizure("2014-pnh-rhino", date(2014, 6, 17), "PNH",
                (Item("rhino-horn", BLACK_RHINO, "7.600", 3),),
                (P("Vũ Thị Giả", "Vu Thi Gia", "VN"),), origins=(("ZA", "1"),),
                transits=("AE",), flight="DM 414"),
    DemoSeizure("2014-pnh-ivory-worked", date(2014, 10, 28), "PNH",
                (Item("ivory-worked", ELEPHANT, "9.800", 120, "carved pendants"),),
                (P("សុខ គំរូ", "Sok Kumrou", "KH"),), flight="DM 622"),
    DemoSeizure("2015-rep-rhino", date(2015, 1, 20), "REP",
                (Item("rhino-horn", WHITE_RHINO, "5.100", 2),),
                (P("Bùi Văn Mẫu", "Bui Van Mau", "VN"),), origins=(("ZA", "1"),),
                transits=("TH",), flight="DM 107"),
    DemoSeizure("2015-pnh-ivory", date(2015, 4, 8), "PNH",
                (Item("ivory-raw", ELEPHANT, "52.300", 10),),
                (P("Đặng Văn Thử", "Dang Van Thu", "VN"),), origins=(("NG", "1"),),
                transits=("ET",), flight="DM 512"),
    DemoSeizure("2015-khkos-pangolin", date(2015, 8, 19), "KHKOS",
                (Item("pangolin-scales", PANGOLIN, "1020.000", None, "scales in 34 bags"),),
                (P("ចាន់ សាកល្បង", "Chan Saklbang", "KH", "consignee", False),),
                origins=(("NG", "1"),), transits=("MY",), container="DEMU1500081"),
    DemoSeizure("2015-pnh-ivory-ng", date(2015, 12, 3), "PNH",
                (Item("ivory-raw", ELEPHANT, "67.000", 14),),
                (P("Adebayo Ayewo", "Adebayo Ayewo", "NG"),), origins=(("NG", "1"),),
                transits=("ET",), flight="DM 512"),
    DemoSeizure("2016-khpnh-ivory-mz", date(2016, 3, 10), "KHPNH",
                (Item("ivory-raw", ELEPHANT, "1016.000", 290, "tusks in a container of beans"),),
                (P("Ngô Thị Mẫu", "Ngo Thi Mau", "VN", "consignee", False),),
                origins=(("MZ", "1"),), transits=("MY",), container="DEMU1600102",
                description="Large-scale ivory seizure at the Phnom Penh dry port, shipped "
                            "from Mozambique; inventoried and sampled with partners.",
                seeds=(SEED_TRAFFIC, SEED_IWT)),
    DemoSeizure("2016-pnh-rhino-a", date(2016, 5, 24), "PNH",
                (Item("rhino-horn", WHITE_RHINO, "2.900", 1),),
                (P("王示例", "Wang Shili", "CN"),), origins=(("NA", "1"),),
                transits=("QA",), destination="CN", flight="DM 330", confidential=True,
                description="Rhino horn from Namibia seized by Phnom Penh authorities; "
                            "sampled at the request of the Namibian Police.",
                seeds=(SEED_NIAP, SEED_TRAFFIC, SEED_IWT)),
    DemoSeizure("2016-pnh-rhino-b", date(2016, 10, 12), "PNH",
                (Item("rhino-horn", WHITE_RHINO, "3.400", 1),),
                (P("李样本", "Li Yangben", "CN"),), origins=(("NA", "1"),),
                transits=("QA",), destination="CN", flight="DM 330", confidential=True,
                description="Second rhino horn from Namibia seized by Phnom Penh "
                            "authorities; sampled at the request of the Namibian Police.",
                seeds=(SEED_NIAP, SEED_TRAFFIC, SEED_IWT)),
    DemoSeizure("2016-rep-ivory-worked", date(2016, 11, 22), "REP",
                (Item("ivory-worked", ELEPHANT, "6.300", 48, "bangles"),),
                (P("Lý Văn Giả", "Ly Van Gia", "VN"),), flight="DM 109"),
    DemoSeizure("2017-khkos-ivory", date(2017, 2, 15), "KHKOS",
                (Item("ivory-raw", ELEPHANT, "1180.000", 336),
                 Item("ivory-worked", ELEPHANT, "14.000", 60, "carved tusk tips")),
                (P("Phan Văn Thử", "Phan Van Thu", "VN", "consignee", False),),
                origins=(("KE", "1"),), transits=("MY",), container="DEMU1700015",
                description="Large-scale ivory seizure at Sihanoukville port; the ivory is "
                            "held as evidence until the court case ends.",
                seeds=(SEED_IWT, SEED_NIAP)),
    DemoSeizure("2017-pnh-rhino", date(2017, 6, 6), "PNH",
                (Item("rhino-horn", WHITE_RHINO, "12.400", 5),),
                (P("Trịnh Văn Mẫu", "Trinh Van Mau", "VN"),), origins=(("ZA", "1"),),
                transits=("AE",), flight="DM 414"),
    DemoSeizure("2017-rep-ivory", date(2017, 8, 30), "REP",
                (Item("ivory-raw", ELEPHANT, "28.000", 7),),
                (P("Dương Thị Thử", "Duong Thi Thu", "VN"),), origins=(("TZ", "1"),),
                transits=("TH",), flight="DM 107", agencies=("police",)),
    DemoSeizure("2017-khpnh-ivory", date(2017, 10, 19), "KHPNH",
                (Item("ivory-raw", ELEPHANT, "640.000", 188, "tusks in sacks of cashew"),),
                (), origins=(("NG", "1"),), transits=("SG",), container="DEMU1700044",
                description="Large-scale ivory seizure at the Phnom Penh dry port; the "
                            "container was abandoned and nobody was identified.",
                seeds=(SEED_IWT,)),
    DemoSeizure("2017-pnh-ivory-worked", date(2017, 12, 11), "PNH",
                (Item("ivory-worked", ELEPHANT, "3.100", 22, "name seals"),),
                (P("Đinh Văn Giả", "Dinh Van Gia", "VN"),), flight="DM 622"),
    # After the baseline (January 2018): the two cases of indicator 2.2.
    DemoSeizure("2018-khpnh-ivory-3t", date(2018, 12, 6), "KHPNH",
                (Item("ivory-raw", ELEPHANT, "3075.000", 980, "tusks behind marble slabs"),),
                (P("Cao Văn Mẫu", "Cao Van Mau", "VN", "consignee", False),),
                origins=(("MZ", "1"),), transits=("MY",), container="DEMU1800090",
                description="More than 3 tonnes of ivory from Mozambique, handled by Customs "
                            "alone.", seeds=(SEED_IWT,)),
    DemoSeizure("2019-pnh-lion-bone", date(2019, 12, 28), "PNH",
                (Item("lion-bone", LION, "283.600", None,
                      "'wildlife bones' in checked bags; confirmed lion by UNODC/TRACE"),),
                (P("Võ Văn Giả", "Vo Van Gia", "VN"), P("Mai Văn Mẫu", "Mai Van Mau", "VN")),
                origins=(("ZA", "1"),), transits=("ET",), flight="DM 512",
                # Seed 000: an "inter-agency seizure"; Customs and the CCC held the case's
                # information from the start (they shared it with FA later). Air passenger
                # baggage (the bones were in checked bags) and X-ray screening are invented
                # details consistent with that story.
                agencies=("gdce", "ccc"), transport="air-passenger", detection="x-ray",
                description="Lion bones (over 280 kg) seized at Phnom Penh International "
                            "Airport in late December 2019; two Vietnamese nationals "
                            "arrested; an inter-agency case.", seeds=(SEED_IWT,)),
)

CUSTOMS_ONLY = (("gdce", "detecting"), ("gdce", "investigating"))
E = Event
CASES: tuple[DemoCase, ...] = (
    DemoCase("2012-rep-fine", "GDCE-REP-2012-004", "Worked ivory at Siem Reap airport",
             ("2012-rep-ivory-worked",), CUSTOMS_ONLY, ("Tran Van Mau",),
             (E("transaction", date(2012, 3, 14), 0, authority="gdce", amount="4000000",
                currency="KHR", fine_status="paid", law_section=CUSTOMS_LAW),)),
    DemoCase("2013-pnh-ivory", "PP-CFI-2013-0412", "Ivory courier at Phnom Penh airport",
             ("2013-pnh-ivory",), (*CUSTOMS_ONLY, ("pp-court", "adjudicating")),
             ("Pham Van Gia",),
             (E("arrest", date(2013, 5, 21), 0, authority="gdce"),
              E("referral", date(2013, 5, 23), authority="gdce"),
              E("charge", date(2013, 5, 24), 0, law_section=FORESTRY_LAW, offence=TRADE),
              E("hearing", date(2013, 11, 12)),
              E("verdict", date(2013, 12, 10), 0, outcome="conviction"),
              E("sentence", date(2013, 12, 10), 0, prison_months=36, amount="20000000",
                currency="KHR")), court="pp-court"),
    DemoCase("2014-pnh-rhino", "PP-CFI-2014-0633", "Rhino horn courier at Phnom Penh airport",
             ("2014-pnh-rhino",), (*CUSTOMS_ONLY, ("pp-court", "adjudicating")),
             ("Vu Thi Gia",),
             (E("arrest", date(2014, 6, 17), 0, authority="gdce"),
              E("referral", date(2014, 6, 19), authority="gdce"),
              E("charge", date(2014, 6, 20), 0, law_section=FORESTRY_LAW, offence=TRADE),
              E("hearing", date(2015, 1, 27)),
              E("verdict", date(2015, 2, 24), 0, outcome="conviction"),
              E("sentence", date(2015, 2, 24), 0, prison_months=48)), court="pp-court"),
    DemoCase("2015-pnh-ivory", "PP-CFI-2015-0298", "Ivory courier from Nigeria at Phnom Penh",
             ("2015-pnh-ivory",), (*CUSTOMS_ONLY, ("pp-court", "adjudicating")),
             ("Dang Van Thu",),
             (E("arrest", date(2015, 4, 8), 0, authority="gdce"),
              E("referral", date(2015, 4, 10), authority="gdce"),
              E("charge", date(2015, 4, 11), 0, law_section=FORESTRY_LAW, offence=TRADE),
              E("hearing", date(2015, 9, 15)),
              E("verdict", date(2015, 10, 6), 0, outcome="conviction"),
              E("sentence", date(2015, 10, 6), 0, prison_months=24, amount="10000000",
                currency="KHR")), court="pp-court"),
    *(DemoCase(f"2016-pnh-rhino-{x}", f"PP-CFI-2016-07{n}", f"Rhino horn from Namibia ({x})",
               (f"2016-pnh-rhino-{x}",),
               (("gdce", "detecting"), ("fa", "investigating"), ("pp-court", "adjudicating"),
                ("na-police", "foreign")), (name,),
               (E("arrest", arrest, 0, authority="gdce"),
                E("referral", arrest.replace(day=arrest.day + 2), authority="gdce"),
                E("sampling", date(2017, 2, 14), authority="fa",
                  notes="Sampled with the Phnom Penh court's permission at the request of "
                        "the Namibian Police; CITES permits requested to send the samples "
                        "to South Africa for genetic analysis.")),
               court="pp-court", confidential=True, seeds=(SEED_NIAP, SEED_TRAFFIC),
               summary="One of the two 2016 rhino horn seizures by Phnom Penh authorities "
                       "sampled at Namibia's request (FA, Customs, Phnom Penh court).")
      for x, n, name, arrest in (("a", "11", "Wang Shili", date(2016, 5, 24)),
                                 ("b", "52", "Li Yangben", date(2016, 10, 12)))),
    DemoCase("2016-khpnh-ivory", "GDCE-PNH-2016-031", "Ivory from Mozambique, dry port",
             ("2016-khpnh-ivory-mz",), CUSTOMS_ONLY, (),
             (E("investigation", date(2016, 3, 11), authority="gdce"),
              E("sampling", date(2016, 6, 2), authority="gdce",
                notes="Inventory and sampling with partners.")),
             seeds=(SEED_TRAFFIC, SEED_IWT),
             summary="One of the three large-scale ivory seizures of 2016/2017, managed by "
                     "Customs with little or no involvement of other agencies."),
    DemoCase("2017-khkos-ivory", "GDCE-KOS-2017-009", "Ivory at Sihanoukville port",
             ("2017-khkos-ivory",), CUSTOMS_ONLY, (),
             (E("investigation", date(2017, 2, 16), authority="gdce"),
              E("referral", date(2017, 5, 3), authority="gdce",
                notes="Pending prosecution; the ivory is held as evidence.")),
             seeds=(SEED_IWT, SEED_NIAP),
             summary="One of the three large-scale ivory seizures of 2016/2017, managed by "
                     "Customs."),
    DemoCase("2017-khpnh-ivory", "GDCE-PNH-2017-058", "Abandoned ivory container, dry port",
             ("2017-khpnh-ivory",), CUSTOMS_ONLY, (),
             (E("investigation", date(2017, 10, 20), authority="gdce"),),
             seeds=(SEED_IWT,),
             summary="One of the three large-scale ivory seizures of 2016/2017, managed by "
                     "Customs."),
    DemoCase("2018-khpnh-ivory-3t", "GDCE-PNH-2018-112", "More than 3 tonnes of ivory",
             ("2018-khpnh-ivory-3t",), CUSTOMS_ONLY, (),
             (E("investigation", date(2018, 12, 7), authority="gdce"),),
             seeds=(SEED_IWT,),
             summary="Since the baseline: a case of more than 3 tonnes of ivory managed by "
                     "Customs (no inter-agency coordination)."),
    DemoCase("2019-pnh-lion-bone", "PP-CFI-2020-0017", "Lion bones at Phnom Penh airport",
             ("2019-pnh-lion-bone",),
             (("gdce", "detecting"), ("ccc", "investigating"), ("fa", "forensic"),
              ("pp-court", "adjudicating"), ("unodc", "forensic"), ("trace", "forensic")),
             ("Vo Van Gia", "Mai Van Mau"),
             (E("arrest", date(2019, 12, 28), 0, authority="gdce"),
              E("arrest", date(2019, 12, 28), 1, authority="gdce"),
              E("investigation", date(2020, 1, 9), authority="pp-court",
                notes="Investigating judge; the two suspects are held in custody."),
              E("sampling", date(2020, 3, 12), authority="fa",
                notes="Samples taken under the Forestry Administration's jurisdiction, with "
                      "the permission of Customs and the court; forensic analysis by UNODC "
                      "and TRACE."),
              E("note", date(2020, 3, 27), authority="unodc",
                notes="Forensic results: the bones are lion (Panthera leo).")),
             court="pp-court", seeds=(SEED_IWT,),
             summary="Inter-agency case: Customs, CCC (anti-corruption), FA and the Phnom "
                     "Penh Court of First Instance, with forensic support from UNODC and "
                     "TRACE."),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    org: str
    role: str
    clearance: int  # core.permissions.Confidentiality


ORGANISATIONS = {
    "wcs-demo": ("WCS Cambodia (demo)", "ngo"),
    "gdce-demo": ("GDCE (demo)", "agency"),
}
USERS = (
    DemoUser("demo", "wcs-demo", "admin", 3),
    DemoUser("demo-analyst", "wcs-demo", "analyst", 3),
    DemoUser("demo-gdce", "gdce-demo", "viewer", 2),
)

# Reference rows the demo needs, created only where `kouprey init` has not loaded them.
COUNTRIES = {"KH": "Cambodia", "VN": "Viet Nam", "CN": "China", "MZ": "Mozambique",
             "NG": "Nigeria", "KE": "Kenya", "TZ": "Tanzania, United Republic of",
             "NA": "Namibia", "ZA": "South Africa", "QA": "Qatar", "ET": "Ethiopia",
             "AE": "United Arab Emirates", "TH": "Thailand", "MY": "Malaysia",
             "SG": "Singapore"}
PLACES = {  # code: (name, kind, latitude, longitude)
    "KHKOS": ("Sihanoukville Autonomous Port", "seaport", 10.6406, 103.5089),
    "KHPNH": ("Phnom Penh dry port", "dry_port", 11.5868, 104.9239),
    "PNH": ("Phnom Penh International Airport", "airport", 11.5466, 104.8441),
    "REP": ("Siem Reap International Airport", "airport", 13.4107, 103.8128),
}
AGENCIES = {  # code: (name, kind, country)
    "gdce": ("General Department of Customs and Excise", "customs", "KH"),
    "fa": ("Forestry Administration", "forestry", "KH"),
    "pp-court": ("Phnom Penh Court of First Instance", "court", "KH"),
    "ccc": ("CCC (anti-corruption)", "police", "KH"),
    "police": ("National Police", "police", "KH"),
    "unodc": ("UNODC", "lab", ""),
    "trace": ("TRACE Wildlife Forensics Network", "lab", ""),
    "na-police": ("Namibian Police Force", "foreign", "NA"),
}
TRANSPORT_MODES = {"air-passenger": "Air passenger (baggage)",  # code: name
                   "sea-container": "Sea (container)"}
DETECTION_METHODS = {"x-ray": "X-ray or scanner"}  # code: name
COMMODITIES = {  # code: (name, is_ivory)
    "ivory-raw": ("Raw ivory", True),
    "ivory-worked": ("Worked ivory", True),
    "rhino-horn": ("Rhino horn", False),
    "pangolin-scales": ("Pangolin scales", False),
    "lion-bone": ("Lion bone", False),
}
TAXA = {  # scientific name: (English name, CITES appendix)
    ELEPHANT: ("African elephant", "I"),
    WHITE_RHINO: ("White rhinoceros", "I"),
    BLACK_RHINO: ("Black rhinoceros", "I"),
    PANGOLIN: ("White-bellied pangolin", "I"),
    LION: ("Lion", "II"),
}
