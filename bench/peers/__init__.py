"""Implementations of the benchmark workload (bench/workload) other than contactrules.

- :mod:`peers.plain`: the plain-data floor, the checks by hand over a dialer's rows (epoch
  seconds, text codes, zone names), with the next allowed instant; ``decide(call, rows)``
  returns ``(allowed, rule_ids, next_at)``;
- :mod:`peers.handwritten`: the object floor, the same checks by hand over the contactrules
  objects;
- :mod:`peers.zen`: GoRules zen-engine (a JDM decision table) with Python glue;
- :mod:`peers.cedar`: Cedar (cedarpy) forbid policies with Python glue.

Each exposes ``build()`` returning an object with ``decide(contact, history) -> (allowed,
rule_ids)`` (the plain floor: ``decide(call, rows)``, see above); the ids are those of
bench/workload/us-federal-calls.yaml.
"""
