"""The NNGP claims, judged from the results tables. Ids and bounds are those registered in issue 3; never loosen."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.claims import Claim, write_claims
from replications.core.provenance import read_table
from replications.nngp.datasets import CLAIM_TRAIN_SIZE, claim_size_problem, dataset_info, size_label, table1_sizes
from replications.nngp.measures import best_nn, critical_advantage, selected_gp, uncertainty_correlation
from replications.nngp.paper import TABLE1_SOURCE, table1_accuracy

SOURCE = "Lee et al. 2018"


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every NNGP claim with its measurement from the tables in `inputs`."""
    gp, nn = read_table(inputs["gp_search"]), read_table(inputs["nn_search"])
    # The claims are judged at Table 1's 1000-point row, whatever its other sizes (the Table 1 claims only on MNIST);
    # without such a row, Fig 1's gap is read at Table 1's largest size and the Table 1 claims are not measured.
    problem = claim_size_problem(config)
    table_ok = problem is None
    sizes = table1_sizes(config)
    size = CLAIM_TRAIN_SIZE if CLAIM_TRAIN_SIZE in sizes else max(sizes)
    tag = "mnist1k"
    claims, gaps = [], {}
    for activation, bounds_gp, bounds_nn in (
        ("relu", (0.9079, 0.9479), (0.9002, 0.9502)),
        ("tanh", (0.9066, 0.9466), (0.9004, 0.9504)),
    ):
        g = selected_gp(gp, activation, size)["test_accuracy"]
        n = best_nn(nn, activation=activation, train_size=size)["test_accuracy"]
        gaps[activation] = g - n
        note = "" if table_ok else f" [NOT MEASURED: {problem}]"
        paper_gp, paper_nn = (table1_accuracy("mnist", 1000, activation, model) for model in ("gp", "nn"))
        claims += [
            Claim(
                f"nngp.table1.{tag}.{activation}.gp",
                TABLE1_SOURCE,
                f"NNGP {activation} test accuracy, MNIST 1k train (paper {paper_gp})" + note,
                paper_gp,
                g if table_ok else None,
                *bounds_gp,
                "table1",
            ),
            Claim(
                f"nngp.table1.{tag}.{activation}.nn",
                TABLE1_SOURCE,
                f"best SGD-trained {activation} net, MNIST 1k (paper {paper_nn})" + note,
                paper_nn,
                n if table_ok else None,
                *bounds_nn,
                "table1",
            ),
        ]
    claims.append(
        Claim(
            "nngp.gp_vs_nn.mnist1k",
            TABLE1_SOURCE,
            "min over relu, tanh of (NNGP accuracy - best NN accuracy), MNIST 1k",
            min(
                table1_accuracy("mnist", 1000, a, "gp") - table1_accuracy("mnist", 1000, a, "nn")
                for a in ("relu", "tanh")
            ),
            min(gaps.values()) if table_ok else None,
            -0.005,
            None,
            "table1",
        )
    )
    widths = config["nn_search"]["widths"]
    info = dataset_info(config)
    relu_gp = selected_gp(gp, "relu", size)["test_accuracy"]
    gap = {
        w: relu_gp - best_nn(nn, activation="relu", train_size=size, width=w)["test_accuracy"]
        for w in (widths[0], widths[-1])
    }
    claims.append(
        Claim(
            "nngp.fig1.width_gap",
            f"{SOURCE}, Fig 1",
            f"ReLU, {info.label} {size_label(size)}: NNGP - NN accuracy gap at width {widths[-1]} divided by the gap "
            f"at width {widths[0]}",
            None,
            gap[widths[-1]] / gap[widths[0]] if gap[widths[0]] != 0 else None,
            None,
            0.5,
            "fig1",
        )
    )
    section = config["fig3_uncertainty"]
    claims.append(
        Claim(
            "nngp.fig3.corr",
            f"{SOURCE}, Fig 3",
            f"Pearson correlation of binned predicted variance and binned realized MSE ({section['points_per_bin']} "
            "test points per bin; a reference implementation gave 0.88-0.90 with 1k-2k MNIST training points)",
            None,
            uncertainty_correlation(read_table(inputs["uncertainty"]), section["points_per_bin"]),
            0.8,
            None,
            "fig3_uncertainty",
        )
    )
    phase = read_table(inputs["phase"])
    deep = 50 in config["fig4_phase"]["depths"] and "tanh" in config["fig4_phase"]["activations"]
    claims.append(
        Claim(
            "nngp.fig4.tanh_critical",
            f"{SOURCE}, Fig 4",
            "tanh, depth 50: mean accuracy of grid cells with |log chi_1| <= 0.1 minus that of cells with "
            "|log chi_1| >= 0.5" + ("" if deep else " [NOT MEASURED: depth 50 tanh not in the profile]"),
            None,
            critical_advantage(phase, "tanh", 50) if deep else None,
            0.2,
            None,
            "fig4_phase",
        )
    )
    mnist = read_table(inputs["lattice_mnist"])
    in_range = mnist[mnist["weight_var"] <= 2.0]
    claims.append(
        Claim(
            "nngp.lattice.rel_err",
            f"{SOURCE}, Sec 2.5",
            "max relative error (in units of sqrt(K(x,x) K(x',x'))) of the lattice NNGP against the exact one, "
            f"tanh and relu, depth {int(in_range['depth'].iloc[0])}, weight_var <= 2, "
            f"{config['lattice']['claim_inputs']} standardized {info.label} {info.unit}",
            None,
            float(in_range["max_relative_error"].max()),
            None,
            0.005,
            "fig_lattice",
        )
    )
    return claims


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Write figures/nngp/claims.json."""
    write_claims(outputs["claims"], "nngp", config["profile"], evaluate(config, inputs))
