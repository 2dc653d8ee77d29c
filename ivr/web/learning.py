"""The back office's learning loop: missed caller phrases grouped for the admins, and one
group assigned to an intent (or to out-of-scope) as a new flow version.

`missed_groups` reads the caller turns not understood, or understood with a confidence below
the published flow's intents threshold (0-1), over the last `days` days, and groups them
(`dialogs.nlu.grouping.group_phrases`, suggestions scored at `now`). `assign` adds the phrases
as examples to the published version's intents file (`propose_examples`: held-out lines of
the evaluation set are never added), and stores a new version only when neither held-out
accuracy dropped and the flow's conversation tests all pass; otherwise nothing is stored and
the result lists the broken lines and failing conversations. The new version is not
published: the admin publishes it as any other. Blocking (NLU training, about a second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from dialogs.nlu.errors import NluError
from dialogs.nlu.evalset import EvalSet, eval_path_of_intents, load_eval_set, parse_eval_set
from dialogs.nlu.grouping import MissedPhrase, PhraseGroup, group_phrases
from dialogs.nlu.proposal import Proposal, propose_examples
from dialogs.nlu.understander import FrenchUnderstander
from ivr.flow_bundle import check_bundle, run_tests
from ivr.flows_live import LiveFlow
from ivr.storage import flow_bundles, missed
from ivr.storage.errors import InvalidValue
from ivr.storage.records import FlowBundle, FlowVersionRecord
from ivr.storage.web_sessions import SignedIn
from ivr.web.context import WebContext
from ivr.web.routes_flows import save_changes


@dataclass(frozen=True, slots=True)
class Missed:
    live: LiveFlow
    threshold: float
    """The intents file's threshold (0-1) under which a turn counts as missed."""
    groups: list[PhraseGroup]
    intents: list[str]
    """The intents a group may be assigned to."""


@dataclass(frozen=True, slots=True)
class Assignment:
    proposal: Proposal
    failures: tuple[str, ...]
    """Conversation tests that fail with the new examples (and flow errors)."""
    record: FlowVersionRecord | None
    """The new version, None when refused or when nothing was added."""


def _understander(live: LiveFlow) -> FrenchUnderstander:
    if not isinstance(live.understander, FrenchUnderstander):
        raise InvalidValue(f"flow {live.name} has no intents file to learn from")
    return live.understander


def missed_groups(ctx: WebContext, name: str, days: int, now: datetime) -> Missed:
    """The missed phrases of the last `days` days, grouped (`now`: naive local time)."""
    live = ctx.flows.current(name)
    understander = _understander(live)
    threshold = understander.model.threshold
    until = datetime.now(UTC)
    with ctx.database.transaction() as s:
        rows = missed.missed_phrases(s, until - timedelta(days=days), until, threshold)
    phrases = [MissedPhrase(text, confidence or 0.0, count) for text, confidence, count in rows]
    groups = group_phrases(phrases, understander, now)
    intents = sorted(intent.name for intent in understander.model.intents)
    return Missed(live, threshold, groups, intents)


def _intents_file(bundle: FlowBundle) -> str:
    try:
        main = yaml.safe_load(bundle.files[0][1])
    except yaml.YAMLError:
        main = None
    filename = main.get("nlu") if isinstance(main, dict) else None
    if not isinstance(filename, str) or bundle.text(filename) is None:
        raise InvalidValue(f"version {bundle.version.version} of {bundle.version.name} has "
                           "no intents file")
    return filename


def _eval_set(ctx: WebContext, bundle: FlowBundle, intents_file: str) -> EvalSet:
    """The held-out set: the bundle's `NAME.nlu-eval.tsv`, else the shipped one."""
    eval_name = eval_path_of_intents(intents_file).name
    text = bundle.text(eval_name)
    if text is not None:
        return parse_eval_set(text, eval_name)
    shipped = ctx.flows.fallback.get(bundle.version.name)
    path = Path(shipped).parent / eval_name if shipped is not None else None
    if path is None or not path.exists():
        raise InvalidValue(f"no evaluation set {eval_name}: the precision check cannot run")
    return load_eval_set(path)


def assign(ctx: WebContext, who: SignedIn, name: str, target: str,
           phrases: list[str]) -> Assignment:
    """Make a new version of the published flow with `phrases` as examples of `target`."""
    live = ctx.flows.current(name)
    if live.version is None:
        raise InvalidValue(f"no published version of {name}: publish one first")
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, live.version)
    intents_file = _intents_file(bundle)
    try:
        proposal = propose_examples(bundle.text(intents_file) or "", target, phrases,
                                    _eval_set(ctx, bundle, intents_file), source=intents_file)
    except NluError as err:
        raise InvalidValue(str(err)) from err
    if not proposal.accepted:
        return Assignment(proposal, (), None)
    files = dict(bundle.files)
    files[intents_file] = proposal.text
    checked = check_bundle(files, bundle.main_file, ctx.flows.make_understander)
    failures = [f"{i.file}: {i.message}" for i in checked.errors]
    if checked.understander is not None and not failures:
        understander = checked.understander
        report = run_tests(files, lambda _loaded: understander)
        failures += [f"{outcome.name} : {failure}" for _f, outcome in report.failures
                     for failure in outcome.failures]
        failures += [f"{i.file}: {i.message}" for i in report.issues]
    if failures:
        return Assignment(proposal, tuple(failures), None)
    record = save_changes(ctx, who, name, live.version, {intents_file: proposal.text})
    return Assignment(proposal, (), record)
