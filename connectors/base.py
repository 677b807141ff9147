"""The connector framework: a connector is a declaration, the framework runs it.

A connector subclass declares its ``kind`` and a default :class:`Dialect`, and
implements :meth:`Connector.parse`, turning an opened source stream into partner
records (plain dicts). The framework maps fields, extracts external ids, turns
bad records into :class:`RecordError` values (quarantined by the runner), and
translates library exceptions.

Fetching is a sequence of :class:`Page` values from :meth:`Connector.pages`:
the runner stores each page's records, *then* saves the page's state for its
partition (Airbyte's ``close_partition``), so a killed run resumes at the first
page not stored. The default :meth:`Connector.pages` reads a file, makes a
conditional GET for a single-document feed (a 304 ends the run as
"unchanged"), or follows the partner's paginator.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any, ClassVar

from connectors.auth import Authenticator, authenticator_for
from connectors.dialects import DIALECTS, Dialect
from connectors.egress import EgressPolicy
from connectors.http import HttpSession, Limits
from connectors.mapping import compile_mapping
from connectors.pagination import Paginator, SinglePage, paginator_from_options
from connectors.policy import Key, Resolution, merge_mapping
from connectors.source import is_url, open_file
from jobgate.config import PartnerSettings
from jobgate.errors import ConfigError, FatalPartnerError, RecordError
from jobgate.schema import SourceRecord

Item = SourceRecord | RecordError


@dataclass
class Page:
    """Records read in one step, and the state to save once they are stored.

    ``state`` is saved for ``partition`` by the runner after every record of
    ``items`` is stored; the connector may update the dict while ``items`` is
    consumed (a running maximum). ``unchanged`` marks a 304: nothing to read.
    ``reset_other_partitions`` drops every other partition's state once this
    page's state is saved (the end of a harvest whose partitions were per run).
    ``seen`` lists external ids known unchanged and still offered without
    being read again (offer pages answered 304): once ``items`` is consumed,
    the runner marks them seen by this run, so a snapshot does not close them.
    ``forkable`` says ``items`` may be consumed in a forked process (it only
    reads a local file and counts into ``ctx.bytes``), see :mod:`connectors.parallel`.
    """

    partition: str
    items: Iterable[Item]
    state: dict[str, Any] | None = None
    unchanged: bool = False
    reset_other_partitions: bool = False
    forkable: bool = False
    seen: list[str] = field(default_factory=list)


@dataclass
class FetchContext:
    """What a connector may use during one run: location, state, the partner's HTTP session.

    ``partial`` is set by a connector when this run cannot be a complete
    snapshot (it resumed a killed run, or asked only for recent records): the
    runner then closes nothing. ``full_snapshot`` is set by an incremental
    connector whose run re-read everything (the periodic full read of
    :func:`full_snapshot_due`): if complete, it closes what it did not see,
    even for a partner not declared ``snapshot``.
    """

    partner: PartnerSettings
    location: str
    get_state: Callable[[str], dict[str, Any]]
    limits: Limits = field(default_factory=Limits)
    session_factory: Callable[[], HttpSession] | None = None
    partial: bool = False
    full_snapshot: bool = False
    bytes: int = 0  # read outside the session (files, a crawler)
    requests: int = 0  # made outside the session (a crawler)
    http_errors: int = 0
    _session: HttpSession | None = None

    @property
    def is_http(self) -> bool:
        """Whether the partner is read over HTTP(S)."""
        return is_url(self.location)

    @property
    def session(self) -> HttpSession:
        """The partner's one HTTP session for this run (built on first use)."""
        if self._session is None:
            if self.session_factory is None:
                raise ConfigError(f"partner {self.partner.name!r}: no HTTP session for {self.location!r}")
            self._session = self.session_factory()
        return self._session

    def state(self, partition: str = "") -> dict[str, Any]:
        """The saved state of ``partition`` (empty if none)."""
        return self.get_state(partition)

    def close(self) -> None:
        """Close the HTTP session if one was opened."""
        if self._session is not None:
            self._session.close()

#: Fields a record must have; a record without them is quarantined.
REQUIRED_FIELDS = ("title",)
#: Longest text a record field may hold (a real description is under 30,000 characters).
MAX_FIELD_CHARS = 500_000


def invalid_utf8_path(value: Any, path: str = "") -> str | None:
    """The path of the first text in ``value`` holding undecodable bytes (lone surrogates), or None.

    Documents that are not valid UTF-8 are decoded with ``surrogateescape`` so
    one bad record does not fail the feed; this finds which field of a record is bad.
    """
    if isinstance(value, str):
        if value.isascii():
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(record)"
        return None
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, sub in items:
        found = invalid_utf8_path(sub, f"{path}/{key}" if path else str(key))
        if found:
            return found
    return None


class Connector(ABC):
    """Base of every connector kind.

    Subclasses declare ``kind`` and ``default_dialect`` and implement
    :meth:`parse`. Override :meth:`post_process` to fix one partner's quirks on
    the mapped fields (return them, or raise :class:`RecordError`).

    Args:
        partner: the partner's validated settings.
    """

    kind: ClassVar[str]
    default_dialect: ClassVar[str]
    #: Status/exception → action overrides for this kind (merged over the default table).
    error_mapping: ClassVar[Mapping[Key, Resolution]] = {}
    #: ``parse`` yields only JSON types (str, numbers, dicts, lists): no JSON-safety pass needed.
    plain_records: ClassVar[bool] = False
    #: Default body limit of this kind (``None``: :class:`Limits`'s); kinds that hold a whole
    #: document in memory (JSON, CSV, RSS) keep it lower, so memory stays bounded.
    max_bytes: ClassVar[int | None] = None
    #: Set by ``parse`` when the document is not valid UTF-8 and was decoded with
    #: ``surrogateescape``: each record is then checked, and a bad one quarantined.
    invalid_utf8: bool = False

    def __init__(self, partner: PartnerSettings) -> None:
        self.partner = partner
        self.name = partner.name
        name = partner.dialect or self.default_dialect
        if name not in DIALECTS:
            raise ConfigError(
                f"partner {partner.name!r}: unknown dialect {name!r} "
                f"(known: {', '.join(sorted(DIALECTS))})"
            )
        base = DIALECTS[name]
        self.dialect = Dialect(
            name=base.name,
            item_tag=partner.item_tag or base.item_tag,
            records_path=partner.records_path or base.records_path,
            mapping={**base.mapping, **partner.mapping},
        )
        self._map = compile_mapping(tuple(self.dialect.mapping.items()))

    @abstractmethod
    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        """Yield partner records (dicts) read from ``stream``, in source order.

        Yield a :class:`RecordError` for one unreadable record and go on; raise
        :class:`FatalPartnerError` when the source as a whole cannot be read
        (the run stops, nothing is closed).
        """

    def post_process(self, fields: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        """Adjust mapped fields of one record (override for partner quirks)."""
        return fields

    # -- HTTP declarations ------------------------------------------------
    def authenticator(self) -> Authenticator:
        """The partner's auth strategy (override to give defaults, e.g. a token URL)."""
        return authenticator_for(self.partner)

    def paginator(self) -> Paginator:
        """The partner's pagination strategy, from ``options.pagination`` (default: one page)."""
        return paginator_from_options(self.partner.options)

    def limits(self) -> Limits:
        """The partner's limits: its ``options`` over this kind's defaults."""
        defaults = {"max_bytes": self.max_bytes} if self.max_bytes is not None else {}
        return Limits.from_options({**defaults, **self.partner.options})

    def make_session(self, location: str) -> HttpSession:
        """The partner's HTTP session for one run (auth, limits, merged error table)."""
        opts = self.partner.options
        auth = self.authenticator()
        return HttpSession(
            self.name,
            location,
            limits=self.limits(),
            auth=auth,
            error_mapping=merge_mapping(self.error_mapping, opts.get("error_mapping")),
            policy=EgressPolicy.for_partner(self.partner, [location, getattr(auth, "token_url", None)]),
        )

    # -- fetching ---------------------------------------------------------
    def pages(self, ctx: FetchContext) -> Iterator[Page]:
        """Yield the pages of one run, in order.

        Override for APIs whose listing is not one paginated query (France
        Travail's split queries, a crawler). Save per-partition state in each
        :class:`Page` and set ``ctx.partial`` when the run is not a complete
        snapshot. Raise :class:`FatalPartnerError` or :class:`RetriableError`.
        """
        if not ctx.is_http:
            yield Page("", self._file_items(ctx), forkable=True)
            return
        paginator = self.paginator()
        if isinstance(paginator, SinglePage):
            yield from self._conditional_pages(ctx)
        else:
            yield from self._paged(ctx, paginator)

    def _file_items(self, ctx: FetchContext) -> Iterator[Item]:
        with open_file(ctx.location, self.name, ctx.limits) as stream:
            yield from self.records(stream)
            ctx.bytes += int(getattr(stream.raw, "count", 0))

    def _conditional_pages(self, ctx: FetchContext) -> Iterator[Page]:
        """One document, asked with the validators saved by the last complete read."""
        state = ctx.state("")
        use = self.partner.options.get("conditional", True)
        response = ctx.session.get(ctx.location, validators=state.get("validators") if use else None)
        if response.unchanged:
            response.close()
            yield Page("", (), None, unchanged=True)
            return

        def items() -> Iterator[Item]:
            try:
                yield from self.records(response.body)
            finally:
                response.close()

        new_state = {k: v for k, v in state.items() if k != "validators"}
        if response.validators:
            new_state["validators"] = response.validators
        yield Page("", items(), new_state)

    def _paged(self, ctx: FetchContext, paginator: Paginator) -> Iterator[Page]:
        """Follow the paginator; resume at the saved ``next`` token of a killed run.

        With ``options.cursor_field`` (a mapped field, e.g. ``updated``) and
        ``options.since_param``, only records after the saved bookmark are asked;
        the new bookmark (the running maximum) is saved when the listing ends.
        Such a partner never lists what it removed, so every
        ``options.full_snapshot_every`` hours (or ``full_snapshot_every_runs``
        runs) the listing is read without the bookmark, and that complete read
        closes what it did not see (see :func:`full_snapshot_due`).
        """
        opts = self.partner.options
        state = ctx.state("")
        token = state.get("next")
        resumed = token is not None
        if not resumed:
            token = paginator.start
        else:
            ctx.partial = True  # the pages before ``token`` were stored by an earlier run
        bookmark = state.get("bookmark")
        running = state.get("running_max", bookmark)
        cursor_field, since_param = opts.get("cursor_field"), opts.get("since_param")
        base_params = {str(k): str(v) for k, v in (opts.get("params") or {}).items()}
        keep: dict[str, Any] = {k: state[k] for k in ("last_full", "incremental_runs") if k in state}
        if since_param and bookmark:
            # A resumed run finishes the pass it resumes; a new one may be the periodic full read.
            full = state.get("pass") == "full" if resumed else full_snapshot_due(
                opts, state.get("last_full"), int(state.get("incremental_runs", 0)), datetime.now(UTC))
            if full:
                ctx.full_snapshot = True
            else:
                base_params[str(since_param)] = str(bookmark)
                ctx.partial = True  # only recent records: not a snapshot
        else:
            full = True
        this_pass = {"pass": "full" if full else "incremental"}
        while True:
            url = ctx.session.url(paginator.url(token, ctx.location))
            response = ctx.session.get(url, params={**base_params, **paginator.params(token)})
            try:
                items = list(self.records(response.body))
                nxt = paginator.next_token(token, response, len(items), self.name)
            finally:
                response.close()
            if cursor_field:
                values = [str(i.fields[cursor_field]) for i in items
                          if isinstance(i, SourceRecord) and i.fields.get(cursor_field)]
                running = max([*values, *([running] if running else [])], default=None)
            if nxt is None:
                done: dict[str, Any]
                if full:
                    done = {"last_full": _fmt_time(datetime.now(UTC)), "incremental_runs": 0}
                else:
                    done = {**keep, "incremental_runs": int(keep.get("incremental_runs", 0)) + 1}
                yield Page("", items, {"next": None, "bookmark": running or bookmark, **done})
                return
            if nxt == token:
                raise FatalPartnerError(self.name, f"pagination does not advance past {token!r}")
            yield Page("", items, {"next": nxt, "bookmark": bookmark, "running_max": running, **keep, **this_pass})
            token = nxt

    def records(self, stream: IO[bytes]) -> Iterator[Item]:
        """Parse, map and validate records; bad ones come out as :class:`RecordError`."""
        for index, item in enumerate(self.parse(stream)):
            if isinstance(item, RecordError):
                yield item
                continue
            try:
                yield self.to_source_record(item, index)
            except RecordError as err:
                err.payload = _dump(item, self.invalid_utf8)
                yield err

    def to_source_record(self, record: dict[str, Any], index: int) -> SourceRecord:
        """Map one partner record to a :class:`SourceRecord` or raise :class:`RecordError`."""
        fields = self._map(record)
        ext = fields.pop("external_id", None)
        if isinstance(ext, (int, float)):
            ext = str(ext)
        if not isinstance(ext, str) or not ext.strip():
            raise RecordError(self.name, f"#{index + 1}", "no external id", field="external_id")
        ext = ext.strip()
        if len(ext) > 512:
            raise RecordError(self.name, ext[:40] + "...", "external id longer than 512 characters", field="external_id")
        fields = self.post_process(fields, record)
        for name in REQUIRED_FIELDS:
            value = fields.get(name)
            if not isinstance(value, str) or not value.strip():
                raise RecordError(self.name, ext, "missing or empty", field=name)
        for name, value in fields.items():
            if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                raise RecordError(self.name, ext, f"{len(value)} characters, over the {MAX_FIELD_CHARS}-character "
                                  "limit", field=name)
        if self.invalid_utf8:
            bad = invalid_utf8_path(fields) or invalid_utf8_path(record)
            if bad:
                raise RecordError(self.name, ext, "bytes that are not valid UTF-8", field=bad)
        if self.plain_records:
            return SourceRecord(partner=self.name, external_id=ext, fields=fields, payload=record)
        return SourceRecord(partner=self.name, external_id=ext, fields=_jsonable(fields), payload=_jsonable(record))


#: Default hours between the full reads of an incremental partner (daily).
FULL_SNAPSHOT_HOURS = 24.0
_TIME = "%Y-%m-%dT%H:%M:%SZ"


def full_snapshot_due(opts: Mapping[str, Any], last_full: str | None, incremental_runs: int, now: datetime) -> bool:
    """Whether an incremental partner's next run must re-read everything.

    Due when no full read was recorded, after ``full_snapshot_every`` hours
    (default 24; ``0`` makes every run full; ``false`` never, for a partner
    whose listing cannot be read whole), or after ``full_snapshot_every_runs``
    incremental runs when that is set. ``full_refresh_hours`` is the older
    name of ``full_snapshot_every``.
    """
    hours = opts.get("full_snapshot_every", opts.get("full_refresh_hours", FULL_SNAPSHOT_HOURS))
    if hours is False:
        return False
    if last_full is None:
        return True
    runs = opts.get("full_snapshot_every_runs")
    if runs and incremental_runs >= int(runs):
        return True
    last = datetime.strptime(last_full, _TIME).replace(tzinfo=UTC)
    return now - last >= timedelta(hours=float(hours))


def _fmt_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_TIME)


def _dump(record: Any, escape: bool = False) -> str:
    """A record as JSON text for the quarantine (never fails; ``escape`` keeps bad bytes as ``\\udcXX``)."""
    return json.dumps(record, ensure_ascii=escape, default=str)


def _jsonable(value: Any) -> Any:
    """Make a value JSON-safe (datetimes, structs from feedparser...)."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))


def raise_unreadable(partner: str, what: str, exc: Exception) -> FatalPartnerError:
    """A fatal error for a source that cannot be parsed at all."""
    return FatalPartnerError(partner, f"cannot read {what}: {exc}")
