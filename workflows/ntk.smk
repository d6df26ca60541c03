# Jacot et al. 2018 and Lee et al. 2019: wide nets train as kernel gradient descent -> tables -> figures -> claims.
# Compute tasks are in replications/ntk/experiments.py, one figure module per figure, claims in claims.py.

NTK_RESULTS = f"{RESULTS}/ntk"
NTK_FIGURES = f"{FIGURES}/ntk"
# compute task -> its outputs (name -> file under results/ntk/)
NTK_COMPUTE = {
    "kernel_circle": {"kernels": "kernels.csv", "limit": "kernel_limit.csv"},
    "function_circle": {"functions": "functions.csv", "limit": "function_limit.csv", "points": "function_points.csv"},
    "pca": {"eigenvalues": "pca_eigenvalues.csv", "components": "pca_components.csv", "training": "pca_training.csv"},
    "relchange": {"changes": "relchange.csv"},
    "linear": {"curves": "linear_curves.csv", "outputs": "linear_outputs.csv", "gaps": "linear_gaps.csv"},
}
# figure -> the compute task it draws
NTK_FIGURES_FROM = {
    "fig1_kernel": "kernel_circle",
    "fig2_function": "function_circle",
    "fig3_pca": "pca",
    "fig_relchange": "relchange",
    "fig_linear": "linear",
}


for ntk_task in NTK_COMPUTE:

    rule:
        name:
            f"ntk_{ntk_task}"
        output:
            **{name: f"{NTK_RESULTS}/{file}" for name, file in NTK_COMPUTE[ntk_task].items()},
        threads: 2  # XLA uses every core it is given: two such jobs at once only contend
        params:
            task=ntk_task,
            config=task_config("ntk", ntk_task),
            io=io_args,
        resources:
            **COMPUTE_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{NTK_RESULTS}/logs/{ntk_task}.log",
        benchmark:
            f"{NTK_RESULTS}/benchmarks/{ntk_task}.tsv"
        shell:
            "python -m replications ntk {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


for ntk_figure, ntk_task in NTK_FIGURES_FROM.items():

    rule:
        name:
            f"ntk_{ntk_figure}"
        input:
            **{name: f"{NTK_RESULTS}/{file}" for name, file in NTK_COMPUTE[ntk_task].items()},
        output:
            png=report(
                f"{NTK_FIGURES}/{ntk_figure}.png",
                caption=f"report/ntk/{ntk_figure}.rst",
                category="Jacot et al. 2018; Lee et al. 2019 (NTK)",
            ),
            pdf=f"{NTK_FIGURES}/{ntk_figure}.pdf",
        params:
            task=ntk_figure,
            config=task_config("ntk", ntk_task),
            io=io_args,
        resources:
            **LIGHT_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{NTK_RESULTS}/logs/{ntk_figure}.log",
        shell:
            "python -m replications ntk {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


rule ntk_claims:
    """Judge the NTK claims from the tables (bounds pre-registered in replications/ntk/claims.py)."""
    input:
        **{
            name.removesuffix(".csv"): f"{NTK_RESULTS}/{name}"
            for outs in NTK_COMPUTE.values()
            for name in outs.values()
        },
        figures=expand(f"{NTK_FIGURES}/{{figure}}.png", figure=NTK_FIGURES_FROM),
    output:
        claims=f"{NTK_FIGURES}/claims.json",
    params:
        config=group_config("ntk"),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{NTK_RESULTS}/logs/claims.log",
    shell:
        "python -m replications ntk claims --config {params.config:q} {params.io} > {log} 2>&1"
