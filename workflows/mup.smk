# abc-parametrizations and muP (Tensor Programs IV, V) and Depth-muP (VI): data -> tables -> figures -> claims.
# Compute tasks in replications/mup/{abc,experiments}.py, one figure module per figure, claims in claims.py.

MUP_RESULTS = f"{RESULTS}/mup"
MUP_FIGURES = f"{FIGURES}/mup"
MUP_DATA = f"{MUP_RESULTS}/data/mnist1d_n{config['mup']['data']['mnist1d_samples']}_seed{config['mup']['seed']}.npz"
# compute task -> its outputs (name -> file under results/mup/)
MUP_COMPUTE = {
    "abc": {"table": "abc_table.csv", "phase": "abc_phase.csv"},
    "coordcheck": {"deltas": "coordcheck_deltas.csv"},
    "maxlr": {"runs": "maxlr_runs.csv", "maxlr": "maxlr.csv"},
    "transfer": {"losses": "transfer_losses.csv", "tuning": "transfer_tuning.csv"},
    "depth": {"losses": "depth_losses.csv"},
}
MUP_ON_MNIST1D = ("coordcheck", "transfer", "depth")
# figure -> (the compute task whose tables it draws, the extra outputs beside png and pdf)
MUP_FIGURE_TASKS = {
    "tab_abc": ("abc", {"md": "tab_abc.md"}),
    "fig_abc_phase": ("abc", {}),
    "fig_coordcheck": ("coordcheck", {}),
    "fig_maxlr": ("maxlr", {}),
    "fig3_mlp_transfer": ("transfer", {}),
    "fig_depth_transfer": ("depth", {}),
}


rule mup_data:
    """MNIST-1D generated offline (the mnist1d package), shared by the MNIST-1D tasks."""
    output:
        data=MUP_DATA,
    params:
        config=task_config("mup", "data"),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{MUP_RESULTS}/logs/data.log",
    benchmark:
        f"{MUP_RESULTS}/benchmarks/data.tsv"
    shell:
        "python -m replications mup data --config {params.config:q} {params.io} > {log} 2>&1"


for mup_task in MUP_COMPUTE:

    rule:
        name:
            f"mup_{mup_task}"
        input:
            **({"data": MUP_DATA} if mup_task in MUP_ON_MNIST1D else {}),
        output:
            **{name: f"{MUP_RESULTS}/{file}" for name, file in MUP_COMPUTE[mup_task].items()},
        threads: 2  # XLA uses every core it is given: two such jobs at once only contend
        params:
            task=mup_task,
            config=task_config("mup", mup_task),
            io=io_args,
        resources:
            **COMPUTE_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{MUP_RESULTS}/logs/{mup_task}.log",
        benchmark:
            f"{MUP_RESULTS}/benchmarks/{mup_task}.tsv"
        shell:
            "python -m replications mup {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


for mup_figure, (mup_source, mup_extra) in MUP_FIGURE_TASKS.items():

    rule:
        name:
            f"mup_{mup_figure}"
        input:
            **{name: f"{MUP_RESULTS}/{file}" for name, file in MUP_COMPUTE[mup_source].items()},
        output:
            png=report(
                f"{MUP_FIGURES}/{mup_figure}.png",
                caption=f"report/mup/{mup_figure}.rst",
                category="muP (Tensor Programs IV, V, VI)",
            ),
            pdf=f"{MUP_FIGURES}/{mup_figure}.pdf",
            **{name: f"{MUP_FIGURES}/{file}" for name, file in mup_extra.items()},
        params:
            task=mup_figure,
            config=task_config("mup", mup_source),
            io=io_args,
        resources:
            **LIGHT_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{MUP_RESULTS}/logs/{mup_figure}.log",
        shell:
            "python -m replications mup {params.task} --config {params.config:q} {params.io} > {log} 2>&1"


rule mup_claims:
    """Judge the muP claims from the tables (bounds pre-registered in replications/mup/claims.py)."""
    input:
        **{name.removesuffix(".csv"): f"{MUP_RESULTS}/{name}" for outs in MUP_COMPUTE.values() for name in outs.values()},
        figures=expand(f"{MUP_FIGURES}/{{figure}}.png", figure=MUP_FIGURE_TASKS),
    output:
        claims=f"{MUP_FIGURES}/claims.json",
    params:
        config=group_config("mup"),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{MUP_RESULTS}/logs/claims.log",
    shell:
        "python -m replications mup claims --config {params.config:q} {params.io} > {log} 2>&1"
