"""The markdown report, written like a model card."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from archflow.promotion import HIGHER_IS_BETTER, LOWER_IS_BETTER


def _fmt(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.4f}"


def _ranked(metric: str, value, others: list) -> bool:
    """The network's score is strictly better than every baseline's on this metric."""
    if value is None or value != value or metric not in HIGHER_IS_BETTER | LOWER_IS_BETTER:
        return False
    better = (lambda a, b: a > b) if metric in HIGHER_IS_BETTER else (lambda a, b: a < b)
    return all(better(value, other) for other in others if other is not None and other == other)


def scores_table(test: dict, baselines: dict, cv: dict) -> str:
    """Hold-out scores beside the baselines'; the network's score is bold only where it beats them all."""
    names = [n for n in test if not isinstance(test[n], dict)]
    header = "| metric | model (test) | cv mean ± std | " + " | ".join(f"{b} (test)" for b in baselines) + " |"
    rule = "|---" * (3 + len(baselines)) + "|"
    rows = [
        f"| {n} | {('**' + _fmt(test[n]) + '**') if _ranked(n, test[n], [baselines[b].get(n) for b in baselines]) else _fmt(test[n])} | {_fmt(cv.get(n, {}).get('mean'))} ± {_fmt(cv.get(n, {}).get('std'))} | "
        + " | ".join(_fmt(baselines[b].get(n)) for b in baselines)
        + " |"
        for n in names
    ]
    return "\n".join([header, rule, *rows])


def baseline_verdict(metric: str, test: dict, baselines: dict) -> str:
    """One honest line: does the network beat, tie or lose to the best baseline on ``metric``?"""
    scored = {name: scores.get(metric) for name, scores in baselines.items() if scores.get(metric) is not None and scores.get(metric) == scores.get(metric)}
    value = test.get(metric)
    if not scored or value is None:
        return f"No baseline scored {metric} on the hold-out."
    pick = max if metric in HIGHER_IS_BETTER else min
    best = pick(scored, key=scored.get)
    if value == scored[best]:
        return f"The network only ties the best baseline, {best}, on hold-out {metric} ({_fmt(value)}): the simpler model does as well."
    if _ranked(metric, value, [scored[best]]):
        return f"The network beats the best baseline, {best}, on hold-out {metric}: {_fmt(value)} against {_fmt(scored[best])}."
    return f"**A baseline is better:** {best} scores {_fmt(scored[best])} on hold-out {metric} against the network's {_fmt(value)}; prefer it, or give the network more data or training."


def cv_verdict(metric: str, cv: dict, baseline_cv: dict) -> str:
    """The same honest comparison in cross-validation: the network's folds against the
    baselines fitted and scored on those very folds."""
    scored = {name: scores[metric] for name, scores in baseline_cv.items() if metric in scores and scores[metric]["mean"] == scores[metric]["mean"]}
    if metric not in cv or not scored:
        return f"No baseline was cross-validated on {metric}."
    pick = max if metric in HIGHER_IS_BETTER else min
    best = pick(scored, key=lambda name: scored[name]["mean"])
    mine, theirs = cv[metric], scored[best]
    said = f"{metric} {_fmt(mine['mean'])} ± {_fmt(mine['std'])} against {best}'s {_fmt(theirs['mean'])} ± {_fmt(theirs['std'])}"
    if mine["mean"] == theirs["mean"]:
        return f"In cross-validation on the same folds, the network only ties the best baseline: {said}."
    if _ranked(metric, mine["mean"], [theirs["mean"]]):
        return f"In cross-validation on the same folds, the network beats the best baseline: {said}."
    return f"**In cross-validation on the same folds, a baseline is better:** {said}."


def run_summary(metrics: dict, verdict: dict | None, card: str, model: str) -> list[str]:
    """What a finished run tells the terminal: the hold-out scores beside the best baseline's,
    the honest comparison, the promotion verdict, and where the card and the model are."""
    test, baselines = metrics.get("test", {}), metrics.get("baseline", {})
    headline = [n for n in test if not isinstance(test[n], dict)]
    metric = (verdict or {}).get("metric") or (headline[0] if headline else "")
    scored = {name: s[metric] for name, s in baselines.items() if s.get(metric) is not None and s.get(metric) == s.get(metric)}
    lines = ["hold-out: " + ", ".join(f"{n} {_fmt(test[n])}" for n in headline)]
    if scored:
        best = (max if metric in HIGHER_IS_BETTER else min)(scored, key=scored.get)
        lines.append(f"best baseline ({best}): " + ", ".join(f"{n} {_fmt(baselines[best].get(n))}" for n in headline))
    lines.append(baseline_verdict(metric, test, baselines).replace("**", ""))
    if verdict:
        lines.append(verdict["headline"])
    lines += [f"model card: {card}", f"production model: {model}"]
    return lines


def training_lines(training: dict) -> list[str]:
    """The settings the model was trained with, and a flag when early stopping never fired."""
    lines = [
        f"- Settings: learning rate {training.get('learning_rate')}, up to {training.get('epochs_cap')} epochs, patience {training.get('patience')}, "
        f"batch size {training.get('batch_size')}, seed {training.get('seed')}; best epoch per fold {training.get('best_epochs')}"
    ]
    capped = [i + 1 for i, best in enumerate(training.get("best_epochs") or []) if best >= (training.get("epochs_cap") or float("inf"))]
    if capped:
        lines.append(f"- **The best epoch hit the cap** ({training['epochs_cap']}) in fold(s) {capped}: the model may be undertrained; raise train.epochs")
    return lines


def provenance_lines(provenance: dict, source: dict) -> list[str]:
    return [
        f"- Evaluated {provenance['date']}; code version (git commit) {provenance['commit']}",
        f"- Data: {source['description']}" + (f", sha256 {source['sha256']}" if source.get("sha256") else ""),
    ]


def use_lines(selection: dict, training: dict, profile: dict, test_rows: int) -> list[str]:
    """Intended use and limitations, from what the model was trained on."""
    return [
        f"- Intended use: predicting `{profile['target']}` ({selection['task']}) for new {selection['modality']} data drawn like the training data "
        f"({training['train_rows']} training rows), through `archflow predict`, which refuses rows that do not fit the model's inputs.",
        f"- Limitations: scores come from one hold-out of {test_rows} rows and {training['folds']}-fold cross-validation on the training split; "
        "data outside the ranges and categories in the schema, or from a shifted population, is not covered by them; "
        "the model has not been checked for fairness across groups.",
    ]


FIGURE = re.compile(r"!\[([^\]]*)\]\(([^)\s/]+\.png)\)")


def embed_figures(markdown: str, folder: str | Path) -> str:
    """The card with each figure as a data URI, so it renders where relative paths do not (the
    Prefect UI's artifact view)."""

    def inline(match: re.Match) -> str:
        path = Path(folder) / match.group(2)
        if not path.is_file():
            return match.group(0)
        return f"![{match.group(1)}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"

    return FIGURE.sub(inline, markdown)


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


def final_model_line(training: dict) -> str:
    """How the kept model was made: the fold models averaged, or one refit."""
    if training.get("final_model") == "bag":
        how = f"the {training['folds']} fold models averaged (a bag): each early-stopped on its own validation rows, together they saw every training row"
    else:
        how = f"trained on the whole training split for {training['final_epochs']} epochs (median best epoch across folds" + (f"; per phase {training['phase_epochs']}" if training.get("phase_epochs") else "") + ")"
    note = f" ({training['final_note']})" if training.get("final_note") else ""
    return f"- Final model: {how}{note}; device: {training['device']}"


def candidate_lines(table: list[dict]) -> list[str]:
    """The search's CV table: every candidate scored, best first, the chosen one marked."""
    if not table:
        return []
    metric = table[0]["metric"]
    lines = ["", f"### Candidates (cross-validation on the training split, by {metric.replace('_', ' ')})", "",
             "| candidate | architecture | varies | mean | spread (std) | folds | |", "|---|---|---|---|---|---|---|"]
    for row in table:
        mean = "" if row["mean"] is None else f"{row['mean']:.4f}"
        spread = "" if row["std"] is None else f"{row['std']:.4f}"
        mark = "**chosen**" if row["chosen"] else "stopped early (hopeless after a fold)" if row["state"] == "pruned" else ""
        lines.append(f"| {row['candidate']} | {row['architecture']} | {row['varies']} | {mean} | {spread} | {row['folds_scored']} | {mark} |")
    return lines


def render_report(*, source: dict, profile: dict, validation: dict, selection: dict, training: dict, test: dict, baselines: dict, cv: dict, figures: list[str], verdict: dict, provenance: dict, baseline_cv: dict | None = None) -> str:
    """Markdown: the promotion verdict, provenance, intended use, data, validation, architecture
    and why, training settings, cross-validation, test vs baselines with an honest verdict line."""
    hp = ", ".join(f"{k}={v}" for k, v in selection["hyperparameters"].items())
    lines = [
        f"# archflow model card: {source['source']}",
        "",
        "## Promotion",
        *verdict_lines(verdict),
        "",
        "## Provenance",
        *provenance_lines(provenance, source),
        "",
        "## Intended use and limitations",
        *use_lines(selection, training, profile, training["test_rows"]),
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
        *candidate_lines(selection.get("candidates") or []),
        "",
        "## Training",
        f"- {training['folds']}-fold cross-validation on the training split ({training['train_rows']} rows); preprocessing and resampling fitted inside each fold",
        final_model_line(training),
        *training_lines(training),
        "",
        f"## Hold-out test ({training['test_rows']} rows) against baselines",
        baseline_verdict(verdict["metric"], test, baselines),
        *(["", cv_verdict(verdict["metric"], cv, baseline_cv)] if baseline_cv else []),
        "",
        scores_table(test, baselines, cv),
    ]
    if test.get("per_class"):
        lines += ["", "### Per class (hold-out)", per_class_table(test["per_class"])]
    lines += ["", "## Figures", *[f"![{name}]({name})" for name in figures], ""]
    return "\n".join(lines)
