"""Validation of the pipeline's configuration against `workflows/config/schema.yaml`.

Every key is typed and bounded; an unknown key, a value out of range, a wrong type or an empty grid is rejected
before any job runs, with an error that names the key and what was allowed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflows" / "config" / "schema.yaml"


class ConfigError(ValueError):
    """A configuration that the schema rejects."""


def _key_path(error: jsonschema.ValidationError) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".") or "<top level>"


def _allowed(error: jsonschema.ValidationError) -> str:
    """The part of the schema that was violated, said plainly."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        return f"allowed keys: {sorted(schema.get('properties', {}))}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "type"):
        keys = ("type", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
        return "allowed: " + ", ".join(f"{k} {schema[k]}" for k in keys if k in schema)
    if error.validator == "enum":
        return f"allowed: one of {schema['enum']}"
    if error.validator in ("minItems", "maxItems"):
        return f"allowed: {error.validator} {error.validator_value}"
    return f"rule: {error.validator} {error.validator_value!r}"


def load_schema(path: str | os.PathLike = SCHEMA_PATH) -> dict[str, Any]:
    """The JSON schema of the configuration, read from YAML."""
    return yaml.safe_load(Path(path).read_text())


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> None:
    """Raise ConfigError listing every violation as `key: problem (allowed ...)`, or return None."""
    schema = load_schema() if schema is None else schema
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: list(map(str, e.absolute_path)))
    lines = [f"  {_key_path(e)}: {e.message} ({_allowed(e)})" for e in errors]
    if not errors:
        lines = [f"  {path}: {problem}" for path, problem in _relations(config)]
    if lines:
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))


def _relations(section: Mapping[str, Any], path: str = "") -> list[tuple[str, str]]:
    """What a schema cannot say: relations between keys of one section, checked everywhere in the config."""
    problems = []
    for every in ("record_every", "eval_every"):
        if every in section and "steps" in section and section["steps"] % section[every]:
            problems.append((f"{path}steps", f"{section['steps']} is not a multiple of {every} = {section[every]}"))
    if "sgd_steps" in section and "records" in section and section["sgd_steps"] % section["records"]:
        message = f"{section['sgd_steps']} is not a multiple of records = {section['records']}"
        problems.append((f"{path}sgd_steps", message))
    if "kernel_draws" in section and section["kernel_draws"] < section.get("initializations", 0):
        problems.append((f"{path}kernel_draws", "must be at least initializations (the trained nets are draws too)"))
    if "log2_lr_min" in section and section["log2_lr_min"] > section.get("log2_lr_max", math.inf):
        problems.append((f"{path}log2_lr_min", f"{section['log2_lr_min']} is above log2_lr_max"))
    if "loss_window" in section and section["loss_window"] > section.get("steps", math.inf):
        problems.append((f"{path}loss_window", f"{section['loss_window']} is more than steps = {section['steps']}"))
    if "base_depth" in section and section["base_depth"] not in section.get("depths", [section["base_depth"]]):
        problems.append((f"{path}base_depth", f"{section['base_depth']} is not one of depths (the shift's origin)"))
    if "tuning" in section and section["base_width"] not in section["widths"]:
        problems.append((f"{path}base_width", f"{section['base_width']} is not one of widths (the tuned width)"))
    if "log2_lr_offsets" in section and not section["log2_lr_offsets"][0] < 0 < section["log2_lr_offsets"][1]:
        problems.append((f"{path}log2_lr_offsets", "must be [negative, positive]: the grid surrounds the tuned rate"))
    for key, value in section.items():
        if isinstance(value, Mapping):
            problems += _relations(value, f"{path}{key}.")
    return problems
