"""Where the consumer may be: every candidate time zone (convention K4) and every jurisdiction.

Zones come from explicit zones, addresses (postal code, then city within the state, never beyond
it) and phone numbers; a zone the tz database does not know is an engine reason (fail closed).
Jurisdictions are the addresses' places, or the countries of the phone numbers when no address
is given; they choose the rulesets that bind the contact.
"""

from __future__ import annotations

from functools import lru_cache

from ..decision import Reason, engine_reason
from ..localtime import ZoneRef
from ..models import Channel, Consumer, Contact
from .zones import (
    UnknownZoneError,
    resolve_zone,
    zones_for_city,
    zones_for_phone,
    zones_for_postal_code,
    zones_for_subdivision,
)

__all__ = ["K4_CITATION", "JurisdictionKey", "candidate_zones", "consumer_jurisdictions"]

K4_CITATION = "contactrules convention K4 (docs/conventions.md)"

#: (country, subdivision, city) of a place the consumer may be.
JurisdictionKey = tuple[str, str | None, str | None]

_phone_zones = lru_cache(maxsize=65536)(zones_for_phone)
_subdivision_zones = lru_cache(maxsize=4096)(zones_for_subdivision)


_Zones = tuple[tuple[ZoneRef, ...], list[Reason]]


class _ZonesByConsumer:
    """The candidate zones of recently judged consumers, bounded, oldest dropped first.

    Consumers are frozen but not hashable (they hold lists), so an entry is keyed by the
    consumer's ``id`` and the number called, and keeps the consumer itself: while the entry
    lives the id cannot be reused, and a hit is confirmed by identity.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[tuple[int, str | None], tuple[Consumer, _Zones]] = {}

    def get(self, consumer: Consumer, target: str | None) -> _Zones | None:
        hit = self._entries.get((id(consumer), target))
        return hit[1] if hit is not None and hit[0] is consumer else None

    def put(self, consumer: Consumer, target: str | None, zones: _Zones) -> None:
        if len(self._entries) >= self._size:
            del self._entries[next(iter(self._entries))]
        self._entries[(id(consumer), target)] = (consumer, zones)


_ZONE_CACHE = _ZonesByConsumer(4096)


def candidate_zones(contact: Contact) -> _Zones:
    """Every zone the consumer may be in (convention K4), and reasons for any unusable zone.

    Cached per consumer object (inputs are frozen): a dialer or a batch screen judges the same
    consumer many times.
    """
    target = contact.to if contact.channel in _PHONE_CHANNELS else None
    hit = _ZONE_CACHE.get(contact.consumer, target)
    if hit is not None:
        return hit
    result = _candidate_zones(contact)
    _ZONE_CACHE.put(contact.consumer, target, result)
    return result


_PHONE_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})


def _candidate_zones(contact: Contact) -> _Zones:
    names: set[str] = set()
    problems: list[Reason] = []
    consumer = contact.consumer
    names.update(consumer.zones)
    for address in consumer.addresses:
        if address.zone:
            names.add(address.zone)
            continue
        by_code: tuple[str, ...] = ()
        code_state = None
        if address.postal_code:
            by_code, code_state = zones_for_postal_code(address.country, address.postal_code)
        names.update(by_code)
        subdivision = (address.subdivision or "").upper() or None
        # The postal code narrows the state's zones only when the two agree; otherwise both
        # are location information and every zone they name is a candidate (convention K4).
        # Without a zone from the postal code the city narrows the state's zones, never beyond
        # them.
        if not by_code:
            names.update(zones_for_city(address.country, address.subdivision, address.city))
        elif subdivision is not None and code_state != subdivision:
            names.update(_subdivision_zones(address.country, address.subdivision))
    numbers = {p.number: p.zone for p in consumer.phones}
    if contact.to and contact.channel in _PHONE_CHANNELS:
        numbers.setdefault(contact.to, None)
    for number, zone in numbers.items():
        if zone:
            names.add(zone)
        else:
            names.update(_phone_zones(number))
    zones: list[ZoneRef] = []
    for name in sorted(names):
        try:
            zones.append((name, resolve_zone(name)))
        except UnknownZoneError as exc:
            problems.append(
                engine_reason(
                    "CONTACTRULES-UNKNOWN-ZONE",
                    f"{exc}; local time cannot be known, so the contact is denied",
                    f"12 CFR 1006.6(b)(1)(i); {K4_CITATION}",
                    zone=name,
                )
            )
    return tuple(zones), problems


def consumer_jurisdictions(contact: Contact) -> frozenset[JurisdictionKey]:
    """Where the consumer may be: every address, else the countries of their phone numbers."""
    found = {
        (a.country, a.subdivision.upper() if a.subdivision else None, a.city)
        for a in contact.consumer.addresses
    }
    if not found:
        import phonenumbers

        for phone in contact.consumer.phones:
            try:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(phone.number))
            except phonenumbers.NumberParseException:
                continue
            if region and region != "ZZ":
                found.add((region, None, None))
    return frozenset(found)
