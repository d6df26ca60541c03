# Lee et al. 2018, Deep Neural Networks as Gaussian Processes: kernels, GP inference and trained nets on MNIST 5k (or
# the dataset of nngp.dataset). Compute tasks in replications/nngp/experiments.py; one module per figure or table;
# claims in claims.py.

from replications.core.config import ConfigError
from replications.nngp.datasets import config_problems

# What the schema cannot say (the dataset's folder, whether the splits fit the dataset), before any job runs.
if nngp_problems := config_problems(config["nngp"]):
    raise ConfigError("invalid configuration:\n" + "\n".join(f"  {key}: {problem}" for key, problem in nngp_problems))

NNGP_RESULTS = f"{RESULTS}/nngp"
NNGP_FIGURES = f"{FIGURES}/nngp"
# compute task -> its outputs (name -> file under results/nngp/)
NNGP_COMPUTE = {
    "gp_search": {"search": "gp_search.csv"},
    "nn_search": {"runs": "nn_search.csv"},
    "uncertainty": {"points": "uncertainty.csv"},
    "phase": {"phase": "phase.csv"},
    "lattice": {"angles": "lattice_angles.csv", "variance": "lattice_variance.csv", "mnist": "lattice_mnist.csv"},
}
# figure -> {input name: compute output file}
NNGP_FIGURE_INPUTS = {
    "table1": {"gp": "gp_search.csv", "nn": "nn_search.csv"},
    "fig1": {"gp": "gp_search.csv", "nn": "nn_search.csv"},
    "fig3_uncertainty": {"points": "uncertainty.csv"},
    "fig4_phase": {"phase": "phase.csv"},
    "fig_lattice": {"angles": "lattice_angles.csv", "variance": "lattice_variance.csv", "mnist": "lattice_mnist.csv"},
}
# Table 1 is also written as CSV and markdown, beside its PNG and PDF.
NNGP_TABLE_OUTPUTS = {"table1": {"csv": "table1.csv", "md": "table1.md"}}


for nngp_task, nngp_outputs in NNGP_COMPUTE.items():

    rule:
        name:
            f"nngp_{nngp_task}"
        output:
            **{name: f"{NNGP_RESULTS}/{file}" for name, file in nngp_outputs.items()},
        threads: 2  # XLA and BLAS use every core they are given: two such jobs at once only contend
        params:
            task=nngp_task,
            config=group_config("nngp"),
            io=io_args,
        resources:
            **COMPUTE_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{NNGP_RESULTS}/logs/{nngp_task}.log",
        benchmark:
            f"{NNGP_RESULTS}/benchmarks/{nngp_task}.tsv"
        shell:
            "python -m replications nngp {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


for nngp_figure, nngp_inputs in NNGP_FIGURE_INPUTS.items():

    rule:
        name:
            f"nngp_{nngp_figure}"
        input:
            **{name: f"{NNGP_RESULTS}/{file}" for name, file in nngp_inputs.items()},
        output:
            png=report(
                f"{NNGP_FIGURES}/{nngp_figure}.png",
                caption=f"report/nngp/{nngp_figure}.rst",
                category="Lee et al. 2018 (NNGP)",
            ),
            pdf=f"{NNGP_FIGURES}/{nngp_figure}.pdf",
            **{name: f"{NNGP_FIGURES}/{file}" for name, file in NNGP_TABLE_OUTPUTS.get(nngp_figure, {}).items()},
        params:
            task=nngp_figure,
            config=group_config("nngp"),
            io=io_args,
        resources:
            **LIGHT_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{NNGP_RESULTS}/logs/{nngp_figure}.log",
        shell:
            "python -m replications nngp {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


rule nngp_claims:
    """Judge the NNGP claims from the tables (bounds pre-registered in replications/nngp/claims.py)."""
    input:
        **{name.removesuffix(".csv"): f"{NNGP_RESULTS}/{name}" for outs in NNGP_COMPUTE.values() for name in outs.values()},
        figures=expand(f"{NNGP_FIGURES}/{{figure}}.png", figure=NNGP_FIGURE_INPUTS),
    output:
        claims=f"{NNGP_FIGURES}/claims.json",
    params:
        config=group_config("nngp"),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{NNGP_RESULTS}/logs/claims.log",
    shell:
        "python -m replications nngp claims --config {params.config:q} {params.io} > {log} 2>&1"
