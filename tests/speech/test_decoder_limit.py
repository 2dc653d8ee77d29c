"""The shelf's limit on decoders lent at once: utterances past it wait on the event loop (first
come, first served) and get a decoder given back from a decoder thread; a waiter that gives up
passes its place on. The decoders here are plain objects: what is tested is the lending, the
real Vosk decoders are in test_decoders.py and test_stream.py."""

from __future__ import annotations

import asyncio

import pytest

from speech.decoders import Decoder, DecoderShelf


def shelf(limit: int) -> DecoderShelf:
    return DecoderShelf(lambda grammar: object(), limit=limit)


async def test_past_the_limit_an_utterance_waits_for_a_decoder_given_back() -> None:
    decoders = shelf(2)
    first, second = await decoders.borrow("[]"), await decoders.borrow("[]")
    waiting = asyncio.ensure_future(decoders.borrow("[]"))
    await asyncio.sleep(0.05)
    assert not waiting.done() and decoders.lent == 2 and decoders.waited == 1
    await asyncio.to_thread(decoders.give_back, first)  # from a decoder thread
    assert await asyncio.wait_for(waiting, 1.0) is first  # the warm one, not a new one
    assert decoders.made == 2 and decoders.lent == 2
    decoders.give_back(second)
    decoders.give_back(first)
    assert decoders.lent == 0 and decoders.idle == 2


async def test_waiters_are_served_in_order_and_a_new_grammar_gets_a_new_decoder() -> None:
    decoders = shelf(1)
    held = await decoders.borrow("[]")
    one = asyncio.ensure_future(decoders.borrow('["oui", "non"]'))
    await asyncio.sleep(0)
    two = asyncio.ensure_future(decoders.borrow("[]"))
    await asyncio.sleep(0.02)
    decoders.give_back(held)
    grammar_decoder = await asyncio.wait_for(one, 1.0)
    assert grammar_decoder is not held and grammar_decoder.grammar == '["oui", "non"]'
    assert not two.done()
    decoders.give_back(grammar_decoder)
    assert await asyncio.wait_for(two, 1.0) is held
    assert decoders.made == 2


async def test_a_waiter_that_gives_up_passes_its_place_on() -> None:
    decoders = shelf(1)
    held = await decoders.borrow("[]")
    quitter = asyncio.ensure_future(decoders.borrow("[]"))
    patient = asyncio.ensure_future(decoders.borrow("[]"))
    await asyncio.sleep(0.02)
    quitter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await quitter
    decoders.give_back(held)
    assert await asyncio.wait_for(patient, 1.0) is held
    decoders.give_back(held)
    assert decoders.lent == 0


async def test_a_waiter_cancelled_as_it_is_served_gives_the_decoder_back() -> None:
    decoders = shelf(1)
    held = await decoders.borrow("[]")
    waiter = asyncio.ensure_future(decoders.borrow("[]"))
    await asyncio.sleep(0.02)
    decoders.give_back(held)  # hands it over (scheduled on the loop) ...
    waiter.cancel()  # ... while the call hangs up
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.02)
    assert decoders.lent == 0 and decoders.idle == 1
    assert await decoders.borrow("[]") is held


def test_threads_take_without_waiting_and_a_failed_build_frees_its_place() -> None:
    def make(grammar: str) -> object:
        if grammar == "broken":
            raise RuntimeError("no such grammar")
        return object()

    decoders = DecoderShelf(make, limit=1)
    taken = [decoders.take("[]"), decoders.take("[]")]  # evaluation threads never wait
    assert decoders.lent == 2 and all(isinstance(d, Decoder) for d in taken)
    with pytest.raises(RuntimeError):
        decoders.take("broken")
    for decoder in taken:
        decoders.give_back(decoder)
    assert decoders.lent == 0


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        DecoderShelf(lambda grammar: object(), limit=0)


def test_a_limited_shelf_keeps_every_decoder_it_lends() -> None:
    decoders = shelf(40)  # warm decoders are dear: none is freed while the limit allows it
    taken = [decoders.take("[]") for _ in range(40)]
    for decoder in taken:
        decoders.give_back(decoder)
    assert decoders.idle == 40 and decoders.made == 40


def test_decoders_built_with_a_phrase_list_are_counted_apart() -> None:
    decoders = shelf(4)
    free = decoders.take("[]")
    phrases = decoders.take('["oui", "non"]')
    decoders.give_back(phrases)
    decoders.give_back(decoders.take('["oui", "non"]'))  # the idle one again: none built
    assert decoders.stock(Decoder(object(), '["un", "deux"]'))
    decoders.give_back(free)
    assert decoders.made == 3 and decoders.made_phrase_lists == 2
