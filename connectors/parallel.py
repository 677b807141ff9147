"""Parsing and mapping in a second process, feeding prepared batches to the writer.

A big feed file costs CPU in two places of about the same size: reading it
(XML parsing, field mapping, validation, JSON serialisation and hashing) and
writing it (the database). :func:`prepared_batches` forks a producer that
does the first part and sends batches of
:class:`~jobgate.storage.rawbulk.PreparedRecord` through a pipe, while the
calling process writes the previous batch: two cores instead of one.

The pipe holds one batch at a time (the producer's ``send`` returns once the
writer has taken it), so memory stays bounded whatever the feed size. The
producer never touches the database: the writer still stores each batch, and
the runner saves state only after the whole page is stored.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from connectors.base import FetchContext, Item
from jobgate.errors import (
    FatalPartnerError,
    JobgateError,
    PartnerError,
    RecordError,
    RetriableError,
)
from jobgate.storage.rawbulk import PreparedRecord, prepare_record

Batch = tuple[list[PreparedRecord], list[RecordError]]


def can_fork() -> bool:
    """Whether a forked producer is possible and useful here.

    POSIX fork, more than one core, and not inside a daemonic process (a
    Celery prefork worker is one, and may not start children).
    """
    return ("fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1
            and not multiprocessing.current_process().daemon)


def prepared_batches(items: Iterable[Item], ctx: FetchContext, batch: int) -> Iterator[Batch]:
    """Batches of prepared records and record errors, produced by a forked child.

    ``items`` is consumed in the child (a fork shares the open file and the
    generator's state); what the child counted in ``ctx`` (bytes read) is
    added back here at the end. A partner error raised by the connector in
    the child is raised again here, with its type and reason.
    """
    mp = multiprocessing.get_context("fork")
    receiver, sender = mp.Pipe(duplex=False)
    proc = mp.Process(target=_produce, args=(items, ctx, sender, batch), daemon=True)
    proc.start()
    sender.close()
    try:
        while True:
            try:
                msg = receiver.recv()
            except EOFError:
                raise JobgateError(f"partner {ctx.partner.name!r}: the record producer died") from None
            kind = msg[0]
            if kind == "batch":
                yield msg[1], [_error_from(t) for t in msg[2]]
            elif kind == "end":
                ctx.bytes += msg[1]
                ctx.requests += msg[2]
                ctx.http_errors += msg[3]
                return
            elif kind == "partner_error":
                cls = {"RetriableError": RetriableError}.get(msg[1], FatalPartnerError)
                raise cls(msg[2], msg[3])
            else:
                raise JobgateError(f"partner {ctx.partner.name!r}: record producer failed: {msg[1]}")
    finally:
        receiver.close()
        if proc.is_alive():
            proc.terminate()  # the writer stopped early (an error): the producer's work is moot
        proc.join()


def _produce(items: Iterable[Item], ctx: FetchContext, out: Connection, batch: int) -> None:
    """Child body: read, map, prepare; send batches then the counters (or the error)."""
    start = (ctx.bytes, ctx.requests, ctx.http_errors)
    records: list[PreparedRecord] = []
    errors: list[tuple[Any, ...]] = []
    try:
        for item in items:
            if isinstance(item, RecordError):
                errors.append((item.partner, item.external_id, item.reason, item.field, item.payload))
            else:
                records.append(prepare_record(item))
            if len(records) + len(errors) >= batch:
                out.send(("batch", records, errors))
                records, errors = [], []
        out.send(("batch", records, errors))
        out.send(("end", ctx.bytes - start[0], ctx.requests - start[1], ctx.http_errors - start[2]))
    except PartnerError as exc:
        out.send(("partner_error", type(exc).__name__, exc.partner, exc.reason))
    except Exception as exc:  # reported to the writer, which fails the run with it
        out.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        out.close()


def _error_from(t: tuple[Any, ...]) -> RecordError:
    err = RecordError(t[0], t[1], t[2], field=t[3])
    err.payload = t[4]
    return err
