"""`python -m replications`: the config and the file names are checked before anything is computed, and a bad
command line is one line on stderr (exit status 2), never a traceback."""

import json

import pytest

from replications.__main__ import main

ROUGHNESS = {
    "seed": 1994,
    "profile": "smoke",
    "activations": ["tanh", "step"],
    "hidden_units": 100,
    "draws": 10,
    "x": 0.0,
    "deltas": 3,
    "delta_min": 0.01,
    "delta_max": 0.1,
    "input_weight_sd": 5.0,
    "hidden_bias_sd": 5.0,
    "output_bias_sd": 1.0,
    "output_weight_scale": 1.0,
}


def run_cli(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def test_bad_json(capsys, tmp_path):
    err = run_cli(capsys, "neal", "roughness", "--config", "{draws: 3", "--out", f"roughness={tmp_path}/r.csv")
    assert err.startswith("python -m replications: neal roughness: --config is not valid JSON (")


def test_missing_key(capsys, tmp_path):
    config = {k: v for k, v in ROUGHNESS.items() if k != "draws"}
    err = run_cli(capsys, "neal", "roughness", "--config", json.dumps(config), "--out", f"roughness={tmp_path}/r.csv")
    assert err == "python -m replications: neal roughness: bad --config: <top level>: 'draws' is a required property"
    assert not any(tmp_path.iterdir())


def test_wrong_output_name(capsys, tmp_path):
    err = run_cli(capsys, "neal", "roughness", "--config", json.dumps(ROUGHNESS), "--out", f"rough={tmp_path}/r.csv")
    assert err == (
        "python -m replications: neal roughness: unknown --out ['rough']; missing --out ['roughness'] "
        "(expected --out names: ['roughness'])"
    )
    assert not any(tmp_path.iterdir())


def test_malformed_pair_and_unknown_task(capsys):
    assert "--out expects NAME=PATH, got 'roughness'" in run_cli(capsys, "neal", "roughness", "--out", "roughness")
    assert "unknown task 'roughnes' for group neal" in run_cli(capsys, "neal", "roughnes")
