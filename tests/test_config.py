"""Bad configurations are rejected by the schema before any job runs, with the key and the allowed range named."""

import copy

import pytest
import yaml

from replications.core.config import ConfigError, merged, profile_config, validate_config

with open("workflows/config/config.yaml") as f:
    DEFAULT = yaml.safe_load(f)


def _set(config, path, value):
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return config


def test_default_and_profile_configs_are_valid():
    validate_config(DEFAULT)
    for profile in ("default", "smoke", "paper"):
        profile_config(profile)  # validates


def test_profile_config_merges_overrides_key_by_key_and_replaces_lists():
    smoke = profile_config("smoke")
    with open("workflows/profiles/smoke/overrides.yaml") as f:
        overrides = yaml.safe_load(f)
    assert smoke["profile"] == "smoke" and smoke["mup"]["transfer"]["widths"] == overrides["mup"]["transfer"]["widths"]
    untouched = [key for key in DEFAULT["mup"]["transfer"] if key not in overrides["mup"].get("transfer", {})]
    assert untouched and all(smoke["mup"]["transfer"][key] == DEFAULT["mup"]["transfer"][key] for key in untouched)
    assert merged({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}}


def test_each_profile_states_its_own_optimization_overrides():
    """The default profile's O1 jobs do not leak into smoke's or paper's: their lists replace it whole."""
    default = DEFAULT["xla_optimization_overrides"]
    assert default["level"] == 1 and "ntk_relchange" in default["jobs"]
    assert profile_config("smoke")["xla_optimization_overrides"] == {"level": None, "jobs": ["mup_tp4"]}
    assert profile_config("paper")["xla_optimization_overrides"] == {"level": None, "jobs": []}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("neal", "samples_1d", "hidden_units"), [10, -5], r"neal\.samples_1d\.hidden_units\[1\].*minimum 1"),
        (("neal", "covariance", "hidden_units"), 0, r"neal\.covariance\.hidden_units.*minimum 1"),
        (("neal", "convergence", "activation"), "relu", r"neal\.convergence\.activation.*one of"),
        (("neal", "roughness", "draws"), "many", r"neal\.roughness\.draws.*type integer"),
        (("neal", "roughness", "delta_min"), 0, r"neal\.roughness\.delta_min.*exclusiveMinimum 0"),
        (("neal", "samples_1d", "activations"), [], r"neal\.samples_1d\.activations.*minItems 1"),
        (("neal", "convergence", "hidden_units"), [], r"neal\.convergence\.hidden_units.*minItems 1"),
        (("neal", "samples_2d", "colour"), "red", r"neal\.samples_2d.*'colour' was unexpected"),
        (("ntks",), {}, r"<top level>.*'ntks' was unexpected"),
        (("xla_optimization_overrides", "level"), 4, r"xla_optimization_overrides\.level.*maximum 3"),
        (("xla_optimization_overrides", "jobs"), ["tp4"], r"xla_optimization_overrides\.jobs\[0\].*does not match"),
        (("xla_optimization_overrides", "jobs"), ["mup_tp4"] * 2, r"xla_optimization_overrides\.jobs.*non-unique"),
        (("ntk", "kernel_circle", "widths"), [500, 1000, 2000], r"ntk\.kernel_circle\.widths.*maxItems 2"),
        (("ntk", "function_circle", "learning_rate"), 0, r"ntk\.function_circle\.learning_rate.*exclusiveMinimum"),
        (("ntk", "relchange", "parametrizations"), ["standard"], r"ntk\.relchange\.parametrizations.*contain"),
        (("ntk", "relchange", "standard_lr_fraction"), 1.5, r"ntk\.relchange\.standard_lr_fraction.*maximum 1"),
        (("ntk", "relchange", "tolerance"), 1.0, r"ntk\.relchange\.tolerance.*exclusiveMaximum"),
        (("ntk", "relchange", "classes"), [1, 1], r"ntk\.relchange\.classes.*non-unique"),
        (("ntk", "linear", "widths"), [64], r"ntk\.linear\.widths.*minItems 2"),
        (("ntk", "linear", "depth_typo"), 2, r"ntk\.linear.*'depth_typo' was unexpected"),
        (("ntk", "pca", "steps"), 401, r"ntk\.pca\.steps: 401 is not a multiple of record_every = 4"),
        (("ntk", "kernel_circle", "kernel_draws"), 5, r"ntk\.kernel_circle\.kernel_draws: must be at least"),
        (("meanfield", "contrast", "loss_fraction"), 1.5, r"meanfield\.contrast\.loss_fraction.*exclusiveMaximum"),
        (("meanfield", "lazy", "width"), 15, r"meanfield\.lazy\.width.*multipleOf"),
        (("meanfield", "mmn_radial", "delta"), 1.0, r"meanfield\.mmn_radial\.delta.*exclusiveMaximum"),
        (("meanfield", "cb_particles", "particles"), [], r"meanfield\.cb_particles\.particles.*minItems 1"),
        (("meanfield", "mmn_radial", "sgd_steps"), 1001, r"meanfield\.mmn_radial\.sgd_steps: 1001 is not a multiple"),
        (
            ("meanfield", "ss_fluctuations", "knots"),
            [-0.5, 1.5],
            r"meanfield\.ss_fluctuations\.knots\[0\].*exclusiveMin",
        ),
        (("meanfield", "ss_fluctuations", "seeds"), 1, r"meanfield\.ss_fluctuations\.seeds.*minimum 2"),
        (("meanfield", "rv_scaling", "train_points"), 1024, r"meanfield\.rv_scaling.*'train_points' was unexpected"),
        (("mup", "transfer", "momentum"), 1.0, r"mup\.transfer\.momentum.*exclusiveMaximum"),
        (("mup", "depth", "depths"), [8], r"mup\.depth\.depths.*minItems 2"),
        (("mup", "data", "mnist1d_samples"), 1005, r"mup\.data\.mnist1d_samples.*multipleOf"),
        (("nngp", "gp_search", "depths"), [0, 3], r"nngp\.gp_search\.depths\[0\].*minimum 1"),
        (("nngp", "nn_search", "weight_vars"), [1.0, 1.0], r"nngp\.nn_search\.weight_vars.*non-unique"),
        (("nngp", "fig3_uncertainty", "depth"), 0, r"nngp\.fig3_uncertainty\.depth.*minimum 1"),
        (("nngp", "fig3_uncertainty", "activation"), "sigmoid", r"nngp\.fig3_uncertainty\.activation.*one of"),
        (("nngp", "nn_search", "widths"), [-8], r"nngp\.nn_search\.widths\[0\].*minimum 1"),
        (("nngp", "nn_search", "learning_rates"), [], r"nngp\.nn_search\.learning_rates.*minItems 1"),
        (("nngp", "split", "train"), 1005, r"nngp\.split\.train.*multipleOf"),
        (("profile",), "laptop", r"profile.*one of"),
        (("neal", "samples_1d", "x_range"), [0.0], r"neal\.samples_1d\.x_range.*minItems 2"),
    ],
)
def test_bad_config_is_rejected_naming_the_key(path, value, message):
    config = _set(copy.deepcopy(DEFAULT), path, value)
    with pytest.raises(ConfigError, match=message):
        validate_config(config)


def test_every_violation_is_reported():
    config = copy.deepcopy(DEFAULT)
    _set(config, ("neal", "seed"), -1)
    _set(config, ("neal", "covariance", "inputs"), 1)
    with pytest.raises(ConfigError) as error:
        validate_config(config)
    assert "neal.seed" in str(error.value) and "neal.covariance.inputs" in str(error.value)


def test_profile_problems():
    from pathlib import Path

    from replications.core.config import profile_problems

    base, smoke = "workflows/config/config.yaml", "workflows/profiles/smoke/overrides.yaml"
    default = {"profile": "default"}
    assert profile_problems(default, [base], ["snakemake"]) == []
    assert (
        profile_problems({"profile": "smoke"}, [base, smoke], ["--workflow-profile", "workflows/profiles/smoke"]) == []
    )
    assert profile_problems(default, [base], ["--workflow-profile=workflows/profiles/smok"])[0].startswith(
        "workflow profile workflows/profiles/smok does not exist"
    )
    assert "was not loaded" in profile_problems({"profile": "smoke"}, [base], [])[0]
    assert "but profile is 'default'" in profile_problems(default, [base, smoke], [])[0]
    dropped = profile_problems(default, [base, "my.yaml"], ["--workflow-profile", "workflows/profiles/paper"])
    assert dropped[0].startswith("--workflow-profile workflows/profiles/paper was given but its overrides")
    assert Path(smoke).exists()


def test_task_config_problem():
    from replications.core.config import task_config_problem

    section = {**DEFAULT["neal"]["roughness"], "seed": 1, "profile": "default"}
    assert task_config_problem(section, "neal", "roughness") is None
    assert task_config_problem({**section, "draws": 0}, "neal", "roughness").startswith("draws: 0 is less than")
    whole = {**DEFAULT["nngp"], "profile": "smoke"}
    assert task_config_problem(whole, "nngp", None) is None
