"""TP4 Table 1 and the abc phase grid from the conditions (replications.mup.abc_space), and the files they draw."""

from fractions import Fraction

import numpy as np
import pytest

from replications.core.parametrization import is_stable, named_parametrization
from replications.core.provenance import read_table
from replications.mup import fig_abc_phase, tab_abc
from replications.mup.abc_space import abc, abc_table, named_points, phase_table, slice_point, table_cells_reproduced


@pytest.fixture(scope="module")
def phase():
    return phase_table(8)


def test_table_reproduces_all_20_cells():
    table = abc_table(2)
    assert list(table["parametrization"]) == ["sp", "sp_lr_1/n", "ntp", "mfp", "mup"]
    assert table_cells_reproduced(table) == 20
    rows = table[table["parametrization"] != "sp"]
    assert (rows["out_lr"] == 1).all() and (rows["out_init"] == 1).all()


def test_a_mismatch_is_counted():
    table = abc_table(2)
    table.loc[table["parametrization"] == "ntp", "kernel_regime"] = False
    assert table_cells_reproduced(table) == 19


def test_sp_proper_is_unstable():
    assert not is_stable(named_parametrization("sp", 2))
    sp = abc_table(2).set_index("parametrization").loc["sp"]
    assert not sp["stable"] and not sp["paper_stable"] and sp["match_stable"]


def _region(phase, point):
    rows = phase[(phase["panel"] == point["panel"]) & np.isclose(phase["x"], point["x"])]
    rows = rows[np.isclose(rows["y"], point["y"])]
    assert len(rows) == 1
    return rows["region"].iloc[0]


def test_named_points_sit_in_their_regions(phase):
    points = named_points()
    assert {(p["panel"], p["name"]) for p in points} == {
        ("maximal_readout_lr", "ntp"),
        ("maximal_readout_lr", "mup"),
        ("muP_hidden", "mup"),
    }
    for point in points:
        assert _region(phase, point) == ("kernel" if point["name"] == "ntp" else "feature_learning")


def test_slice_point_keeps_hidden_layers_stable():
    p = slice_point("muP_hidden", Fraction(3, 2), Fraction(5, 4))
    assert p.a[0] + p.b[0] == 0 and p.a[1] + p.b[1] == Fraction(1, 2) and p.c == 0
    assert p.a[2] + p.b[2] == Fraction(3, 2) and 2 * p.a[2] + p.c == Fraction(5, 4)


def test_maximal_readout_lr_has_no_trivial_point(phase):
    panel = phase[phase["panel"] == "maximal_readout_lr"]
    assert "trivial" not in set(panel["region"])
    assert {"unstable", "kernel", "feature_learning"} <= set(panel["region"])


def test_mup_hidden_feature_learning_is_the_two_lines(phase):
    panel = phase[phase["panel"] == "muP_hidden"]
    learning = panel[panel["region"] == "feature_learning"]
    A, B = learning["x"], learning["y"]
    assert ((A == 1) | (B == 1)).all() and (A >= 1).all() and (B >= 1).all()
    on_lines = panel[((panel["x"] == 1) & (panel["y"] >= 1)) | ((panel["y"] == 1) & (panel["x"] >= 1))]
    assert (on_lines["region"] == "feature_learning").all()
    assert set(panel["region"]) == {"unstable", "trivial", "feature_learning"}


def test_abc_and_drawings_write_every_output(tmp_path):
    config = {"seed": 0, "profile": "smoke", "hidden_layers": 2, "grid_step_denominator": 8}
    data = {"abc_table": tmp_path / "abc_table.csv", "abc_phase": tmp_path / "abc_phase.csv"}
    abc(config, data)
    assert read_table(data["abc_table"]).attrs["provenance"]["config"] == config
    assert table_cells_reproduced(read_table(data["abc_table"])) == 20
    table_out = {"md": tmp_path / "tab_abc.md", "png": tmp_path / "tab_abc.png", "pdf": tmp_path / "tab_abc.pdf"}
    tab_abc.draw(config, {"abc_table": data["abc_table"]}, table_out)
    phase_out = {"png": tmp_path / "fig_abc_phase.png", "pdf": tmp_path / "fig_abc_phase.pdf"}
    fig_abc_phase.draw(config, {"abc_phase": data["abc_phase"]}, phase_out)
    for path in [*data.values(), *table_out.values(), *phase_out.values()]:
        assert path.stat().st_size > 0, path
    assert "20 of the 20 cells" in table_out["md"].read_text()
