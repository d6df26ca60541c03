# Mean-field limits of two-layer nets (Mei-Montanari-Nguyen, Chizat-Bach, Chizat-Oyallon-Bach,
# Rotskoff-Vanden-Eijnden) and the NTK / mean-field contrast -> tables -> figures -> claims.
# Compute tasks in replications/meanfield/{mmn,particles,lazy}.py, one figure module per figure, claims in claims.py.

MEANFIELD_RESULTS = f"{RESULTS}/meanfield"
MEANFIELD_FIGURES = f"{FIGURES}/meanfield"
# compute task -> its outputs (name -> file under results/meanfield/)
MEANFIELD_COMPUTE = {
    "mmn_radial": {"radii": "mmn_radii.csv", "risk": "mmn_risk.csv"},
    "cb_particles": {"losses": "cb_losses.csv", "paths": "cb_paths.csv", "teacher": "cb_teacher.csv"},
    "lazy": {"trajectories": "lazy_trajectories.csv", "teacher": "lazy_teacher.csv", "test_loss": "lazy_test_loss.csv"},
    "rv_scaling": {"losses": "rv_losses.csv"},
    "contrast": {"changes": "contrast_changes.csv", "weights": "contrast_weights.csv"},
}


for meanfield_task in MEANFIELD_COMPUTE:

    rule:
        name:
            f"meanfield_{meanfield_task}"
        output:
            **{name: f"{MEANFIELD_RESULTS}/{file}" for name, file in MEANFIELD_COMPUTE[meanfield_task].items()},
        threads: 2  # XLA uses every core it is given: two such jobs at once only contend
        params:
            task=meanfield_task,
            config=task_config("meanfield", meanfield_task),
            io=io_args,
        resources:
            **COMPUTE_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{MEANFIELD_RESULTS}/logs/{meanfield_task}.log",
        benchmark:
            f"{MEANFIELD_RESULTS}/benchmarks/{meanfield_task}.tsv"
        shell:
            "python -m replications meanfield {params.task} --config {params.config:q} {params.io} > {log} 2>&1"

    rule:
        name:
            f"meanfield_fig_{meanfield_task}"
        input:
            **{name: f"{MEANFIELD_RESULTS}/{file}" for name, file in MEANFIELD_COMPUTE[meanfield_task].items()},
        output:
            png=report(
                f"{MEANFIELD_FIGURES}/fig_{meanfield_task}.png",
                caption=f"report/meanfield/fig_{meanfield_task}.rst",
                category="Mean field (Mei et al.; Chizat-Bach; Chizat et al.; Rotskoff-Vanden-Eijnden)",
            ),
            pdf=f"{MEANFIELD_FIGURES}/fig_{meanfield_task}.pdf",
        params:
            task=f"fig_{meanfield_task}",
            config=task_config("meanfield", meanfield_task),
            io=io_args,
        resources:
            **LIGHT_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{MEANFIELD_RESULTS}/logs/fig_{meanfield_task}.log",
        shell:
            "python -m replications meanfield {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


rule meanfield_claims:
    """Judge the mean-field claims from the tables (bounds pre-registered in replications/meanfield/claims.py)."""
    input:
        **{
            name.removesuffix(".csv"): f"{MEANFIELD_RESULTS}/{name}"
            for outs in MEANFIELD_COMPUTE.values()
            for name in outs.values()
        },
        figures=expand(f"{MEANFIELD_FIGURES}/fig_{{task}}.png", task=MEANFIELD_COMPUTE),
    output:
        claims=f"{MEANFIELD_FIGURES}/claims.json",
    params:
        config=group_config("meanfield"),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{MEANFIELD_RESULTS}/logs/claims.log",
    shell:
        "python -m replications meanfield claims --config {params.config:q} {params.io} > {log} 2>&1"
