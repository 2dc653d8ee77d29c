"""The back office's learning loop: missed caller phrases grouped for the admins, and one
group assigned to an intent (or to out-of-scope, or to a new knowledge-base answer) as a new
flow version.

`missed_groups` reads two separate lists over the last `days` days (`ivr.storage.missed`):
the caller turns the understander did not match or matched with an intent confidence below
the published flow's intents threshold (0-1), grouped (`dialogs.nlu.grouping.group_phrases`,
suggestions scored at `now`); and the turns the recogniser heard with a confidence below
`MISHEARD_BELOW` (0-1), listed apart since their text may be wrong. `assign` adds the
phrases as examples to the published version's intents file (`propose_examples`: held-out
lines of the evaluation set are never added); `assign_new_answer` makes a new intent of
them (`propose_new_intent`) answered by a new knowledge-base entry and an answer node
(`dialogs.kb_answer.add_answer`). Either stores a new version only when neither held-out
accuracy dropped and the flow's conversation tests all pass; otherwise nothing is stored
and the result lists the broken lines and failing conversations. The new version is not
published: the admin publishes it as any other. Blocking (NLU training, about a second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from dialogs.errors import DialogsError
from dialogs.kb_answer import add_answer
from dialogs.new_intent import intent_name, propose_new_intent
from dialogs.nlu.errors import NluError
from dialogs.nlu.evalset import EvalSet, eval_path_of_intents, load_eval_set, parse_eval_set
from dialogs.nlu.grouping import MissedPhrase, PhraseGroup, group_phrases
from dialogs.nlu.proposal import Proposal, propose_examples
from dialogs.nlu.understander import FrenchUnderstander
from dialogs.yaml_safe import safe_load
from ivr.flow_bundle import check_bundle, run_tests
from ivr.flows_live import LiveFlow
from ivr.storage import flow_bundles, missed
from ivr.storage.errors import InvalidValue
from ivr.storage.records import FlowBundle, FlowVersionRecord
from ivr.storage.web_sessions import SignedIn
from ivr.web.context import WebContext
from ivr.web.routes_flows import save_changes

MISHEARD_BELOW = 0.5
"""Recogniser confidence (0-1) under which a caller turn is listed as possibly misheard."""


@dataclass(frozen=True, slots=True)
class Missed:
    live: LiveFlow
    threshold: float
    """The intents file's threshold (0-1) under which a turn counts as missed."""
    groups: list[PhraseGroup]
    intents: list[str]
    """The intents a group may be assigned to."""
    misheard: list[missed.Phrase]
    """What the recogniser heard with a confidence below `MISHEARD_BELOW`, apart."""


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
    since = until - timedelta(days=days)
    with ctx.database.transaction() as s:
        rows = missed.missed_phrases(s, since, until, threshold,
                                     heard_from=live.loaded.flow.asr_confidence)
        misheard = missed.misheard_phrases(s, since, until, MISHEARD_BELOW)
    phrases = [MissedPhrase(text, confidence or 0.0, count) for text, confidence, count in rows]
    groups = group_phrases(phrases, understander, now)
    intents = sorted(intent.name for intent in understander.model.intents)
    return Missed(live, threshold, groups, intents, misheard)


def _intents_file(bundle: FlowBundle) -> str:
    try:
        main = safe_load(bundle.files[0][1])
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


def _published(ctx: WebContext, name: str) -> tuple[LiveFlow, FlowBundle, str]:
    live = ctx.flows.current(name)
    if live.version is None:
        raise InvalidValue(f"no published version of {name}: publish one first")
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, live.version)
    return live, bundle, _intents_file(bundle)


def _store_if_sound(ctx: WebContext, who: SignedIn, bundle: FlowBundle, proposal: Proposal,
                    changes: dict[str, str]) -> Assignment:
    """Store `changes` as a new version when the proposal keeps precision and the flow's
    conversation tests all pass with them; else nothing is stored."""
    if not proposal.accepted:
        return Assignment(proposal, (), None)
    files = {**dict(bundle.files), **changes}
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
    version = bundle.version
    record = save_changes(ctx, who, version.name, version.version, changes)
    return Assignment(proposal, (), record)


def assign(ctx: WebContext, who: SignedIn, name: str, target: str,
           phrases: list[str]) -> Assignment:
    """Make a new version of the published flow with `phrases` as examples of `target`."""
    _live, bundle, intents_file = _published(ctx, name)
    try:
        proposal = propose_examples(bundle.text(intents_file) or "", target, phrases,
                                    _eval_set(ctx, bundle, intents_file), source=intents_file)
    except NluError as err:
        raise InvalidValue(str(err)) from err
    return _store_if_sound(ctx, who, bundle, proposal, {intents_file: proposal.text})


def assign_new_answer(ctx: WebContext, who: SignedIn, name: str, title: str, answer: str,
                      phrases: list[str]) -> Assignment:
    """Make a new version of the published flow where `phrases` are the examples of a new
    intent named after `title`, answered by a new knowledge-base entry saying `answer`."""
    _live, bundle, intents_file = _published(ctx, name)
    try:
        topic = intent_name(title)
        proposal = propose_new_intent(bundle.text(intents_file) or "", topic, title.strip(),
                                      phrases, _eval_set(ctx, bundle, intents_file),
                                      source=intents_file)
        if not proposal.accepted:
            return Assignment(proposal, (), None)
        changes = add_answer(dict(bundle.files), bundle.main_file, topic,
                             list(proposal.addition.added), answer)
    except (DialogsError, NluError) as err:
        raise InvalidValue(str(err)) from err
    return _store_if_sound(ctx, who, bundle, proposal,
                           {**changes, intents_file: proposal.text})
