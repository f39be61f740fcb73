"""Selection by evidence: the rules' shortlist, scored by the same leak-free k-fold on the
training split, with the winner chosen by cross-validation alone.

Optuna runs the search: each candidate is enqueued once, in the shortlist's order (the rule's
pick first, and with two trials before any pruning it is always scored in full), a
percentile pruner stops a hopeless candidate, one whose running mean over its first folds falls
in the lowest quarter of those the candidates before it had after as many folds (the running mean,
not the fold alone: judged one fold at a time, default_credit's deeper MLP was stopped after two
folds whose mean led the field), and the study is stored in SQLite where DVC versions it. The hold-out
rows never reach this module: it is handed the training split only.

The winner is the best mean, unless the rule's pick is within one standard error of it (the
one-standard-error rule of Breiman et al.; the larger of the two candidates' standard errors,
so a lead must stand out of the noise of both): on a few dozen rows, or a few folds of one
series, a candidate's lead over the rule's pick is often smaller than the folds' own spread,
and such a lead is noise, not evidence. Measured on the bundled examples: on AirPassengers a
direct network led the rule's encoder-decoder in 3 time-ordered folds (MAE 21.5 against 24.6,
spread 7) and scored MAPE 5.3 % on the held-out year against the encoder-decoder's 3.85 %; on
GunPoint's 50 sequences the FCN at twice the filters led the rule's FCN by 0.96 ± 0.08 against
0.92 in 5 folds and scored 0.973 on the hold-out against the rule's 1.000.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from archflow.modalities.base import Candidate
from archflow.promotion import HIGHER_IS_BETTER
from archflow.selection import ArchitectureChoice
from archflow.training import FoldResult, TrainingConfig, cross_validate_folds

STUDY_FILE = "study.db"


@dataclasses.dataclass(frozen=True)
class SearchBudget:
    trials: int  # candidates scored at most
    folds: int
    max_rows: int
    minutes: float  # 0: no limit


SMALL_DATA_ROWS = 1_000  # up to this many training rows the search uses the training's own folds


def search_folds(requested: str, rows: int, train_folds: int) -> int:
    """``select.folds``: a number, or auto: the training's own folds on small data (searching a
    few hundred rows is cheap, and three folds of a few dozen rows are mostly noise: on
    ItalyPowerDemand's 67 sequences, 3-fold CV put the FCN 0.03 ahead of the GRU that scores
    higher on the held-out sequences), 3 folds above. ``rows`` is the training split's size, not
    the search's sample: a sample is drawn because the split is large (and its rows costly)."""
    if requested != "auto":
        return int(requested)
    return train_folds if rows <= SMALL_DATA_ROWS else min(3, train_folds)


def with_candidate(choice: ArchitectureChoice, candidate: Candidate) -> ArchitectureChoice:
    return dataclasses.replace(choice, architecture=candidate.architecture, hyperparameters=dict(candidate.hyperparameters), training=dict(candidate.training))


def search_rows(train_frame: pd.DataFrame, choice: ArchitectureChoice, target: str, max_rows: int, seed: int) -> pd.DataFrame:
    """The training split, or a seeded sample of ``max_rows`` of it (stratified for classes)
    when it is larger: the search scales down on big data, the winner then trains on all."""
    from archflow.modalities import modality_named

    if len(train_frame) <= max_rows or not modality_named(choice.modality).rows_are_independent:
        return train_frame
    from sklearn.model_selection import train_test_split

    stratify = train_frame[target].astype(str) if choice.classes else None
    kept, _ = train_test_split(train_frame, train_size=max_rows, random_state=seed, stratify=stratify)
    return kept.reset_index(drop=True)


@dataclasses.dataclass
class SearchOutcome:
    choice: ArchitectureChoice  # the winner
    table: list[dict]  # the CV table, best first
    reason: str  # why the winner won, in words
    winner_folds: list[FoldResult] | None  # the winner's folds, when they are exactly the training's own (else None)


def run_search(
    train_frame: pd.DataFrame,
    choice: ArchitectureChoice,
    candidates: list[Candidate],
    config: TrainingConfig,
    budget: SearchBudget,
    metric: str,
    study_dir: str | Path,
    training: Callable,
    log: Callable[[str], None] = print,
    runner=None,
) -> SearchOutcome:
    """Score each candidate by ``budget.folds``-fold cross-validation on the training split and
    return the winner (its choice), the CV table, best first, and why the winner won. ``training(rows, choice,
    config)`` gives the folds and fitter (the modality's). Ties keep the earlier candidate
    (the rule's pick first). ``runner`` (archflow.parallel) trains each candidate's folds in
    parallel."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    shortlist = candidates[: budget.trials]
    rows = search_rows(train_frame, choice, config.target, budget.max_rows, config.seed)
    search_config = dataclasses.replace(config, folds=budget.folds)
    configs = [search_config.for_choice(with_candidate(choice, candidate)) for candidate in shortlist]  # a candidate may have its own learning rate
    higher = metric in HIGHER_IS_BETTER
    study_dir = Path(study_dir)
    study_dir.mkdir(parents=True, exist_ok=True)
    (study_dir / STUDY_FILE).unlink(missing_ok=True)  # one study per search: the file holds this one
    log(f"search: {len(shortlist)} candidates, {budget.folds}-fold cross-validation on {len(rows)} training rows, by {metric}")
    study = optuna.create_study(
        study_name="archflow-select",
        storage=f"sqlite:///{(study_dir / STUDY_FILE).resolve()}",
        direction="maximize" if higher else "minimize",
        sampler=optuna.samplers.RandomSampler(seed=config.seed),  # never consulted: every trial is enqueued below
        # keeps the best 75 % at each fold (Optuna counts the percentile kept): stops only the worst quarter
        pruner=optuna.pruners.PercentilePruner(75.0, n_startup_trials=2, n_warmup_steps=0),
    )
    started = time.monotonic()
    fold_scores: dict[int, list[float]] = {}
    # the search's folds are the training's own when it sees every training row with train.folds
    # folds and the same settings (seeded per fold): then training need not repeat the winner's
    own_folds = len(rows) == len(train_frame) and budget.folds == config.folds
    finished: dict[int, list[FoldResult]] = {}  # then each fully scored candidate's folds, models included

    def objective(trial: optuna.Trial) -> float:
        index = trial.suggest_categorical("candidate", list(range(len(shortlist))))
        candidate = shortlist[index]
        trial.set_user_attr("label", candidate.label)
        scores = fold_scores.setdefault(index, [])

        def report(fold: FoldResult) -> None:
            value = float(fold.scores[metric])
            scores.append(value)
            running = float(np.mean(scores))  # a fold alone is noise; the mean so far is the evidence
            trial.report(running if math.isfinite(running) else (-math.inf if higher else math.inf), fold.fold - 1)
            if trial.should_prune():
                raise optuna.TrialPruned(f"after fold {fold.fold}: mean {metric} {running:.4f} in the lowest quarter of the candidates before it")

        folds, fitter = training(rows, with_candidate(choice, candidate), configs[index])
        log(f"search: candidate {index + 1}/{len(shortlist)} '{candidate.label}' ({candidate.architecture}, {candidate.varies})")
        results = cross_validate_folds(folds, fitter, configs[index], log=lambda text: log(f"search '{candidate.label}' {text}"), after_fold=report, runner=runner)
        if own_folds:
            finished[index] = results
        return float(np.mean(scores))

    def out_of_time(study, trial) -> None:
        if budget.minutes and time.monotonic() - started > 60 * budget.minutes:
            study.stop()

    for index in range(len(shortlist)):  # in the shortlist's order: the rule's pick first, so it is scored in full
        study.enqueue_trial({"candidate": index})
    study.optimize(objective, n_trials=len(shortlist), callbacks=[out_of_time], catch=())
    table = []
    for trial in sorted(study.trials, key=lambda t: t.number):
        index = trial.params["candidate"]
        candidate, scores = shortlist[index], fold_scores.get(index, [])
        table.append({
            "candidate": candidate.label, "architecture": candidate.architecture, "hyperparameters": candidate.hyperparameters, "varies": candidate.varies,
            "learning_rate": configs[index].learning_rate,
            "metric": metric, "mean": float(np.mean(scores)) if scores else None, "std": float(np.std(scores)) if scores else None,
            "folds_scored": len(scores), "state": "pruned" if trial.state == optuna.trial.TrialState.PRUNED else "complete" if trial.state == optuna.trial.TrialState.COMPLETE else trial.state.name.lower(),
        })
    complete = [row for row in table if row["state"] == "complete"]
    best = max(complete, key=lambda row: (row["mean"] if higher else -row["mean"], -table.index(row)))
    rule = next((row for row in complete if row["candidate"] == shortlist[0].label), None)
    if rule is not None and best is not rule:
        # the lead must stand out of the noise of both estimates: the larger of the two standard errors
        standard_error = max(row["std"] / math.sqrt(max(row["folds_scored"] - 1, 1)) for row in (rule, best))
        if abs(best["mean"] - rule["mean"]) <= standard_error + 1e-12:  # a lead of exactly one standard error is still noise
            best = {**rule, "within_one_se_of": {"candidate": best["candidate"], "mean": best["mean"], "standard_error": standard_error}}
            table[table.index(rule)] = best
    ranked = sorted(table, key=lambda row: (row["state"] != "complete", -(row["mean"] or 0) if higher else (row["mean"] or 0), table.index(row)))
    winner_index = [c.label for c in shortlist].index(best["candidate"])
    table = [{**row, "chosen": row is best} for row in ranked]
    reason = verdict_reason(table, budget.folds, len(rows), len(rows) < len(train_frame))
    return SearchOutcome(with_candidate(choice, shortlist[winner_index]), table, reason, finished.get(winner_index))


def verdict_reason(table: list[dict], folds: int, rows: int, sampled: bool) -> str:
    """Why the winner won, in words, for the choice's reasons and the card."""
    best = next(row for row in table if row["chosen"])
    others = [row for row in table if not row["chosen"]]
    where = f"{folds}-fold cross-validation on {'a sample of ' if sampled else ''}{rows} training rows"
    compared = "; ".join(
        f"'{row['candidate']}' {row['mean']:.4f}" + (f" (stopped after {row['folds_scored']} fold(s))" if row["state"] == "pruned" else "")
        for row in others if row["mean"] is not None
    )
    rule = "the rule of thumb's own pick" if best["candidate"] == "rule" else f"{best['varies']}, not the rule of thumb's pick"
    kept = best.get("within_one_se_of")
    if kept:
        rule += f"; '{kept['candidate']}' scored {kept['mean']:.4f}, within one standard error ({kept['standard_error']:.4f}) of it: a lead that small is noise, so the rule's pick stays"
    return f"{where} chose '{best['candidate']}' ({rule}): {best['metric']} {best['mean']:.4f} ± {best['std']:.4f}" + (f", against {compared}" if compared else "")
