# Neal 1994, Priors for Infinite Networks: prior samples -> tables -> figures -> claims.
# Compute tasks are in replications/neal/experiments.py, one figure module per figure, claims in claims.py.

NEAL_RESULTS = f"{RESULTS}/neal"
NEAL_FIGURES = f"{FIGURES}/neal"
# compute task -> its outputs (name -> file under results/neal/)
NEAL_COMPUTE = {
    "samples_1d": {"samples": "samples_1d.npz"},
    "samples_2d": {"samples": "samples_2d.npz"},
    "convergence": {"kurtosis": "kurtosis.csv", "samples": "convergence.npz"},
    "covariance": {"covariance": "covariance.csv"},
    "roughness": {"roughness": "roughness.csv"},
    "stable_samples": {"samples": "stable_samples.npz"},
    "fractional": {"samples": "fractional.npz", "roughness": "fractional_roughness.csv"},
    "two_layer": {"samples": "two_layer.npz"},
    "dominance": {"dominance": "dominance.csv"},
}
# figure -> the compute task it draws
NEAL_FIGURES_FROM = {
    "fig_1d_samples": "samples_1d",
    "fig_2d_samples": "samples_2d",
    "fig_convergence": "convergence",
    "fig_covariance": "covariance",
    "fig_roughness": "roughness",
    "fig_stable": "stable_samples",
    "fig_fractional": "fractional",
    "fig_two_layer": "two_layer",
    "fig_dominance": "dominance",
}


for neal_task in NEAL_COMPUTE:

    rule:
        name:
            f"neal_{neal_task}"
        output:
            **{name: f"{NEAL_RESULTS}/{file}" for name, file in NEAL_COMPUTE[neal_task].items()},
        threads: 2  # XLA uses every core it is given: two such jobs at once only contend
        params:
            task=neal_task,
            config=task_config("neal", neal_task),
            io=io_args,
        resources:
            **COMPUTE_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{NEAL_RESULTS}/logs/{neal_task}.log",
        benchmark:
            f"{NEAL_RESULTS}/benchmarks/{neal_task}.tsv"
        shell:
            "python -m replications neal {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


for neal_figure, neal_task in NEAL_FIGURES_FROM.items():

    rule:
        name:
            f"neal_{neal_figure}"
        input:
            **{name: f"{NEAL_RESULTS}/{file}" for name, file in NEAL_COMPUTE[neal_task].items()},
        output:
            png=report(
                f"{NEAL_FIGURES}/{neal_figure}.png",
                caption=f"report/neal/{neal_figure}.rst",
                category="Neal 1994",
            ),
            pdf=f"{NEAL_FIGURES}/{neal_figure}.pdf",
        params:
            task=neal_figure,
            config=task_config("neal", neal_task),
            io=io_args,
        resources:
            **LIGHT_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{NEAL_RESULTS}/logs/{neal_figure}.log",
        shell:
            "python -m replications neal {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


rule neal_claims:
    """Judge Neal's claims from the tables (bounds pre-registered in replications/neal/claims.py)."""
    input:
        kurtosis=f"{NEAL_RESULTS}/kurtosis.csv",
        convergence=f"{NEAL_RESULTS}/convergence.npz",
        covariance=f"{NEAL_RESULTS}/covariance.csv",
        roughness=f"{NEAL_RESULTS}/roughness.csv",
        dominance=f"{NEAL_RESULTS}/dominance.csv",
        figures=expand(f"{NEAL_FIGURES}/{{figure}}.png", figure=NEAL_FIGURES_FROM),
    output:
        claims=f"{NEAL_FIGURES}/claims.json",
    params:
        config=group_config("neal"),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{NEAL_RESULTS}/logs/claims.log",
    shell:
        "python -m replications neal claims --config {params.config:q} {params.io} > {log} 2>&1"
