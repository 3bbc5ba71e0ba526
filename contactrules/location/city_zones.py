"""Cited offline data that narrows a state's or province's zones by place, never beyond them.

Two tables, both read by :func:`contactrules.zones.zones_for_city`, which keeps a place's zones
only when every one of them is a zone of its state or province (the tables in ``zones``), and
otherwise falls back to all of the state's zones. So an entry here can remove a zone the
consumer is not in; it can never add one.

- ``CITY_ZONES``: Canadian provinces and territories and New South Wales, which the US ZIP
  data does not cover. Each entry names its source and how sure it is. ``high``: an official
  text or the IANA tz database's ``zone1970.tab``/comments names the place or its county, and
  the place is far from any zone line. Places where the sources disagree, or whose clocks may
  soon change, are listed with every zone they may keep (or left out), which is as safe as no
  entry at all.
- ``ZIP_CORRECTIONS``: rows of the ``zipcodes`` package's data whose time zone contradicts the
  row itself (its coordinates) or the law. A correction applies only while the row still says
  what it said when the correction was written, so a fixed data release is used as it is.

A place that keeps standard time all year between two zones of the table (Atikokan, ON keeps
EST, which is Winnipeg's clock in summer and Toronto's in winter) is given both: a contact
convenient in both zones is convenient on its clock at every instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CITY_ZONES", "ZIP_CORRECTIONS", "CityZones", "ZipCorrection"]

Confidence = Literal["high", "medium"]


@dataclass(frozen=True)
class CityZones:
    """Places of one subdivision that keep the same zone(s), with the source that says so."""

    names: tuple[str, ...]  # as people write them; matched after ``zones.normalise_city``
    zones: tuple[str, ...]
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class ZipCorrection:
    """A ``zipcodes`` row whose zone is wrong: used only while the row says ``data_zone``."""

    state: str
    city: str
    data_zone: str
    zones: tuple[str, ...]
    source: str
    confidence: Confidence


_TORONTO, _WINNIPEG = "America/Toronto", "America/Winnipeg"
_HALIFAX = "America/Halifax"
_SYDNEY, _BROKEN_HILL = "Australia/Sydney", "Australia/Broken_Hill"

_ZONE1970 = "IANA tz database, zone1970.tab"
_ON_TIME_ACT = (
    "Time Act, R.S.O. 1990, c. T.9 (Ontario east of 90°W keeps Eastern time, west of it "
    "Central), as summarised in the IANA tz database's comments on America/Atikokan (backzone)"
)

CITY_ZONES: dict[tuple[str, str], tuple[CityZones, ...]] = {
    ("CA", "ON"): (
        CityZones(
            names=(
                "Kenora",
                "Dryden",
                "Fort Frances",
                "Sioux Lookout",
                "Rainy River",
                "Red Lake",
                "Ear Falls",
                "Ignace",
                "Emo",
                "Sioux Narrows",
                "Vermilion Bay",
            ),
            zones=(_WINNIPEG,),
            source=f"{_ON_TIME_ACT}: these towns lie between 91.5°W and 95°W; {_ZONE1970}: "
            '"America/Winnipeg: Central - ON (west)"; IANA backzone comments name Dryden',
            confidence="high",
        ),
        CityZones(
            names=("Atikokan",),
            zones=(_TORONTO, _WINNIPEG),
            source=f'{_ZONE1970}: "America/Panama: EST - ON (Atikokan)"; EST all year is '
            "Winnipeg's clock in summer and Toronto's in winter, so both are candidates",
            confidence="high",
        ),
        # Left out, so they keep both zones: Pickle Lake and Mishkeegogamang (New Osnaburgh),
        # which the tz comments report as keeping CST all year (Matthews and Vincent, 1998) or
        # EST all year (Walton, 2006); Upsala and Shebandowan, west of 90°W but reported on
        # Eastern time; the far-north First Nations, whose practice varies.
        CityZones(
            names=(
                "Thunder Bay",
                "Nipigon",
                "Marathon",
                "Toronto",
                "Ottawa",
                "Mississauga",
                "Brampton",
                "Hamilton",
                "London",
                "Markham",
                "Vaughan",
                "Kitchener",
                "Windsor",
                "Richmond Hill",
                "Oakville",
                "Burlington",
                "Oshawa",
                "Sudbury",
                "Greater Sudbury",
                "Barrie",
                "Guelph",
                "Cambridge",
                "St. Catharines",
                "Waterloo",
                "Brantford",
                "Pickering",
                "Niagara Falls",
                "Peterborough",
                "Sault Ste. Marie",
                "Kingston",
                "Whitby",
                "Ajax",
                "Milton",
                "Newmarket",
                "Sarnia",
                "Belleville",
                "North Bay",
                "Timmins",
                "Cornwall",
                "Welland",
                "Orillia",
                "Scarborough",
                "Etobicoke",
                "North York",
            ),
            zones=(_TORONTO,),
            source=f"{_ON_TIME_ACT}: all east of 89.5°W (Thunder Bay 89.2°W, the others "
            f'east of 85°W); {_ZONE1970}: "America/Toronto: Eastern - ON & QC (most areas)"; '
            "America/Thunder_Bay and America/Nipigon are links to America/Toronto",
            confidence="high",
        ),
    ),
    ("CA", "QC"): (
        CityZones(
            names=(
                "Îles-de-la-Madeleine",
                "Magdalen Islands",
                "Cap-aux-Meules",
                "Havre-Aubert",
                "Havre-aux-Maisons",
                "Grande-Entrée",
                "Grosse-Île",
                "Fatima",
                "L'Étang-du-Nord",
                "Listuguj",
            ),
            zones=(_HALIFAX,),
            source='IANA tz database, northamerica: "See America/Halifax for the Îles de la '
            'Madeleine and the Listuguj reserve"',
            confidence="high",
        ),
        CityZones(
            names=(
                "Blanc-Sablon",
                "Lourdes-de-Blanc-Sablon",
                "Saint-Augustin",
                "Harrington Harbour",
            ),
            zones=(_HALIFAX, _TORONTO),
            source=f'{_ZONE1970}: "America/Puerto_Rico: AST - QC (Lower North Shore)"; Legal '
            "Time Act, CQLR c T-5.1; AST all year is Toronto's clock in summer and Halifax's "
            "in winter, so both are candidates",
            confidence="high",
        ),
        CityZones(
            names=(
                "Montréal",
                "Québec",
                "Quebec City",
                "Laval",
                "Gatineau",
                "Longueuil",
                "Sherbrooke",
                "Saguenay",
                "Lévis",
                "Trois-Rivières",
                "Terrebonne",
            ),
            zones=(_TORONTO,),
            source=f'{_ZONE1970}: "America/Toronto: Eastern - ON & QC (most areas)"; all '
            "west of 71°W, far from the 63°W line of the Legal Time Act",
            confidence="high",
        ),
    ),
    ("CA", "BC"): (
        CityZones(
            names=(
                "Vancouver",
                "Victoria",
                "Surrey",
                "Burnaby",
                "Richmond",
                "Abbotsford",
                "Coquitlam",
                "Kelowna",
                "Saanich",
                "Kamloops",
                "Nanaimo",
                "Prince George",
                "Chilliwack",
                "Vernon",
                "Penticton",
            ),
            zones=("America/Vancouver",),
            source=f'{_ZONE1970}: "America/Vancouver: Pacific - BC (most areas)"; all west '
            "of the Rockies and outside the Kootenay and Peace River regions",
            confidence="high",
        ),
        CityZones(
            names=("Creston",),
            zones=("America/Creston",),
            source=f'{_ZONE1970}: "America/Phoenix: MST - AZ (most areas), Creston BC"',
            confidence="high",
        ),
        CityZones(
            names=("Dawson Creek", "Fort St. John"),
            zones=("America/Dawson_Creek",),
            source=f'{_ZONE1970}: "America/Dawson_Creek: MST - BC (Dawson Cr, Ft St John)"',
            confidence="high",
        ),
        CityZones(
            names=("Fort Nelson",),
            zones=("America/Fort_Nelson",),
            source=f'{_ZONE1970}: "America/Fort_Nelson: MST - BC (Ft Nelson)"',
            confidence="high",
        ),
        CityZones(
            names=("Cranbrook", "Kimberley", "Fernie", "Invermere", "Sparwood", "Elkford"),
            zones=("America/Creston", "America/Edmonton"),
            source=f'{_ZONE1970}: "America/Edmonton: Mountain - AB, BC(E)"; the tz comments '
            "(2026) report the East Kootenay debating year-round MST while Alberta changes, "
            "so both Mountain clocks are kept",
            confidence="medium",
        ),
    ),
    ("CA", "SK"): (
        CityZones(
            names=("Regina", "Saskatoon", "Prince Albert", "Moose Jaw", "Yorkton"),
            zones=("America/Regina",),
            source=f'{_ZONE1970}: "America/Regina: CST - SK (most areas)"',
            confidence="high",
        ),
        # Lloydminster (Alberta's clock under the old Time Act, UTC-6 all year under the 2026
        # bill the tz comments cite) is left out: it keeps both zones.
    ),
    ("CA", "NL"): (
        CityZones(
            names=(
                "St. John's",
                "Mount Pearl",
                "Corner Brook",
                "Conception Bay South",
                "Paradise",
                "Grand Falls-Windsor",
                "Gander",
            ),
            zones=("America/St_Johns",),
            source=f'{_ZONE1970}: "America/St_Johns: Newfoundland, Labrador (SE)"; all on '
            "the island of Newfoundland",
            confidence="high",
        ),
        CityZones(
            names=("Happy Valley-Goose Bay", "Goose Bay", "Labrador City", "Wabush"),
            zones=("America/Goose_Bay",),
            source=f'{_ZONE1970}: "America/Goose_Bay: Atlantic - Labrador (most areas)"; '
            "central and western Labrador, away from the south-east coast on Newfoundland time",
            confidence="high",
        ),
    ),
    ("CA", "NU"): (
        CityZones(
            names=("Iqaluit", "Pangnirtung", "Pond Inlet", "Kinngait", "Cape Dorset"),
            zones=("America/Iqaluit",),
            source=f'{_ZONE1970}: "America/Iqaluit: Eastern - NU (most areas)"; all on '
            "Baffin Island, which the tz comments (Matthews and Vincent 1998) say keeps Eastern",
            confidence="high",
        ),
        CityZones(
            names=("Rankin Inlet", "Arviat", "Baker Lake"),
            zones=("America/Rankin_Inlet",),
            source=f'{_ZONE1970}: "America/Rankin_Inlet: Central - NU (central)"',
            confidence="high",
        ),
        CityZones(
            names=("Cambridge Bay", "Kugluktuk"),
            zones=("America/Cambridge_Bay",),
            source=f'{_ZONE1970}: "America/Cambridge_Bay: Mountain - NU (west)"; both in '
            "the Kitikmeot region, and the tz comments record Nunavut's return to Mountain, "
            "Central and Eastern zones in 2001",
            confidence="high",
        ),
        CityZones(
            names=("Coral Harbour", "Salliq"),
            zones=("America/Iqaluit", "America/Rankin_Inlet"),
            source=f'{_ZONE1970}: "America/Panama: EST - ON (Atikokan), NU (Coral H)"; EST '
            "all year is Rankin Inlet's clock in summer and Iqaluit's in winter",
            confidence="high",
        ),
    ),
    ("AU", "NSW"): (
        CityZones(
            names=("Broken Hill", "Silverton"),
            zones=(_BROKEN_HILL,),
            source=f'{_ZONE1970}: "Australia/Broken_Hill: New South Wales (Yancowinna)"; '
            "Standard Time Act 1987 (NSW) (the County of Yancowinna keeps South Australian "
            "time); the tz comments: \"'Broken Hill' means the County of Yancowinna\"",
            confidence="high",
        ),
        CityZones(
            names=(
                "Sydney",
                "Newcastle",
                "Wollongong",
                "Gosford",
                "Maitland",
                "Wagga Wagga",
                "Albury",
                "Port Macquarie",
                "Tamworth",
                "Orange",
                "Dubbo",
                "Queanbeyan",
                "Bathurst",
                "Coffs Harbour",
                "Lismore",
                "Nowra",
                "Armidale",
                "Goulburn",
                "Griffith",
                "Tweed Heads",
                "Parramatta",
                "Penrith",
                "Liverpool",
                "Blacktown",
            ),
            zones=(_SYDNEY,),
            source=f'{_ZONE1970}: "Australia/Sydney: New South Wales (most areas)"; all far '
            "east of Yancowinna County and on the mainland (not Lord Howe Island)",
            confidence="high",
        ),
    ),
}

_LAW_49_CFR_71 = "49 CFR part 71 (standard time zone boundaries)"

ZIP_CORRECTIONS: dict[str, ZipCorrection] = {
    "79942": ZipCorrection(
        state="TX",
        city="El Paso",
        data_zone="America/Chicago",
        zones=("America/Denver",),
        source="the row's own coordinates (31.69°N 106.30°W) are in El Paso, which is on "
        f"Mountain time ({_LAW_49_CFR_71}); its county field (Crockett) is the error",
        confidence="high",
    ),
    "86003": ZipCorrection(
        state="AZ",
        city="Flagstaff",
        data_zone="America/Denver",
        zones=("America/Phoenix",),
        source="Flagstaff is outside the Navajo Nation and keeps Arizona's year-round MST "
        "(A.R.S. § 1-242); the other Flagstaff ZIP codes say America/Phoenix",
        confidence="high",
    ),
    "37405": ZipCorrection(
        state="TN",
        city="Chattanooga",
        data_zone="America/Chicago",
        zones=("America/New_York",),
        source=f"Hamilton County, TN is on Eastern time ({_LAW_49_CFR_71}); every other "
        "Chattanooga ZIP code says America/New_York",
        confidence="high",
    ),
    "83522": ZipCorrection(
        state="ID",
        city="Cottonwood",
        data_zone="America/Boise",
        zones=("America/Boise", "America/Los_Angeles"),
        source="Cottonwood is north of the Salmon River, the Pacific/Mountain line in Idaho "
        f"County ({_LAW_49_CFR_71}), and every ZIP code around it says Pacific; both kept",
        confidence="medium",
    ),
    "97908": ZipCorrection(
        state="OR",
        city="Ironside",
        data_zone="America/Boise",
        zones=("America/Boise", "America/Los_Angeles"),
        source="northern Malheur County near Baker County (Pacific); every ZIP code around it "
        "says Pacific and the line there is not certain, so both are kept",
        confidence="medium",
    ),
    "99634": ZipCorrection(
        state="AK",
        city="Napakiak",
        data_zone="Napakiak",
        zones=("America/Anchorage",),
        source="the data's zone field holds the town's name; Napakiak (Bethel Census Area) is "
        f"on Alaska time ({_LAW_49_CFR_71})",
        confidence="high",
    ),
}
