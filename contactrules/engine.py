"""The engine: stack the rulesets that bind this contact, judge it, and find when it would pass.

Combining verdicts, deliberately fail-closed (unlike Cedar, which skips a policy that errors):

- any rule that denies, denies (convention K6: the strictest rule wins; a state exemption never
  turns a federal deny into an allow);
- a rule that raises an exception denies, with a reason naming the rule and the error;
- an unknown zone, more candidate zones than the budget allows, or no ruleset for the
  consumer's location denies;
- no candidate time zone denies every rule that needs local time (``CONTACTRULES-NO-ZONE`` names
  them); every other rule is still judged and reported, so a cease or attorney reason shows and a
  letter (no hour rule, convention K5) can pass;
- ``severity: warn`` rules are reported but never deny;
- a rule that applied and passed may name what it relied on (``RuleBase.ground``): collected as
  the decision's ``grounds`` after the verdict, never read to decide, and skipped if it raises.

``evaluate`` is pure: no I/O and no clock reading; the same contact, history and rulesets give
the same decision, which carries the fingerprint of the rulesets and the library version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._version import __version__
from .context import ContactShape, Context
from .decision import Decision, Ground, Reason, TemplateUse, engine_reason
from .history import NOTE as INVALID_HISTORY_NOTE
from .history import invalid_history_reason
from .loading.loader import load_rulesets
from .localtime import END_OF_TIME, later_by
from .location.candidates import (
    K4_CITATION,
    JurisdictionKey,
    candidate_zones,
    consumer_jurisdictions,
)
from .models import Channel, CollectorType, Contact, ContactRecord
from .records import History, Record, as_history
from .rules import RuleBase, render_message
from .rules.ruleset import Ruleset
from .rules.time_window import UNSURE, TimeWindow, joint_next_ok, joint_search_possible
from .templates.registry import Registry, load_registry
from .templates.resolve import resolve_template

__all__ = ["Engine"]

HORIZON = dt.timedelta(days=400)
MAX_STEPS = 200
#: Most candidate zones one evaluation judges (a real consumer has one to four). Every rule is
#: judged in every zone, so the work grows with the count; beyond it the contact is denied.
MAX_ZONES = 12
#: Most rule ids a NO-ZONE reason spells out; the rest are counted.
MAX_LISTED = 10
ENGINE_CITATION = "contactrules fail-closed policy (see docs/decisions.md)"
NO_ZONE_NOTE = "no time can be computed until a time zone is known for the consumer"
#: Folders skipped when loading a tree unless named directly: example company policies, and
#: ``tests`` folders (test fixtures kept beside rulesets).
DEFAULT_SKIP_DIRS = ("examples", "tests")


@dataclass(frozen=True)
class _Bound:
    rule: RuleBase
    ruleset: Ruleset
    broken: str | None = None  # why deciding whether the rule applies raised (fail closed)


def bundled_rulesets_dir() -> Path:
    """Where the bundled rulesets are: inside an installed wheel, or the checkout's rulesets/."""
    packaged = Path(__file__).resolve().parent / "_rulesets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rulesets"


def _no_zone_reason(rule_ids: Sequence[str]) -> Reason:
    """One reason for every rule that needs local time when no zone can be derived."""
    shown = ", ".join(rule_ids[:MAX_LISTED])
    if len(rule_ids) > MAX_LISTED:
        shown += f" and {len(rule_ids) - MAX_LISTED} more"
    if rule_ids:
        what = f"the rule(s) that need it cannot be judged ({shown}), so the contact is denied"
    else:
        what = "the contact is denied"
    return engine_reason(
        "CONTACTRULES-NO-ZONE",
        "no time zone can be derived for the consumer (no address, phone zone or explicit zone); "
        f"local time cannot be known and {what}",
        f"12 CFR 1006.6(b)(1)(i); comment 6(b)(1)(i)-1; {K4_CITATION}",
        rules=list(rule_ids[:MAX_LISTED]),
        rules_count=len(rule_ids),
    )


def _too_many_zones_reason(zone_names: Sequence[str]) -> Reason:
    return engine_reason(
        "CONTACTRULES-TOO-MANY-ZONES",
        f"the consumer has {len(zone_names)} candidate time zones, more than the {MAX_ZONES} "
        "one evaluation judges; the contact is denied rather than judged in only some of them "
        "(remove zones that cannot apply, e.g. give the address's exact zone)",
        f"{ENGINE_CITATION}; {K4_CITATION}",
        count=len(zone_names),
        limit=MAX_ZONES,
        zones=list(zone_names[:MAX_LISTED]),
    )


class Engine:
    """Judges contacts against a fixed set of rulesets; cheap to call, built once."""

    def __init__(
        self,
        rulesets: Sequence[Ruleset],
        *,
        reference: bool = False,
        templates: Registry | None = None,
    ) -> None:
        #: The approved message templates a contact may name by id (``template.data``): the
        #: engine renders them and judges the message that will be sent. Without a registry, a
        #: contact that names one is denied (nothing to render).
        self.templates = templates
        #: The reference evaluator: every shortcut of the fast path off (each rule walks the
        #: history itself, every rule is re-judged at each candidate instant). Decisions must be
        #: identical either way; tests/test_differential.py holds the fast path to it.
        self.reference = reference
        self.rulesets: tuple[Ruleset, ...] = tuple(sorted(rulesets, key=_stack_order))
        digest = hashlib.sha256(f"contactrules {__version__}\n".encode())
        for rs in sorted(self.rulesets, key=lambda r: r.id):
            digest.update(f"{rs.id} {rs.digest()}\n".encode())
        if templates is not None:  # the approved texts decide too; no registry keeps old prints
            for loaded in sorted(templates.templates, key=lambda t: t.spec.key):
                digest.update(f"template {loaded.spec.label} {loaded.content_hash}\n".encode())
                digest.update(f"{loaded.spec.model_dump_json()}\n".encode())
        self.fingerprint = "sha256:" + digest.hexdigest()
        self._stacks: dict[tuple[frozenset[JurisdictionKey], CollectorType], _Stack] = {}

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_path(
        cls,
        *paths: Path | str,
        skip_dirs: tuple[str, ...] = DEFAULT_SKIP_DIRS,
        templates: Registry | Sequence[Path | str] | None = None,
    ) -> Engine:
        """Load every ruleset under the given files or folders (raises RulesetError).

        Folders named ``examples`` (example company policies) or ``tests`` below a given folder
        are skipped unless named directly, so ``Engine.from_path("rulesets")`` is the law that
        binds by default. ``templates``: a registry, or the files and folders of one.
        """
        return cls(load_rulesets(paths, skip_dirs=skip_dirs), templates=_registry(templates))

    @classmethod
    def default(cls, *, templates: Registry | Sequence[Path | str] | None = None) -> Engine:
        """The bundled rulesets (the law only; example company policies are left out), with
        the approved templates of ``templates`` if given (a registry, or its files and folders;
        the example registry in the checkout is approved by nobody, so none is loaded unasked).
        """
        root = bundled_rulesets_dir()
        return cls(
            load_rulesets([root], skip_dirs=DEFAULT_SKIP_DIRS, display=(root, "rulesets")),
            templates=_registry(templates),
        )

    def with_templates(self, templates: Registry | Sequence[Path | str] | None) -> Engine:
        """The same rulesets with another template registry (or none)."""
        return Engine(self.rulesets, reference=self.reference, templates=_registry(templates))

    # --- selection ------------------------------------------------------------------------
    def _stack(self, contact: Contact) -> _Stack:
        key = (consumer_jurisdictions(contact), contact.collector_type)
        stack = self._stacks.get(key)
        if stack is None:
            chosen = tuple(
                rs
                for rs in self.rulesets
                if contact.collector_type in rs.spec.binds
                and any(rs.spec.jurisdiction.matches(*j) for j in key[0])
            )
            stack = _Stack(chosen)
            self._stacks[key] = stack
        return stack

    # --- evaluation -----------------------------------------------------------------------
    def evaluate(
        self, contact: Contact, history: Sequence[ContactRecord | Record] | History = ()
    ) -> Decision:
        """Decide whether ``contact`` may be made at ``contact.at`` given ``history``.

        ``history`` is validated records (``ContactRecord``) or, cheaper when the same history
        is asked about again and again, a :class:`~contactrules.records.History` built once
        (``History(records)`` or ``History.from_rows(rows)`` from plain mappings).
        """
        stack = self._stack(contact)
        invalid = invalid_history_reason(contact.consumer, history)
        if invalid is not None:  # a record about a debt the consumer lacks: fail closed
            return self._decision(contact, stack, (), [invalid], [], None, INVALID_HISTORY_NOTE)
        zones, zone_problems = candidate_zones(contact)
        zone_names = tuple(name for name, _ in zones)
        if len(zones) > MAX_ZONES:
            zone_problems = [*zone_problems, _too_many_zones_reason(zone_names)]
        if zone_problems or not stack.rulesets:
            reasons = list(zone_problems)
            if not zones and not reasons:
                # Nothing locates the consumer: what to fix first, whatever else is missing.
                reasons.append(_no_zone_reason(()))
            elif not reasons:
                reasons.append(
                    engine_reason(
                        "CONTACTRULES-NO-RULESET",
                        "no bundled or loaded ruleset covers the consumer's location "
                        f"{sorted(map(_label, consumer_jurisdictions(contact)))} for a "
                        f"{contact.collector_type.value}; the contact is denied rather than "
                        "allowed without rules",
                        ENGINE_CITATION,
                    )
                )
            return self._decision(
                contact,
                stack,
                zone_names,
                reasons,
                [],
                None,
                "no time can be computed until the problem is fixed",
            )
        resolution = resolve_template(contact, self.templates, zones)
        if resolution.problem is not None:
            return self._decision(
                contact,
                stack,
                zone_names,
                [resolution.problem],
                [],
                None,
                "no time can be computed until the message can be resolved",
            )
        contact, used = resolution.contact, resolution.use
        ctx = Context.build(
            contact, as_history(history), zones, fast=not self.reference, templates=self.templates
        )
        bound = stack.for_shape(ctx.shape)
        ctx.share_disclosure_rules(stack.disclosure_rules(ctx.shape))
        reasons, warnings, failing, unjudged, grounds = _judge(ctx, bound)
        if unjudged:
            reasons.insert(0, _no_zone_reason(unjudged))
        broken = next((r for r in reasons if r.severity == "error"), None)
        next_at: dt.datetime | None
        if not reasons:
            next_at, note = contact.at, None
        elif not zones and any(item.rule.needs_local_time for item in bound):
            # The search would ask rules that need local time about later instants.
            next_at, note = None, NO_ZONE_NOTE
        elif broken is not None:
            # A rule that cannot decide now cannot promise a later time either (fail closed).
            next_at, note = None, f"rule {broken.rule_id} could not be evaluated"
        else:
            next_at, note = _next_allowed(ctx, bound, failing)
            if next_at is not None:
                next_at = next_at.astimezone(contact.at.tzinfo)
        return self._decision(
            contact, stack, zone_names, reasons, warnings, next_at, note, grounds, used
        )

    def evaluate_many(
        self,
        items: Iterable[Contact | tuple[Contact, Sequence[ContactRecord | Record] | History]],
    ) -> list[Decision]:
        """Judge many contacts; each item is a contact or a (contact, history) pair."""
        out = []
        for item in items:
            if isinstance(item, tuple):
                out.append(self.evaluate(item[0], item[1]))
            else:
                out.append(self.evaluate(item))
        return out

    def _decision(
        self,
        contact: Contact,
        stack: _Stack,
        zones: tuple[str, ...],
        reasons: list[Reason],
        warnings: list[Reason],
        next_at: dt.datetime | None,
        note: str | None,
        grounds: Sequence[Ground] = (),
        template: TemplateUse | None = None,
    ) -> Decision:
        binding = next((r.zone for r in reasons if r.zone), None)
        return Decision(
            allowed=not reasons,
            at=contact.at,
            reasons=tuple(reasons),
            warnings=tuple(warnings),
            next_allowed_at=next_at,
            next_allowed_note=note,
            zones=zones,
            binding_zone=binding,
            rulesets=tuple(rs.id for rs in stack.rulesets),
            fingerprint=self.fingerprint,
            version=__version__,
            grounds=tuple(grounds),
            template=template,
        )

    def trace(
        self, contact: Contact, history: Sequence[ContactRecord | Record] | History = ()
    ) -> list[tuple[str, str]]:
        """Each rule of the stack with ``applied-pass``, ``deny``, ``not-applicable`` or
        ``error``: what ``contactrules test --coverage`` needs to see which sides are tested."""
        stack = self._stack(contact)
        zones, problems = candidate_zones(contact)
        if problems or len(zones) > MAX_ZONES:
            return []
        resolution = resolve_template(contact, self.templates, zones)
        if resolution.problem is not None:
            return []
        ctx = Context.build(
            resolution.contact, history, zones, fast=not self.reference, templates=self.templates
        )
        out: list[tuple[str, str]] = []
        ctx.share_disclosure_rules(stack.disclosure_rules(ctx.shape))
        for item in stack.by_channel.get(contact.channel, ()):
            try:
                if not item.rule.applies(ctx):
                    out.append((item.rule.id, "not-applicable"))
                    continue
                if not zones and item.rule.needs_local_time_for(ctx):
                    verdict = "deny"  # cannot be judged without local time (NO-ZONE)
                else:
                    verdict = "deny" if item.rule.check(ctx) is not None else "applied-pass"
            except Exception:
                verdict = "error"
            out.append((item.rule.id, verdict))
        return out

    def as_reference(self) -> Engine:
        """The same rulesets judged by the reference evaluator (no shortcuts): for tests."""
        return Engine(self.rulesets, reference=True, templates=self.templates)

    def subset(self, ruleset_ids: Iterable[str]) -> Engine:
        """An engine over some of this engine's rulesets (unknown ids raise KeyError)."""
        wanted = list(ruleset_ids)
        by_id = {rs.id: rs for rs in self.rulesets}
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise KeyError(f"unknown ruleset id(s) {missing}; loaded: {sorted(by_id)}")
        return Engine(
            [by_id[i] for i in wanted], reference=self.reference, templates=self.templates
        )

    def rule(self, rule_id: str) -> tuple[RuleBase, Ruleset] | None:
        """Find a loaded rule by id (for ``explain`` and tests)."""
        for rs in self.rulesets:
            for rule in rs.spec.rules:
                if rule.id == rule_id:
                    return rule, rs
        return None


class _Stack:
    """The rulesets binding one kind of consumer, with their rules indexed by channel."""

    def __init__(self, rulesets: tuple[Ruleset, ...]) -> None:
        self.rulesets = rulesets
        index: dict[Channel, list[_Bound]] = {}
        for rs in rulesets:
            for rule in rs.spec.rules:
                for channel in rule.channels:
                    index.setdefault(channel, []).append(_Bound(rule, rs))
        self.by_channel: dict[Channel, tuple[_Bound, ...]] = {
            ch: tuple(items) for ch, items in index.items()
        }
        self._by_shape: dict[ContactShape, tuple[_Bound, ...]] = {}
        self._disclosures: dict[ContactShape, tuple[RuleBase, ...]] = {}

    def for_shape(self, shape: ContactShape) -> tuple[_Bound, ...]:
        """The rules that can apply to contacts of this shape (a small cache: few shapes)."""
        found = self._by_shape.get(shape)
        if found is None:
            chosen: list[_Bound] = []
            for item in self.by_channel.get(shape.channel, ()):
                try:
                    if item.rule.static_applies(shape):
                        chosen.append(item)
                except Exception as exc:  # fail closed: judged as an error by _judge
                    chosen.append(_Bound(item.rule, item.ruleset, f"{type(exc).__name__}: {exc}"))
            found = tuple(chosen)
            self._by_shape[shape] = found
        return found

    def disclosure_rules(self, shape: ContactShape) -> tuple[RuleBase, ...]:
        """The rules of :meth:`for_shape` that require library disclosures (whose words no
        forbidden list reads), cached per shape like it."""
        found = self._disclosures.get(shape)
        if found is None:
            found = tuple(
                item.rule
                for item in self.for_shape(shape)
                if getattr(item.rule, "requires_disclosures", False)
            )
            self._disclosures[shape] = found
        return found


def _registry(templates: Registry | Sequence[Path | str] | None) -> Registry | None:
    if templates is None or isinstance(templates, Registry):
        return templates
    return load_registry(templates)


def _stack_order(rs: Ruleset) -> tuple[int, str]:
    j = rs.spec.jurisdiction
    return (int(j.subdivision is not None) + int(j.city is not None), rs.id)


def _label(key: JurisdictionKey) -> str:
    return "-".join(p for p in key if p)


def _reason(
    bound: _Bound, ctx: Context, finding_message: str, facts: dict[str, object], zone: str | None
) -> Reason:
    rule = bound.rule
    message = finding_message
    if rule.message:
        values = {
            **facts,
            "rule_id": rule.id,
            "channel": ctx.channel.value,
            "citation": rule.citation,
        }
        message = " ".join(render_message(rule.message, values).split())
    location = bound.ruleset.rule_locations.get(rule.id)
    return Reason(
        rule_id=rule.id,
        kind=rule.KIND,
        citation=rule.citation,
        message=message,
        severity=rule.severity,
        ruleset=bound.ruleset.id,
        source=str(location) if location else bound.ruleset.path,
        zone=zone,
        facts={**facts, "detail": finding_message} if rule.message else dict(facts),
    )


def _ground(bound: _Bound, ctx: Context) -> Ground | None:
    """What a rule that applied and passed relied on, or None.

    Asked after the verdict and never read to decide; a hook that raises gives no ground rather
    than a deny, since the rule itself already passed.
    """
    rule = bound.rule
    try:
        found = rule.ground(ctx)
    except Exception:
        return None
    if found is None:
        return None
    location = bound.ruleset.rule_locations.get(rule.id)
    return Ground(
        rule_id=rule.id,
        kind=rule.KIND,
        citation=rule.citation,
        message=found.message,
        ruleset=bound.ruleset.id,
        source=str(location) if location else bound.ruleset.path,
        zone=found.zone,
        facts=dict(found.facts),
    )


def _judge(
    ctx: Context, bound: Sequence[_Bound]
) -> tuple[list[Reason], list[Reason], list[_Bound], list[str], list[Ground]]:
    """Reasons (denies and errors), warnings, the rules that fail, the ids of the applicable
    rules that could not be judged because they need local time and no zone is known, and the
    grounds of the rules that applied and passed (stack order)."""
    reasons: list[Reason] = []
    warnings: list[Reason] = []
    failing: list[_Bound] = []
    unjudged: list[str] = []
    grounds: list[Ground] = []
    for item in bound:
        rule = item.rule
        try:
            if item.broken is not None:
                raise RuntimeError(item.broken)
            if not rule.dynamic_applies(ctx):
                continue
            if not ctx.zones and rule.needs_local_time_for(ctx):
                if rule.severity == "deny":
                    unjudged.append(rule.id)
                continue
            finding = rule.check(ctx)
        except Exception as exc:  # fail closed: a rule that cannot decide denies
            reasons.append(
                Reason(
                    rule_id=rule.id,
                    kind=rule.KIND,
                    citation=rule.citation,
                    message=f"the rule could not be evaluated ({type(exc).__name__}: {exc}); "
                    "the contact is denied rather than allowed by accident",
                    severity="error",
                    ruleset=item.ruleset.id,
                    source=str(item.ruleset.rule_locations.get(rule.id, item.ruleset.path)),
                )
            )
            failing.append(item)
            continue
        if finding is None:
            ground = _ground(item, ctx)
            if ground is not None:
                grounds.append(ground)
            continue
        reason = _reason(item, ctx, finding.message, finding.facts, finding.zone)
        if rule.severity == "warn":
            warnings.append(reason)
        else:
            reasons.append(reason)
            failing.append(item)
    return reasons, warnings, failing, unjudged, grounds


#: A candidate instant and its local dates stay this far from the end of the calendar before
#: the search trusts that rules read from undated facts judge the same at every candidate
#: (past it, merely computing a local date can fail, and the reference reports that failure).
_CALENDAR_MARGIN = dt.timedelta(days=3)

#: A deny rule the search judges at each candidate instant, and whether its applicability must
#: be asked each time (False: it applies at every candidate, so only whether it passes counts).
_Rejudged = tuple[_Bound, bool]


def _rejudged(
    ctx: Context, deny_rules: Sequence[_Bound], failing: Sequence[_Bound], limit: dt.datetime
) -> list[_Rejudged]:
    """The deny rules to judge at each candidate instant (stack order), fewer in the fast path.

    The reference judges every deny rule at every candidate. The fast path leaves out a rule
    that passed (or did not apply) at the proposed instant and whose verdict cannot change with
    the instant (``RuleBase.instant_independent``): the reference would find it passing at every
    candidate, so the failing set, the jump and the answer are the same. A rule whose
    applicability is settled (``RuleBase.applicability_settled``) is asked it once: left out if
    it does not apply, else judged without asking again. Any doubt (a declaration that raises,
    no zone, an instant near the end of the calendar) keeps the rule judged in full.
    """
    everything = [(item, True) for item in deny_rules]
    if not ctx.fast or not ctx.zones or limit > END_OF_TIME - _CALENDAR_MARGIN:
        return everything
    failed = {id(item) for item in failing}
    out: list[_Rejudged] = []
    for item in deny_rules:
        rule = item.rule
        if item.broken is not None:
            out.append((item, True))
            continue
        try:
            if id(item) not in failed and rule.instant_independent(ctx):
                continue
            if rule.applicability_settled(ctx):
                if rule.dynamic_applies(ctx):
                    out.append((item, False))
                continue  # does not apply now, nor at any later instant
        except Exception:
            pass
        out.append((item, True))
    return out


def _next_allowed(
    ctx: Context, bound: Sequence[_Bound], failing: list[_Bound]
) -> tuple[dt.datetime | None, str | None]:
    """The fixed point of the failing rules' own earliest-pass times (DESIGN.md).

    Start at the proposed instant; jump to the latest ``next_ok`` of the rules that fail there;
    repeat until every rule passes at once, a rule says "never", or the horizon is passed.
    """
    deny_rules = [b for b in bound if b.rule.severity == "deny"]
    limit = later_by(ctx.at, HORIZON)  # near year 9999: the end of representable time
    rejudged = _rejudged(ctx, deny_rules, failing, limit)
    current = ctx
    for _ in range(MAX_STEPS):
        jumps: list[dt.datetime] = []
        joint = _window_jump(current, rejudged, failing)
        if joint is not None:
            if joint[1] is None:
                return None, f"no later time helps while rule {joint[0]} holds"
            jumps.append(joint[1])
        # Every failing rule is asked its own next_ok, even a window rule the joint search just
        # answered for: a rule that cannot compute a later time must never be promised one.
        for item in failing:
            try:
                nxt = item.rule.next_ok(current)
            except Exception:
                return None, f"rule {item.rule.id} could not compute a later time"
            if nxt is None:
                return None, f"no later time helps while rule {item.rule.id} holds"
            jumps.append(nxt)
        if not jumps:
            return None, "the earliest allowed time could not be determined"
        target = max(jumps)
        if target >= END_OF_TIME:
            return None, "no later time can be represented (the calendar ends with year 9999)"
        if target <= current.at:
            return None, "the earliest allowed time could not be determined"
        if target > limit:
            return None, f"nothing opens within {HORIZON.days} days"
        current = ctx.at_time(target)
        failing = []
        for item, ask in rejudged:
            try:
                if item.broken is not None or (
                    (not ask or item.rule.dynamic_applies(current))
                    and not item.rule.passes(current)
                ):
                    failing.append(item)
            except Exception:
                return None, f"rule {item.rule.id} could not be evaluated at {target.isoformat()}"
        if not failing:
            return target, None
    return None, "the earliest allowed time could not be determined"


def _window_jump(
    current: Context, rejudged: Sequence[_Rejudged], failing: list[_Bound]
) -> tuple[str, dt.datetime | None] | None:
    """One jump for all the hour rules at once, beside each failing rule's own ``next_ok``.

    Asked one at a time, two window rules whose hours rarely meet make the search step through
    every window of one that the other refuses (up to ``MAX_STEPS`` times); asked together, the
    first instant open in every rule and zone is one search. No rule can pass before that
    instant, so it never skips an allowed time. The jump is ``(rule id, instant)``, the instant
    None when no later time helps; None when the joint search does not apply.
    """
    windows = [item for item in failing if isinstance(item.rule, TimeWindow)]
    if not windows:
        return None
    together: list[TimeWindow] = []
    for item, ask in rejudged:
        if isinstance(item.rule, TimeWindow) and item.broken is None:
            try:
                if not ask or item.rule.dynamic_applies(current):
                    together.append(item.rule)
            except Exception:
                return None  # the rule is re-judged, and fails closed, on its own
    try:
        if not joint_search_possible(together, current):
            return None
        found = joint_next_ok(together, current)
    except Exception:
        return None  # each rule's own next_ok still answers (or fails closed)
    return None if found is UNSURE else (windows[0].rule.id, found)
