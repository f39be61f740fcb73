"""The markdown report, written like a model card."""

from __future__ import annotations


def _fmt(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.4f}"


def scores_table(test: dict, baselines: dict, cv: dict) -> str:
    names = [n for n in test if not isinstance(test[n], dict)]
    header = "| metric | model (test) | cv mean ± std | " + " | ".join(f"{b} (test)" for b in baselines) + " |"
    rule = "|---" * (3 + len(baselines)) + "|"
    rows = [
        f"| {n} | **{_fmt(test[n])}** | {_fmt(cv.get(n, {}).get('mean'))} ± {_fmt(cv.get(n, {}).get('std'))} | "
        + " | ".join(_fmt(baselines[b].get(n)) for b in baselines)
        + " |"
        for n in names
    ]
    return "\n".join([header, rule, *rows])


def per_class_table(per_class: dict) -> str:
    rows = [f"| {c} | {_fmt(v['precision'])} | {_fmt(v['recall'])} | {v['support']} |" for c, v in per_class.items()]
    return "\n".join(["| class | precision | recall | support |", "|---|---|---|---|", *rows])


def verdict_lines(verdict: dict) -> list[str]:
    """The promotion gate's decision: the headline first, then both models' scores."""
    metric = verdict["metric"]
    lines = [f"**{verdict['headline']}**", "", f"| model | hold-out {metric} |", "|---|---|", f"| candidate | {_fmt(verdict['candidate'])} |"]
    lines.append(f"| production (before this run) | {_fmt(verdict['production'])} |")
    lines.append(f"| {verdict['baseline_name']} baseline | {_fmt(verdict['baseline'])} |")
    where = verdict["production_path"] if verdict["promoted"] else f"{verdict['candidate_path']} (kept for inspection; production in {verdict['production_path']} unchanged)"
    return [*lines, "", f"- This model: {where}"]


def render_report(*, source: dict, profile: dict, validation: dict, selection: dict, training: dict, test: dict, baselines: dict, cv: dict, figures: list[str], verdict: dict) -> str:
    """Markdown: the promotion verdict, data, validation, architecture and why, cross-validation,
    test vs baselines."""
    hp = ", ".join(f"{k}={v}" for k, v in selection["hyperparameters"].items())
    lines = [
        f"# archflow model card: {source['source']}",
        "",
        "## Promotion",
        *verdict_lines(verdict),
        "",
        "## Data",
        f"- Source: {source['description']}" + (f" (sha256 {source['sha256'][:12]}…)" if source.get("sha256") else ""),
        f"- {profile['rows']} rows x {profile['columns']} columns; target `{profile['target']}`",
    ]
    if profile.get("target_counts"):
        lines.append("- Target counts: " + ", ".join(f"{k}: {v}" for k, v in profile["target_counts"].items()))
    missing = {k: v["missing"] for k, v in profile["column_profiles"].items() if v["missing"]}
    lines.append("- Missing values: " + (", ".join(f"{k}: {v}" for k, v in missing.items()) or "none"))
    lines += [
        "",
        "## Validation",
        f"- Great Expectations: {validation['checks'] - validation['failed']}/{validation['checks']} checks passed against `{validation.get('schema', 'the schema')}`",
        "",
        "## Architecture",
        f"- **{selection['architecture']}** for a {selection['modality']} {selection['task']} task ({hp}); head: {selection['head']['activation']} x {selection['head']['units']}, loss {selection['head']['loss']}; imbalance: {selection['imbalance']}",
        "- Why:",
        *[f"  - {reason}" for reason in selection["reasons"]],
        "",
        "## Training",
        f"- {training['folds']}-fold cross-validation on the training split ({training['train_rows']} rows); preprocessing and resampling fitted inside each fold",
        f"- Final model trained on the whole training split for {training['final_epochs']} epochs (median best epoch across folds"
        + (f"; per phase {training['phase_epochs']}" if training.get("phase_epochs") else "")
        + f"); device: {training['device']}",
        "",
        f"## Hold-out test ({training['test_rows']} rows) against baselines",
        scores_table(test, baselines, cv),
    ]
    if test.get("per_class"):
        lines += ["", "### Per class (hold-out)", per_class_table(test["per_class"])]
    lines += ["", "## Figures", *[f"![{name}]({name})" for name in figures], ""]
    return "\n".join(lines)
