"""Alert rules and their configuration file (TOML, or YAML with the ``yaml`` extra: PyYAML).

A rule selects alert candidates (:mod:`.events`) and names the sinks they go to::

    [alerts]
    sender = "alerts@example.org"        # CAP <sender>

    [activity]                           # computed activity level (threat.ActivityConfig)
    window_days = 180

    [sinks.ops]
    type = "webhook"
    url = "https://ops.example.org/hook"
    secret_env = "OPS_HOOK_SECRET"

    [[rules]]
    name = "deaths-in-kazakhstan"
    type = "killed_at_least"             # see RULE_TYPES
    killed = 5
    region = "Kazakhstan"                # a place, first-level region, country or region key
    sinks = ["ops"]

Rule types: ``new_incident``; ``killed_at_least`` (``killed = N``: the incident's toll first
reaches N, at its first report or a revision); ``attack_type`` (``attack_types = [...]``: the
incident is, or becomes, of one of these types); ``group_named`` (``groups = [...]``,
case-insensitive substrings: a matching perpetrator is named); ``level_change`` (``source =
"official" | "computed" | "any"``, ``min_rank`` 0-4 on the common scale of
:mod:`incidentwire.threat`); ``toll_revised`` (the killed count is revised upward). Every rule
takes ``region`` and ``sinks``. Without a file, :data:`DEFAULT_RULES` apply: new incidents, toll
revisions and official level changes, to no sink (the CLI writes them; ``watch`` records them).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AlertError
from ..threat import ActivityConfig, region_matches
from .events import Alert

RULE_TYPES = ("new_incident", "killed_at_least", "attack_type", "group_named", "level_change",
              "toll_revised")
_INCIDENT_KINDS = ("new_incident", "toll_revised", "attack_type", "group_named")


@dataclass
class Rule:
    name: str
    type: str
    sinks: list[str] = field(default_factory=list)
    region: str | None = None
    killed: int | None = None
    attack_types: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    source: str = "official"
    min_rank: int = 0

    def __post_init__(self) -> None:
        if self.type not in RULE_TYPES:
            raise AlertError(f"rule {self.name!r}: unknown type {self.type!r}; use one of {', '.join(RULE_TYPES)}")
        if self.type == "killed_at_least" and not isinstance(self.killed, int):
            raise AlertError(f"rule {self.name!r}: killed_at_least needs an integer 'killed'")
        if self.type == "attack_type" and not self.attack_types:
            raise AlertError(f"rule {self.name!r}: attack_type needs a list 'attack_types'")
        if self.type == "group_named" and not self.groups:
            raise AlertError(f"rule {self.name!r}: group_named needs a list 'groups'")
        if self.source not in ("official", "computed", "any"):
            raise AlertError(f"rule {self.name!r}: source must be official, computed or any")

    def matches(self, alert: Alert) -> bool:
        if self.region and not region_matches(alert.region or {}, self.region):
            return False
        f = alert.fields
        killed = (f.get("killed") or {}).get("best")
        if self.type == "new_incident":
            return alert.kind == "new_incident"
        if self.type == "toll_revised":
            return alert.kind == "toll_revised"
        if self.type == "killed_at_least":
            before = alert.previous if alert.kind == "toll_revised" else None
            return (alert.kind in ("new_incident", "toll_revised") and killed is not None
                    and killed >= self.killed and (before is None or before < self.killed))
        if self.type == "attack_type":
            return alert.kind in ("new_incident", "attack_type") and f.get("attack_type") in self.attack_types
        if self.type == "group_named":
            new = f.get("perpetrators") or []
            if alert.kind == "group_named":
                new = [g for g in new if g.lower() not in {p.lower() for p in alert.previous or []}]
            elif alert.kind != "new_incident":
                return False
            return any(w.lower() in g.lower() for g in new for w in self.groups)
        # level_change
        if alert.kind != "level_change":
            return False
        if self.source != "any" and f.get("source_kind") != self.source:
            return False
        return (f.get("rank") or 0) >= self.min_rank or f.get("action") == "lifted"


DEFAULT_RULES = [Rule("new-incident", "new_incident"), Rule("toll-revised", "toll_revised"),
                 Rule("official-level", "level_change")]


@dataclass
class AlertConfig:
    """Everything an alerts configuration file says."""

    rules: list[Rule] = field(default_factory=lambda: list(DEFAULT_RULES))
    sinks: dict[str, dict] = field(default_factory=dict)      # name -> sink settings (with "type")
    activity: ActivityConfig = field(default_factory=ActivityConfig)
    sender: str = "incidentwire@localhost"
    path: str | None = None

    @property
    def wants_computed_levels(self) -> bool:
        return any(r.type == "level_change" and r.source in ("computed", "any") for r in self.rules)

    def route(self, candidates: list[Alert]) -> list[Alert]:
        """The candidates some rule selects, each with the rules that fired and their sinks."""
        out = []
        for alert in candidates:
            fired = [r for r in self.rules if r.matches(alert)]
            if fired:
                alert.rules = [r.name for r in fired]
                alert.sinks = sorted({s for r in fired for s in r.sinks})
                out.append(alert)
        return out


def _read(path: Path) -> dict:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise AlertError(f"cannot read alert rules {path}: {e.strerror or e}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise AlertError(f"{path}: YAML rules need PyYAML installed (pip install pyyaml), "
                             "or write the rules as TOML") from None
        try:
            return yaml.safe_load(raw) or {}
        except yaml.YAMLError as e:
            raise AlertError(f"{path}: not valid YAML: {e}") from None
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise AlertError(f"{path}: not valid TOML: {e}") from None


def load_config(path: str | Path | None = None) -> AlertConfig:
    """Read an alerts configuration file; None gives the default rules and no sinks."""
    if path is None:
        return AlertConfig()
    path = Path(path)
    data = _read(path)
    unknown = set(data) - {"alerts", "activity", "sinks", "rules"}
    if unknown:
        raise AlertError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                         "expected alerts, activity, sinks, rules")
    sinks = data.get("sinks") or {}
    for name, settings in sinks.items():
        if not isinstance(settings, dict) or "type" not in settings:
            raise AlertError(f"{path}: sink {name!r} needs a 'type'")
    rules = [] if "rules" in data else list(DEFAULT_RULES)
    for n, r in enumerate(data.get("rules") or [], 1):
        r = dict(r)
        r.setdefault("name", f"rule-{n}")
        bad = set(r) - set(Rule.__dataclass_fields__)
        if bad:
            raise AlertError(f"{path}: rule {r['name']!r} has unknown key(s) {', '.join(sorted(bad))}")
        if "type" not in r:
            raise AlertError(f"{path}: rule {r['name']!r} needs a 'type'")
        rule = Rule(**r)
        missing = [s for s in rule.sinks if s not in sinks]
        if missing:
            raise AlertError(f"{path}: rule {rule.name!r} names sink(s) not defined under [sinks]: "
                             f"{', '.join(missing)}")
        rules.append(rule)
    try:
        activity = ActivityConfig.from_dict(data.get("activity"))
    except (TypeError, ValueError) as e:
        raise AlertError(f"{path}: [activity]: {e}") from None
    sender = (data.get("alerts") or {}).get("sender") or AlertConfig.sender
    return AlertConfig(rules=rules, sinks=sinks, activity=activity, sender=sender, path=str(path))
