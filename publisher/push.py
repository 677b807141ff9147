"""Push delivery: send each partner's pending delivery-log rows to its HTTP endpoint.

A partner is pushed to when its ``options`` name a ``push_url``::

    [[partners]]
    name = "keljob"
    receives = ["offers", "cvs"]
    auth = { push_token = "KELJOB_PUSH_TOKEN" }     # env var; sent as "Authorization: Bearer …"
    options = { push_url = "https://api.keljob.example/jobgate/offers", push_method = "POST" }

* upsert: ``POST {push_url}`` (or ``PUT {push_url}/{id}`` with ``push_method = "PUT"``), body
  the JSON item of :func:`publisher.formats.jsonfeed.offer_json` built from
  :func:`~publisher.diffusion.visible_offer` (what this partner may see, nothing more);
* withdrawal: ``DELETE {push_url}/{id}``;
* CVs go to ``options.cv_push_url`` (default ``{push_url}/cvs``) the same way, with the
  partner's opaque CV id (see :mod:`publisher.cvs`).

Every request carries ``Idempotency-Key`` = the row's ``idempotency_key``: delivery is
at least once, and a partner that deduplicates by key sees every item exactly once.

Per item: up to ``push_attempts`` tries in a run with exponential backoff and jitter;
``Retry-After`` of a 429/503 is honoured. A transient failure (network, timeout, 408,
429, 5xx) that outlasts them leaves the row ``failed-retrying`` with ``next_attempt_at``
and stops the partner's run, so a partner that is down is not hammered and gets its
backlog, in order, once it answers again (the whole partner waits until the earliest
``next_attempt_at`` among its retrying rows). Any other 4xx marks the row ``failed``
with the reason: not retried until its content changes (the publish stage requeues it)
or an operator calls :func:`retry_failed`; never lost. A ``DELETE`` answered 404 or 410
counts as delivered (the partner does not have it, which is what we wanted).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlparse

import httpx
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from connectors.egress import EgressPolicy, EgressRefused
from jobgate.config import PartnerSettings, Settings
from jobgate.errors import ConfigError
from jobgate.failpoints import failpoint
from jobgate.redaction import redact
from jobgate.schema import CatalogueOffer
from jobgate.storage import Store
from jobgate.storage.models import Cluster, Delivery, utcnow
from publisher import cvs
from publisher.diffusion import offer_url, visible_offer
from publisher.formats.base import json_compact as _dumps
from publisher.formats.jsonfeed import offer_json

log = logging.getLogger("jobgate.publisher.push")

#: Rows in these states are sent (when due).
DUE_STATUSES = ("pending", "failed-retrying")
#: Longest ``Retry-After`` waited within a run; a longer one reschedules the partner.
MAX_INLINE_WAIT = 30.0
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_ERROR_BODY_CHARS = 500
_BATCH = 200
_MAX_ERRORS = 50


@dataclass
class DeliveryReport:
    """What one push run did for one partner.

    Attributes:
        delivered: rows the partner acknowledged (2xx; 404/410 on DELETE).
        failed: rows refused for good (4xx other than 408/429), kept with the reason.
        retrying: rows left for a later run (partner down, slow, or throttling).
        requests: HTTP requests sent (retries included).
        skipped: why nothing was sent, when nothing was (no push URL, backing off).
        next_attempt_at: when the partner should be tried again, if it is backing off.
        errors: the last error of each row that did not get through (the first 50).
    """

    partner: str
    delivered: int = 0
    failed: int = 0
    retrying: int = 0
    requests: int = 0
    skipped: str | None = None
    next_attempt_at: datetime | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PushConfig:
    """A partner's push endpoint and retry policy (from its ``options``)."""

    url: str
    cv_url: str
    method: str
    headers: dict[str, str] = field(repr=False)  # holds the partner's credential: never printed
    attempts: int
    backoff: float
    backoff_max: float
    timeout: float
    egress: EgressPolicy = field(repr=False)  # the hosts requests may go to (connectors.egress)


@dataclass(frozen=True)
class _Outcome:
    kind: str  # delivered | failed | transient
    error: str | None = None
    retry_after: float | None = None
    status: int | None = None


def push_config(settings: Settings, partner: PartnerSettings) -> PushConfig | None:
    """The push configuration of ``partner``, or ``None`` when it only pulls.

    Options: ``push_url`` (http or https), ``push_method`` (``POST`` or ``PUT``),
    ``cv_push_url``, ``push_auth_header`` (default ``Authorization``),
    ``push_auth_scheme`` (default ``Bearer``), and per-partner overrides of the
    ``[publisher]`` settings ``push_attempts``, ``push_backoff_seconds``,
    ``push_backoff_max_seconds``, ``push_timeout_seconds``. The credential is
    read from the environment variable named by ``auth.push_token``, else by
    ``api_key_env`` (then sent as ``X-API-Key``).

    Raises:
        ConfigError: a push option is malformed (names the partner and option).
    """
    opts = partner.options
    url = opts.get("push_url")
    if not url:
        return None

    def bad(option: str, why: str) -> ConfigError:
        return ConfigError(f"partner {partner.name!r}: options.{option} {why}")

    for option in ("push_url", "cv_push_url"):
        value = opts.get(option)
        if value is not None and (not isinstance(value, str)
                                  or urlparse(value).scheme not in ("http", "https")):
            raise bad(option, f"must be an http(s) URL, not {value!r}")
    method = str(opts.get("push_method", "POST")).upper()
    if method not in ("POST", "PUT"):
        raise bad("push_method", f"must be POST or PUT, not {opts.get('push_method')!r}")
    pub = settings.publisher

    def number(option: str, default: float) -> float:
        value = opts.get(option, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise bad(option, f"must be a non-negative number, not {value!r}")
        return float(value)

    headers = {"Content-Type": "application/json", "User-Agent": "jobgate-publisher/1"}
    token = partner.secret("push_token")
    if token:
        scheme = str(opts.get("push_auth_scheme", "Bearer"))
        headers[str(opts.get("push_auth_header", "Authorization"))] = f"{scheme} {token}".strip()
    else:
        key = partner.secret("api_key")
        if key:
            headers["X-API-Key"] = key
    return PushConfig(
        url=url.rstrip("/"),
        cv_url=str(opts.get("cv_push_url") or url.rstrip("/") + "/cvs").rstrip("/"),
        method=method,
        headers=headers,
        attempts=max(1, int(number("push_attempts", pub.push_attempts))),
        backoff=number("push_backoff_seconds", pub.push_backoff_seconds),
        backoff_max=number("push_backoff_max_seconds", pub.push_backoff_max_seconds),
        timeout=max(0.001, number("push_timeout_seconds", pub.push_timeout_seconds)),
        egress=EgressPolicy.for_partner(partner),
    )


def push_partners(settings: Settings) -> list[PartnerSettings]:
    """Enabled partners with a push endpoint."""
    return [p for p in settings.partners if p.enabled and p.options.get("push_url")]


def deliver(store: Store, settings: Settings, **kwargs: Any) -> list[DeliveryReport]:
    """Push every push partner's pending deliveries (see :func:`deliver_partner`)."""
    return [deliver_partner(store, settings, p, **kwargs) for p in push_partners(settings)]


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1-based): exponential, capped, with jitter.

    "Equal jitter": half the exponential delay plus a random share of the other
    half, so retries of many rows or gateways spread out but never come at once.
    """
    exp = min(cap, base * (2 ** max(0, attempt - 1)))
    r = (rng or random).random()
    return exp / 2 + r * exp / 2


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_failed(store: Store, partner: str) -> int:
    """Requeue a partner's rows refused for good (after the partner fixed its side)."""
    with store.session() as s:
        res = s.execute(
            update(Delivery)
            .where(Delivery.partner == partner, Delivery.status == "failed")
            .values(status="pending", next_attempt_at=None)
        )
        return int(getattr(res, "rowcount", 0) or 0)


def deliver_partner(
    store: Store,
    settings: Settings,
    partner: PartnerSettings,
    *,
    client: httpx.Client | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send ``partner``'s due delivery-log rows to its push endpoint, in order.

    Rows are taken in the order they changed (``updated_at``, then id). Each
    outcome is committed as soon as it is known, so a run killed halfway
    resumes where it stopped (at worst resending one row under the same key).

    Args:
        client: the HTTP client (default: a fresh one with the partner's timeout).
        now: the current time (default: now, UTC); rows whose ``next_attempt_at``
            is later are not due.
        sleep: how to wait between retries (tests pass a recorder).
        rng: random source of the backoff jitter.

    Returns:
        What was delivered, refused or left for later.

    Raises:
        ConfigError: the partner's push options are malformed.
    """
    report = DeliveryReport(partner=partner.name)
    cfg = push_config(settings, partner)
    if cfg is None:
        report.skipped = "no options.push_url: the partner pulls its feed"
        return report
    if not partner.enabled:
        report.skipped = "partner disabled"
        return report
    now = _aware(now or utcnow())
    with store.session() as s:
        hold = s.scalar(select(func.max(Delivery.next_attempt_at)).where(
            Delivery.partner == partner.name, Delivery.status == "failed-retrying"))
    if hold is not None and _aware(hold) > now:
        report.skipped = "backing off"
        report.next_attempt_at = _aware(hold)
        report.retrying = _count_due(store, partner.name)
        return report

    http = client or httpx.Client(timeout=cfg.timeout, follow_redirects=False,
                                  event_hooks={"request": [cfg.egress.hook]})
    try:
        _run(store, settings, partner, cfg, http, now, sleep, rng, report)
    finally:
        if client is None:
            http.close()
    log.info("push finished", extra={"partner": partner.name, "delivered": report.delivered,
                                     "failed": report.failed, "retrying": report.retrying,
                                     "requests": report.requests})
    return report


def _run(
    store: Store,
    settings: Settings,
    partner: PartnerSettings,
    cfg: PushConfig,
    http: httpx.Client,
    now: datetime,
    sleep: Callable[[float], None],
    rng: random.Random | None,
    report: DeliveryReport,
) -> None:
    last: tuple[datetime, int] | None = None
    while True:
        with store.session() as s:
            q = (
                select(Delivery)
                .where(Delivery.partner == partner.name, Delivery.status.in_(DUE_STATUSES))
                .order_by(Delivery.updated_at, Delivery.id)
                .limit(_BATCH)
            )
            if last is not None:
                q = q.where(or_(Delivery.updated_at > last[0],
                                and_(Delivery.updated_at == last[0], Delivery.id > last[1])))
            rows = list(s.scalars(q))
        if not rows:
            return
        last = (rows[-1].updated_at, rows[-1].id)
        for row in rows:
            if row.next_attempt_at is not None and _aware(row.next_attempt_at) > now:
                continue
            with store.session() as s:
                claimed = _claim(s, row.id)
                if claimed is None:
                    continue  # sent meanwhile, or being sent by a parallel run
                ok = _deliver_row(s, store, settings, partner, cfg, http, claimed, now, sleep, rng, report)
            failpoint("deliver.after_row")  # the row's outcome is committed: a kill here sends nothing twice
            if not ok:
                # The partner is down or throttling: leave the rest for a later run.
                report.retrying += _count_due(store, partner.name) - 1
                return


def _claim(s: Session, row_id: int) -> Delivery | None:
    """Lock a delivery row for this run while it is still due, or None.

    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a row that a parallel ``jobgate
    deliver`` holds is skipped rather than waited for, so parallel runs share the
    backlog and never send one row at the same time; the lock lasts until the
    row's outcome is committed, after which the row is no longer due. SQLite has
    a single writer and no row locks: the clause is left out there.
    """
    return s.scalar(select(Delivery).where(Delivery.id == row_id, Delivery.status.in_(DUE_STATUSES))
                    .with_for_update(skip_locked=True))


def _deliver_row(
    s: Session,
    store: Store,
    settings: Settings,
    partner: PartnerSettings,
    cfg: PushConfig,
    http: httpx.Client,
    row: Delivery,
    now: datetime,
    sleep: Callable[[float], None],
    rng: random.Random | None,
    report: DeliveryReport,
) -> bool:
    """Send one (claimed) row with in-run retries; False when the partner should be left alone."""
    sent = (row.idempotency_key, row.action)
    try:
        request = _build_request(store, settings, partner, cfg, row)
    except _Unsendable as exc:
        _finish(s, row, sent, _Outcome("failed", str(exc)), 0, now, report, None)
        return True
    tries = 0
    outcome = _Outcome("transient", "not sent")
    while tries < cfg.attempts:
        tries += 1
        report.requests += 1
        outcome = _send(http, cfg, request, now)
        if outcome.kind == "delivered":
            failpoint("deliver.after_send")
        if outcome.kind != "transient":
            break
        if tries >= cfg.attempts:
            break
        # In-run waits grow with this run's tries only (and stay short); the
        # cross-run delay in _finish grows with every attempt the row ever had.
        wait = min(backoff_delay(tries, cfg.backoff, cfg.backoff_max, rng), MAX_INLINE_WAIT)
        if outcome.retry_after is not None:
            if outcome.retry_after > MAX_INLINE_WAIT:
                break
            wait = max(wait, outcome.retry_after) if outcome.retry_after > 0 else 0.0
        sleep(wait)
    _finish(s, row, sent, outcome, tries, now, report, request, cfg, rng)
    return outcome.kind != "transient"


class _Unsendable(Exception):
    """The row cannot be turned into a request (its item is gone)."""


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    body: bytes | None
    key: str
    action: str
    disclosure: cvs.CvDisclosure | None = None  # a CV copy to log once delivered


def _build_request(
    store: Store, settings: Settings, partner: PartnerSettings, cfg: PushConfig, row: Delivery
) -> _Request:
    key = row.idempotency_key or f"{partner.name}:{row.item_kind}:{row.item_id}:{row.id}"
    if row.item_kind == "cv":
        item = cvs.push_item(store, settings, partner, row)
        if item is None:
            raise _Unsendable(f"CV {row.item_id} is no longer stored")
        target = f"{cfg.cv_url}/{quote(item.ref, safe='')}"
        if row.action == "delete" or item.body is None:
            return _Request("DELETE", target, None, key, "delete", item.disclosure)
        url = target if cfg.method == "PUT" else cfg.cv_url
        return _Request(cfg.method, url, _dumps(item.body).encode("utf-8"), key, "upsert",
                        item.disclosure)
    target = f"{cfg.url}/{quote(row.item_id, safe='')}"
    if row.action == "delete":
        return _Request("DELETE", target, None, key, "delete")
    with store.session() as s:
        cluster = s.get(Cluster, row.item_id)
    if cluster is None:
        raise _Unsendable(f"offer {row.item_id} is no longer in the catalogue")
    offer = visible_offer(CatalogueOffer.model_validate(cluster.data), partner,
                          settings=settings.publisher)
    body = offer_json(offer, offer_url(settings.publisher.base_url, offer.id))
    url = target if cfg.method == "PUT" else cfg.url
    return _Request(cfg.method, url, _dumps(body).encode("utf-8"), key, "upsert")


def _send(http: httpx.Client, cfg: PushConfig, req: _Request, now: datetime) -> _Outcome:
    headers = {**cfg.headers, "Idempotency-Key": req.key}
    if req.body is None:
        headers.pop("Content-Type", None)
    try:
        cfg.egress.check(req.url)  # here too: a client handed in may have no hook
        resp = http.request(req.method, req.url, content=req.body, headers=headers)
    except EgressRefused as exc:
        return _Outcome("failed", str(exc))
    except httpx.HTTPError as exc:
        return _Outcome("transient", f"{type(exc).__name__}: {exc}"[:_ERROR_BODY_CHARS])
    code = resp.status_code
    if 200 <= code < 300 or (req.method == "DELETE" and code in (404, 410)):
        return _Outcome("delivered", status=code)
    text = f"HTTP {code} on {req.method} {req.url}: {_snippet(resp)}"
    if code in _TRANSIENT_STATUSES:
        return _Outcome("transient", text, retry_after_seconds(resp.headers.get("Retry-After"), now),
                        status=code)
    return _Outcome("failed", text, status=code)


def _snippet(resp: httpx.Response) -> str:
    try:  # a partner echoing our request back must not put our credential in last_error
        return redact(resp.text[:_ERROR_BODY_CHARS].strip())
    except (UnicodeDecodeError, httpx.HTTPError):
        return "(unreadable body)"


def _finish(
    s: Session,
    d: Delivery,
    sent: tuple[str | None, str],
    outcome: _Outcome,
    tries: int,
    now: datetime,
    report: DeliveryReport,
    request: _Request | None,
    cfg: PushConfig | None = None,
    rng: random.Random | None = None,
) -> None:
    """Record a claimed row's outcome (``sent``: its key and action when sent), unless it changed meanwhile."""
    s.refresh(d)  # SQLite has no row lock: the publish stage may have requeued it
    d.attempts = (d.attempts or 0) + tries
    changed = (d.idempotency_key, d.action) != sent or d.status not in DUE_STATUSES
    if outcome.kind == "delivered" and request is not None and request.disclosure is not None:
        # It reached the partner, whatever happened to the row meanwhile.
        cvs.record_disclosure(s, request.disclosure, at=now, channel="push")
    if changed:
        # Requeued by the publish stage meanwhile: its new version will be sent.
        return
    if outcome.kind == "delivered":
        d.status, d.delivered_at, d.last_error, d.next_attempt_at = "delivered", now, None, None
        report.delivered += 1
    elif outcome.kind == "failed":
        d.status, d.last_error, d.next_attempt_at = "failed", outcome.error, None
        report.failed += 1
        _note(report, d, outcome)
    else:
        assert cfg is not None
        wait = backoff_delay(d.attempts, cfg.backoff, cfg.backoff_max, rng)
        if outcome.retry_after is not None:
            wait = max(wait, outcome.retry_after)
        d.status, d.last_error = "failed-retrying", outcome.error
        d.next_attempt_at = now + timedelta(seconds=wait)
        report.retrying += 1
        report.next_attempt_at = d.next_attempt_at
        _note(report, d, outcome)


def _note(report: DeliveryReport, row: Delivery, outcome: _Outcome) -> None:
    if len(report.errors) < _MAX_ERRORS:
        report.errors.append(f"{row.item_kind} {row.item_id}: {outcome.error}")


def _count_due(store: Store, partner: str) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.partner == partner, Delivery.status.in_(DUE_STATUSES))) or 0)


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
