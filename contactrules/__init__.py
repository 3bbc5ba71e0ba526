"""contactrules: may a debt collector contact this consumer now, and if not, why and when?

The public surface is re-exported here; everything else is an implementation detail.
"""

from ._version import __version__
from .decision import Decision, Ground, Reason, TemplateUse
from .diagnostics import Diagnostic, Location, RulesetError, format_diagnostics
from .disclosures.substance import DisclosureFormError
from .engine import Engine
from .errors import ContactrulesError, InputError
from .holiday_calendar import UnknownCalendarError
from .loading.loader import lint_paths, load_ruleset, load_rulesets
from .location.zones import UnknownZoneError
from .models import (
    Address,
    Bankruptcy,
    Channel,
    CollectorType,
    Consent,
    ConsentScope,
    ConsentSource,
    Consumer,
    ConsumerFlags,
    Contact,
    ContactRecord,
    Debt,
    DialMethod,
    EmailAddress,
    EmailAddressSource,
    InconvenientTime,
    Initiator,
    Moratorium,
    MoratoriumKind,
    OptOut,
    Outcome,
    Phone,
    PhoneType,
    Place,
    Purpose,
    Recipient,
    StayEndReason,
    Template,
)
from .records import History, Record
from .rules.ruleset import Ruleset, RulesetSpec
from .screening import Account, ScreenResult, screen, screen_parallel

__all__ = [
    "Account",
    "Address",
    "Bankruptcy",
    "Channel",
    "CollectorType",
    "Consent",
    "ConsentScope",
    "ConsentSource",
    "Consumer",
    "ConsumerFlags",
    "Contact",
    "ContactRecord",
    "ContactrulesError",
    "Debt",
    "Decision",
    "Diagnostic",
    "DialMethod",
    "DisclosureFormError",
    "EmailAddress",
    "EmailAddressSource",
    "Engine",
    "Ground",
    "History",
    "InconvenientTime",
    "Initiator",
    "InputError",
    "Location",
    "Moratorium",
    "MoratoriumKind",
    "OptOut",
    "Outcome",
    "Phone",
    "PhoneType",
    "Place",
    "Purpose",
    "Reason",
    "Recipient",
    "Record",
    "Ruleset",
    "RulesetError",
    "RulesetSpec",
    "ScreenResult",
    "StayEndReason",
    "Template",
    "TemplateUse",
    "UnknownCalendarError",
    "UnknownZoneError",
    "__version__",
    "format_diagnostics",
    "lint_paths",
    "load_ruleset",
    "load_rulesets",
    "screen",
    "screen_parallel",
]
