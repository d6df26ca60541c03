"""The muP claims, judged from the results tables. Ids and bounds are those registered in issues 6 and 16; never
loosen."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, Estimate, publish
from replications.core.provenance import read_table
from replications.mup import measures, optimum, transformer
from replications.mup.abc_space import table_cells_reproduced
from replications.mup.paper import EXPECTED, SHORT

README = Path(__file__).with_name("README.md")
PER_SEED = "Student-t interval over the per-seed values"


def _optima_note(sweep, by: str, classes: int = optimum.CLASSES) -> str:
    """What a statement must say about the optima it rests on: seeds whose eta* lies on the grid's edge (excluded
    from the fits) or whose net never trained (excluded), and minima next to a diverged rate (not refined)."""
    found = optimum.optima(sweep, by, classes)
    notes = []
    for flag, text in (
        ("at_edge", "eta* on the grid's edge, excluded"),
        ("unrefined", "eta* next to a diverged rate, not refined"),
    ):
        if found[flag].any():
            notes.append(f"{text} for {by} {sorted(found.loc[found[flag], by].unique().tolist())}")
    if untrained := optimum.untrained(sweep, by, classes):
        margin = f"{optimum.UNTRAINED_FRACTION:g} ln {classes}"
        notes.append(f"never trained (best loss above {margin}), excluded: {by} {untrained}")
    return "".join(f"; {note}" for note in notes)


def _grid(section: Mapping[str, Any]) -> str:
    if "log2_lr_offsets" in section:
        low, high = section["log2_lr_offsets"]
        return f"whole octaves {low:+d}..{high:+d} around the base width's tuned optimum"
    return f"log2 eta in [{section['log2_lr_min']}, {section['log2_lr_max']}] step {section['log2_lr_step']}"


def _transfer_claims(transfer: Mapping[str, Any], sweep) -> list[Claim]:
    """TP5 Fig 3's claims: eta* refined per seed (`optimum`), slopes over all widths, shift, regret, wider better."""
    base, widest = transfer["base_width"], max(transfer["widths"])
    setup = (
        f"widths {min(transfer['widths'])}..{widest}, {transfer['seeds']} seeds, {transfer['steps']} SGD steps on "
        f"MNIST-1D, multipliers tuned at width {base}, {_grid(transfer)}; eta* per seed from the parabola through "
        f"the three grid points around its minimum; {PER_SEED}"
    )
    by = {p: sweep[sweep["parametrization"] == p] for p in ("sp", "mup")}
    note = {p: _optima_note(rows, "width") for p, rows in by.items()}
    rows = [
        ("mup.transfer.mup_shift", "mup_shift", f"|log2 eta*({widest}) - log2 eta*({base})| under muP; {setup}",
         optimum.shift(by["mup"], "width", base), None, 1.0, "mup"),
        ("mup.transfer.sp_shift", "sp_shift", f"the same under SP; {setup}",
         optimum.shift(by["sp"], "width", base), 1.0, None, "sp"),
        ("mup.transfer.mup_slope", "transfer_mup_slope", f"slope of log2 eta* against log2 width, muP; {setup}",
         optimum.slope(by["mup"], "width"), -0.25, 0.25, "mup"),
        ("mup.transfer.sp_slope", "transfer_sp_slope", f"the same, SP; {setup}",
         optimum.slope(by["sp"], "width"), -1.3, -0.3, "sp"),
        ("mup.transfer.mup_regret", "mup_regret",
         f"muP: the width-{widest} net's loss at the base width's eta* minus its own best (nats); {setup}",
         optimum.regret(by["mup"], "width", base), None, 0.03, "mup"),
        ("mup.transfer.sp_regret", "sp_regret",
         f"the same under SP, a diverged net counting as ln 10; {setup}",
         optimum.regret(by["sp"], "width", base), 0.05, None, "sp"),
        ("mup.transfer.wider_better", "wider_better",
         f"fraction of consecutive width pairs in which the muP loss at its own eta* falls as width grows; {setup}",
         optimum.wider_better(by["mup"]), 0.75, None, "mup"),
    ]  # fmt: skip
    return [
        Claim(claim_id, SHORT["tp5_transfer"], text + note[p], EXPECTED[key].value, value, lo, hi,
              "fig3_mlp_transfer", kind="evidence")
        for claim_id, key, text, value, lo, hi, p in rows
    ]  # fmt: skip


def _depth_claims(depth: Mapping[str, Any], sweep) -> list[Claim]:
    """TP6 Fig 10's claims, from the base depth to the deepest depth that trains in every seed."""
    base = depth["base_depth"]
    by = {b: sweep[sweep["block"] == b] for b in ("depth_mup", "branch_only", "standard")}
    setup = (
        f"width {depth['width']}, depths {min(depth['depths'])}..{max(depth['depths'])}, base depth {base}, "
        f"{depth['seeds']} seeds, {depth['steps']} Adam steps on MNIST-1D, {_grid(depth)}; eta* per seed from the "
        f"parabola through the three grid points around its minimum; {PER_SEED}"
    )

    def to_deepest(block: str) -> str:
        return f"|log2 eta*(L = {optimum.deepest_trained(by[block], 'depth'):g}) - log2 eta*(L = {base})|"

    rows = [
        ("mup.depth.depthmup_shift", "depthmup_shift", f"{to_deepest('depth_mup')} under Depth-muP; {setup}",
         optimum.shift(by["depth_mup"], "depth", base), None, 1.0, "depth_mup"),
        ("mup.depth.standard_shift", "standard_shift", f"{to_deepest('standard')}, standard block; {setup}",
         optimum.shift(by["standard"], "depth", base), 1.0, None, "standard"),
        ("mup.depth.blocks_only_shift", "blocks_only_shift",
         f"{to_deepest('branch_only')}, branch multiplier 1/sqrt(L) without the learning-rate rule (alpha = 1/2, "
         f"gamma = 0); {setup}", optimum.shift(by["branch_only"], "depth", base), 1.0, None, "branch_only"),
        ("mup.depth.depthmup_slope", "depthmup_slope",
         f"slope of log2 eta* against log2 depth, Depth-muP, depths >= {base}; {setup}",
         optimum.slope(by["depth_mup"][by["depth_mup"]["depth"] >= base], "depth"), -0.3, 0.3, "depth_mup"),
    ]  # fmt: skip
    return [
        Claim(claim_id, SHORT["tp6_depth"], text + _optima_note(by[block], "depth"), EXPECTED[key].value, value,
              lo, hi, "fig_depth_transfer", kind="evidence")
        for claim_id, key, text, value, lo, hi, block in rows
    ]  # fmt: skip


def _transformer_claims(section: Mapping[str, Any], coord: Mapping[str, Any], sweep, deltas) -> list[Claim]:
    """TP5 Fig 1's claims (eta* refined per seed, nats per byte: never trained = above 0.95 ln 256) and the
    Transformer's coordinate check under Adam (TP5 Fig 5)."""
    base, widest = section["base_width"], max(section["widths"])
    setup = (
        f"byte-level Transformer ({section['layers']} layers, {section['heads']} heads, "
        f"{'pre' if section['pre_ln'] else 'post'}-LN), widths {min(section['widths'])}..{widest}, base {base}, "
        f"{section['seeds']} seeds with common random numbers, {section['steps']} Adam steps of batch "
        f"{section['batch']} x {section['seq']} bytes ({section['corpus']}), readout and attention multipliers tuned "
        f"at width {base}; whole-octave grids {section['log2_lr_offsets_sp']} (SP) and "
        f"{section['log2_lr_offsets_mup']} (muP) around the tuned rate; eta* per seed from the parabola through the "
        f"three grid points around its minimum; {PER_SEED}"
    )
    classes = transformer.VOCAB
    by = {p: sweep[sweep["parametrization"] == p] for p in ("sp", "mup")}
    note = {p: _optima_note(rows, "width", classes) for p, rows in by.items()}
    rows = [
        ("mup.tfm.sp_slope", "tfm_sp_slope", f"slope of the refined log2 eta* against log2 width, SP; {setup}",
         optimum.slope(by["sp"], "width", classes), -1.3, -0.4, note["sp"]),
        ("mup.tfm.mup_slope", "tfm_mup_slope", f"the same, muP; {setup}",
         optimum.slope(by["mup"], "width", classes), -0.25, 0.25, note["mup"]),
        ("mup.tfm.wider_better", "tfm_wider_better",
         f"fraction of consecutive width pairs in which the muP loss at its own eta* falls as width grows; {setup}",
         optimum.wider_better(by["mup"], classes), 0.66, None, note["mup"]),
        ("mup.tfm.mup_beats_sp", "tfm_mup_beats_sp",
         f"muP's best loss at width {widest} minus SP's best loss at any width (nats per byte; the paper's dashed "
         f"line), within each seed; {setup}",
         optimum.beats(sweep, "mup", "sp", classes), None, 0.0, note["sp"] + note["mup"]),
    ]  # fmt: skip
    claims = [
        Claim(claim_id, SHORT["tp5_fig1"], text + extra, EXPECTED[key].value, value, lo, hi,
              "fig1_transformer_transfer", kind="evidence")
        for claim_id, key, text, value, lo, hi, extra in rows
    ]  # fmt: skip
    wide = 1024 if 1024 in coord["widths"] else max(coord["widths"])
    narrow = 64 if 64 in coord["widths"] and wide > 64 else min(coord["widths"])
    coord_setup = (
        f"{coord['seeds']} seeds, Adam at eta = {coord['learning_rate']:g} on one batch of {coord['batch']} x "
        f"{coord['seq']} bytes, readout multiplier {coord['readout_mult']:g}, attention multiplier "
        f"{coord['attn_mult']:g}, base width {coord['base_width']}; {PER_SEED}"
    )
    claims += [
        Claim(
            "mup.tfm.coord_ratio",
            SHORT["tp5_coord"],
            f"muP, Adam: largest max(q, 1/q) over the tracked activations (token embedding output, each block's "
            f"attention logits and output, the logits) and steps 1-3, q = mean |Delta a| at width {wide} over width "
            f"{narrow} (activations that have not moved at either width left out); {coord_setup}",
            EXPECTED["tfm_coord_ratio"].value,
            measures.per_seed_estimate(
                deltas,
                lambda rows: measures.coord_ratio(
                    rows, parametrization="mup", optimizer="adam", wide=wide, narrow=narrow, steps=(1, 2, 3)
                ),
            ),
            None,
            1.5,
            "fig_transformer_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.tfm.sp_logit_growth",
            SHORT["tp5_coord"],
            f"SP, Adam: mean |Delta logits| at step 2, width {wide} over width {narrow}; {coord_setup}",
            EXPECTED["tfm_sp_logit_growth"].value,
            measures.per_seed_estimate(
                deltas,
                lambda rows: measures.logit_growth(
                    rows, parametrization="sp", optimizer="adam", wide=wide, narrow=narrow, step=2
                ),
            ),
            4.0,
            None,
            "fig_transformer_coordcheck",
            kind="evidence",
        ),
    ]
    return claims


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every muP claim with its measurement from the tables in `inputs`."""
    coord, maxlr, transfer, depth = (config[k] for k in ("coordcheck", "maxlr", "transfer", "depth"))
    deltas = read_table(inputs["coordcheck_deltas"])
    edges = read_table(inputs["maxlr"])
    edges = edges[edges["multipliers"] == maxlr["multiplier_sets"][0]["name"]]
    widths_sweep = read_table(inputs["transfer_losses"])
    depths_sweep = read_table(inputs["depth_losses"])
    wide, narrow = measures.coord_widths(coord["widths"])
    resolution = maxlr["log2_lr_step"] / (maxlr["refinements"] + 1)
    maxlr_setup = (
        f"widths {min(maxlr['widths'])}..{max(maxlr['widths'])}, {maxlr['steps']} SGD steps, MNIST 5k; interval: the "
        f"range of slopes the grid's resolution ({resolution:g} octave) allows, a rate stable when all "
        f"{maxlr['seeds']} seeds are"
    )
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
            "mup.coord.mup_ratio_adam",
            SHORT["tp5_coord"],
            f"muP, Adam: largest max(q, 1/q) over layers and steps 1-3, q = mean |Delta h| at width {wide} over "
            f"width {narrow} ({coord['seeds']} seeds, Adam at eta = {coord['adam_learning_rate']:g}, {PER_SEED}; "
            "layers that have not moved at either width left out)",
            EXPECTED["mup_ratio_adam"].value,
            measures.per_seed_estimate(
                deltas,
                lambda rows: measures.coord_ratio(
                    rows, parametrization="mup", optimizer="adam", wide=wide, narrow=narrow, steps=(1, 2, 3)
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
        *_transfer_claims(transfer, widths_sweep),
        *_depth_claims(depth, depths_sweep),
        *_transformer_claims(
            config["transformer"],
            config["transformer_coordcheck"],
            read_table(inputs["transformer_losses"]),
            read_table(inputs["transformer_coord_deltas"]),
        ),
    ]


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """figures/mup/claims.json (and, for the default profile, the README's claims block)."""
    publish(outputs["claims"], "mup", config["profile"], evaluate(config, inputs), README)
