"""Validation of the pipeline's configuration against `workflows/config/schema.yaml`.

Every key is typed and bounded; an unknown key, a value out of range, a wrong type or an empty grid is rejected
before any job runs, with an error that names the key and what was allowed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflows" / "config" / "schema.yaml"


class ConfigError(ValueError):
    """A configuration that the schema rejects."""


def merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated by `overrides` key by key, as Snakemake merges config files: mappings merged recursively,
    anything else (lists included) replaced."""
    result = dict(base)
    for key, value in overrides.items():
        both = isinstance(value, Mapping) and isinstance(base.get(key), Mapping)
        result[key] = merged(base[key], value) if both else value
    return result


def read_yaml(path: str | os.PathLike) -> Any:
    """A YAML file's data, read safely by libyaml where PyYAML has it (the schema: 0.1 s instead of 0.8 s, on every
    Snakemake invocation), else by PyYAML's own safe loader."""
    return yaml.load(Path(path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def profile_config_files(profile: str) -> list[Path]:
    """The files a profile's config is read from, in merge order: workflows/config/config.yaml, then the profile's
    overrides.yaml (none for the default profile)."""
    overrides = [] if profile == DEFAULT_PROFILE else [PROFILES_DIR / profile / "overrides.yaml"]
    return [SCHEMA_PATH.parent / "config.yaml", *overrides]


def profile_config(profile: str) -> dict[str, Any]:
    """The config a profile's run starts from: its `profile_config_files` merged in order, validated."""
    config = {}
    for path in profile_config_files(profile):
        config = merged(config, read_yaml(path))
    validate_config(config)
    return config


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
    return read_yaml(path)


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


def task_schema(group: str, section: str | None, schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The schema of the JSON config a task of `group` gets: its `section` of the group's config (None: the whole
    group section) with the `seed` and `profile` the rules add."""
    schema = load_schema() if schema is None else schema
    node = schema["properties"][group]
    if section is not None:
        node = node["properties"][section]
    node = dict(node)
    extra = {"profile": schema["properties"]["profile"], "seed": {"type": "integer", "minimum": 0}}
    node["properties"] = {**extra, **node.get("properties", {})}
    return {"$defs": schema.get("$defs", {}), **node}


def task_config_problem(config: Mapping[str, Any], group: str, section: str | None) -> str | None:
    """The first way a task's JSON config breaks its schema (`key: problem`), or None."""
    validator = jsonschema.Draft202012Validator(task_schema(group, section))
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: list(map(str, e.absolute_path)))
    return f"{_key_path(errors[0])}: {errors[0].message}" if errors else None


PROFILES_DIR = Path(__file__).resolve().parents[2] / "workflows" / "profiles"
DEFAULT_PROFILE = "default"


def _workflow_profile_argument(argv: Sequence[str]) -> str | None:
    """The value of `--workflow-profile` on a Snakemake command line (the last one given), or None."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--workflow-profile" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--workflow-profile="):
            found = arg.partition("=")[2]
    return found


def profile_problems(
    config: Mapping[str, Any], configfiles: Sequence[str | os.PathLike], argv: Sequence[str]
) -> list[str]:
    """What stops the pipeline before any job about its profile, one line each naming the problem and the fix.

    Snakemake silently ignores a `--workflow-profile` folder that does not exist, and a `--configfile` on the
    command line replaces the profile's `configfiles`; so the profile named on the command line (`argv`) must
    exist, and the overrides file of the profile that `config["profile"]` names (each sets its own name) must be
    among the config files that were loaded (`configfiles`), and no other profile's.
    """
    names = sorted(path.parent.name for path in PROFILES_DIR.glob("*/overrides.yaml"))
    usage = ", ".join(f"workflows/profiles/{name}" for name in names)
    argument = _workflow_profile_argument(argv)
    if argument not in (None, "none"):
        folder = Path(argument)
        if not ((folder / "config.yaml").is_file() or folder.is_file()):
            return [f"workflow profile {argument} does not exist: pass --workflow-profile one of {usage}"]
    loaded = {Path(path).resolve() for path in configfiles}
    profile = config["profile"]
    problems = []
    for name in names:
        overrides = PROFILES_DIR / name / "overrides.yaml"
        if overrides in loaded and profile != name:
            problems.append(
                f"the {name} profile's overrides were loaded but profile is {profile!r}: drop profile from your "
                f"config files (the overrides set it)"
            )
    if profile != DEFAULT_PROFILE:
        relative = f"workflows/profiles/{profile}/overrides.yaml"
        if (PROFILES_DIR / profile / "overrides.yaml") not in loaded:
            problems.append(
                f"profile is {profile!r} but {relative} was not loaded (a --configfile on the command line replaces "
                f"the profile's files): run with --workflow-profile workflows/profiles/{profile} and list every file: "
                f"--configfile workflows/config/config.yaml {relative} YOUR.yaml"
            )
    elif argument not in (None, "none") and (Path(argument) / "overrides.yaml").is_file():
        relative = f"{Path(argument).as_posix().rstrip('/')}/overrides.yaml"
        problems.append(
            f"--workflow-profile {argument} was given but its overrides were not loaded (a --configfile on the "
            f"command line replaces the profile's files): list every file: --configfile "
            f"workflows/config/config.yaml {relative} YOUR.yaml"
        )
    return problems
