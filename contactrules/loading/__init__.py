"""Ruleset files → validated rulesets or located problems: bounded file reading, YAML with
locations, pydantic errors translated, and the lint that spans files. The modules are imported
by name; this package imports nothing."""
