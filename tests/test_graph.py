"""Each group's one declaration (GRAPH in replications/<group>/tasks.py): one handle per file, every task's
function exists, every figure has its report caption, and the one list of groups is the list of packages."""

import importlib
import re
from pathlib import Path

import pytest

from replications import GROUPS
from replications.core.graph import WHOLE_GROUP, Compute, Figure, Graph, task_config

REPO = Path(__file__).resolve().parents[1]


def test_the_groups_are_the_packages_with_a_graph():
    packages = {path.parent.name for path in (REPO / "replications").glob("*/tasks.py")} - {"report"}
    assert set(GROUPS) == packages


@pytest.mark.parametrize("group", GROUPS)
def test_graph(group):
    graph = importlib.import_module(f"replications.{group}.tasks").GRAPH
    assert graph.group == group
    outputs = graph.outputs()
    for task, function in graph.tasks().items():
        module, _, name = function.partition(":")
        assert callable(getattr(importlib.import_module(f"replications.{group}.{module}"), name)), task
    for figure in graph.figures:
        caption = REPO / "workflows/report" / group / f"{figure}.rst"
        text = re.sub(r"``.*?``", "", caption.read_text(), flags=re.S)  # literals may hold bars
        assert not re.search(r"(?<!\\)\|[^|\s][^|]*(?<!\\)\|", text), f"{caption}: escape |x| (an RST substitution)"
    used = {handle for spec in graph.figures.values() for handle in spec.inputs} | set(graph.claims)
    used |= {handle for compute in graph.compute.values() for handle in compute.inputs}
    assert used <= set(outputs)
    for handle, file in outputs.items():  # handle = the file's name without suffix, but for templated names
        assert "{" in file or Path(file).stem == handle, (handle, file)


def test_a_handle_is_one_file():
    with pytest.raises(ValueError, match="declared twice"):
        Graph("g", "G", {"a": Compute("m:f", {"x": "x.csv"}), "b": Compute("m:g", {"x": "y.csv"})}, {}, ())
    with pytest.raises(ValueError, match="is no compute task's output"):
        Graph("g", "G", {"a": Compute("m:f", {"x": "x.csv"})}, {"fig": Figure("m:d", ("y",))}, ())


def test_task_config_is_the_section_with_the_group_seed_or_the_whole_group():
    group = {"seed": 7, "a": {"steps": 3, "seed": 99}, "b": {"steps": 4}}
    assert task_config(group, "b", "smoke") == {"steps": 4, "seed": 7, "profile": "smoke"}
    assert task_config(group, "a", "default")["seed"] == 7  # the group's seed wins
    assert task_config(group, WHOLE_GROUP, "paper") == {**group, "profile": "paper"}
