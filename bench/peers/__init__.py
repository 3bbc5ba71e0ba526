"""Implementations of the benchmark workload (bench/workload) other than contactrules.

- :mod:`peers.handwritten`: the floor, plain Python written for exactly these checks;
- :mod:`peers.zen`: GoRules zen-engine (a JDM decision table) with Python glue;
- :mod:`peers.cedar`: Cedar (cedarpy) forbid policies with Python glue.

Each exposes ``build()`` returning an object with ``decide(contact, history) -> (allowed,
rule_ids)``; the ids are those of bench/workload/us-federal-calls.yaml.
"""
