"""The muP claims, judged from the results tables. Ids and bounds are those registered in issue 6; never loosen."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, Estimate, publish
from replications.core.provenance import read_table
from replications.mup import measures
from replications.mup.abc_space import table_cells_reproduced
from replications.mup.paper import EXPECTED, SHORT

README = Path(__file__).with_name("README.md")
PER_SEED = "Student-t interval over the per-seed values"


def _edge_note(sweep, by: str) -> str:
    """What the statement must say about the optima it compares: at the grid's edge, or of nets that never trained."""
    edge, flat = measures.at_grid_edge(sweep, by), measures.untrained(sweep, by)
    notes = [f"eta* at the edge of the grid for {by} {edge}"] if edge else []
    notes += [f"no training at any learning rate (best loss >= ln 10) for {by} {flat}"] if flat else []
    return "".join(f"; {note}" for note in notes)


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every muP claim with its measurement from the tables in `inputs`."""
    coord, maxlr, transfer, depth = (config[k] for k in ("coordcheck", "maxlr", "transfer", "depth"))
    deltas = read_table(inputs["coordcheck_deltas"])
    edges = read_table(inputs["maxlr"])
    widths_sweep = read_table(inputs["transfer_losses"])
    depths_sweep = read_table(inputs["depth_losses"])
    wide, narrow = measures.coord_widths(coord["widths"])
    grid = f"log2 eta in [{transfer['log2_lr_min']}, {transfer['log2_lr_max']}] step {transfer['log2_lr_step']}"
    setup = (
        f"widths {min(transfer['widths'])}..{max(transfer['widths'])}, {transfer['seeds']} seeds, "
        f"{transfer['steps']} SGD steps on MNIST-1D, {grid}; {PER_SEED}"
    )
    depth_grid = f"log2 eta in [{depth['log2_lr_min']}, {depth['log2_lr_max']}] step {depth['log2_lr_step']}"
    depth_setup = (
        f"depths {min(depth['depths'])}..{max(depth['depths'])}, width {depth['width']}, {depth['seeds']} seeds, "
        f"{depth['steps']} Adam steps on MNIST-1D, {depth_grid}; {PER_SEED}"
    )
    resolution = maxlr["log2_lr_step"] / (maxlr["refinements"] + 1)
    maxlr_setup = (
        f"widths {min(maxlr['widths'])}..{max(maxlr['widths'])}, {maxlr['steps']} SGD steps, MNIST 5k; interval: the "
        f"range of slopes the grid's resolution ({resolution:g} octave) allows, a rate stable when all "
        f"{maxlr['seeds']} seeds are"
    )
    sp_by = widths_sweep[widths_sweep["parametrization"] == "sp"]
    mup_by = widths_sweep[widths_sweep["parametrization"] == "mup"]
    dmup = depths_sweep[depths_sweep["block"] == "depth_mup"]
    standard = depths_sweep[depths_sweep["block"] == "standard"]
    return [
        Claim(
            "mup.abc.table_cells",
            SHORT["tp4_table"],
            "cells of TP4 Table 1 (r, stable, nontrivial, feature learning, kernel regime x SP with LR 1/n, NTP, "
            "MFP, muP) reproduced exactly from the conditions, of 20",
            EXPECTED["table_cells"].value,
            Estimate(float(table_cells_reproduced(read_table(inputs["abc_table"])))),
            20.0,
            20.0,
            "tab_abc",
            kind="check",
        ),
        Claim(
            "mup.coord.mup_ratio",
            SHORT["tp5_coord"],
            f"muP, SGD: largest max(q, 1/q) over layers and steps 1-3, q = mean |Delta h| at width {wide} over "
            f"width {narrow} ({coord['seeds']} seeds, {PER_SEED}; layers that have not moved at either width left out)",
            EXPECTED["mup_ratio"].value,
            measures.per_seed_estimate(
                deltas,
                lambda rows: measures.coord_ratio(
                    rows, parametrization="mup", optimizer="sgd", wide=wide, narrow=narrow, steps=(1, 2, 3)
                ),
            ),
            None,
            1.5,
            "fig_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.coord.sp_logit_growth",
            SHORT["tp5_coord"],
            f"SP, SGD: mean |Delta logits| at step 2, width {wide} over width {narrow}; {coord['seeds']} seeds, "
            + PER_SEED,
            EXPECTED["sp_logit_growth"].value,
            measures.per_seed_estimate(
                deltas,
                lambda rows: measures.logit_growth(
                    rows, parametrization="sp", optimizer="sgd", wide=wide, narrow=narrow, step=2
                ),
            ),
            4.0,
            None,
            "fig_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.maxlr.sp_slope",
            SHORT["tp4_maxlr"],
            f"log-log slope of the largest stable learning rate against width, SP; {maxlr_setup}",
            EXPECTED["sp_slope"].value,
            measures.maxlr_slope_estimate(edges, "sp", resolution, maxlr["seeds"]),
            -1.3,
            -0.5,
            "fig_maxlr",
            kind="evidence",
        ),
        Claim(
            "mup.maxlr.mup_slope",
            SHORT["tp4_maxlr"],
            f"the same under muP; {maxlr_setup}",
            EXPECTED["mup_slope"].value,
            measures.maxlr_slope_estimate(edges, "mup", resolution, maxlr["seeds"]),
            -0.3,
            0.3,
            "fig_maxlr",
            kind="evidence",
        ),
        Claim(
            "mup.transfer.mup_shift",
            SHORT["tp5_transfer"],
            f"|log2 eta*(widest) - log2 eta*(narrowest)| under muP, eta* of least mean training loss; {setup}"
            + _edge_note(mup_by, "width"),
            EXPECTED["mup_shift"].value,
            measures.per_seed_estimate(mup_by, lambda rows: measures.optimum_shift(rows, "width")),
            None,
            1.0,
            "fig3_mlp_transfer",
            kind="evidence",
        ),
        Claim(
            "mup.transfer.sp_shift",
            SHORT["tp5_transfer"],
            f"the same under SP; {setup}" + _edge_note(sp_by, "width"),
            EXPECTED["sp_shift"].value,
            measures.per_seed_estimate(sp_by, lambda rows: measures.optimum_shift(rows, "width")),
            1.0,
            None,
            "fig3_mlp_transfer",
            kind="evidence",
        ),
        Claim(
            "mup.transfer.wider_better",
            SHORT["tp5_transfer"],
            "fraction of consecutive width pairs in which the muP loss at its own eta* falls as width grows; "
            + PER_SEED,
            EXPECTED["wider_better"].value,
            measures.per_seed_estimate(mup_by, measures.wider_better),
            0.75,
            None,
            "fig3_mlp_transfer",
            kind="evidence",
        ),
        Claim(
            "mup.depth.depthmup_shift",
            SHORT["tp6_depth"],
            f"|log2 eta*(deepest) - log2 eta*(shallowest)| under Depth-muP; {depth_setup}" + _edge_note(dmup, "depth"),
            EXPECTED["depthmup_shift"].value,
            measures.per_seed_estimate(dmup, lambda rows: measures.optimum_shift(rows, "depth")),
            None,
            1.0,
            "fig_depth_transfer",
            kind="evidence",
        ),
        Claim(
            "mup.depth.standard_shift",
            SHORT["tp6_depth"],
            f"the same for the standard block; {depth_setup}" + _edge_note(standard, "depth"),
            EXPECTED["standard_shift"].value,
            measures.per_seed_estimate(standard, lambda rows: measures.optimum_shift(rows, "depth")),
            1.0,
            None,
            "fig_depth_transfer",
            kind="evidence",
        ),
    ]


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """figures/mup/claims.json (and, for the default profile, the README's claims block)."""
    publish(outputs["claims"], "mup", config["profile"], evaluate(config, inputs), README)
