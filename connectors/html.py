"""HTML pages of partners without a feed: a scrapy crawl for schema.org JobPosting.

The crawl (:mod:`connectors._crawl`) runs in a child process, so scrapy's
reactor never meets the scheduler's; it prints JSON lines that this connector
streams through the usual mapping (``jobposting`` dialect: external id
``identifier.value``, or ``identifier`` when a string, else the page url).
Robots.txt is obeyed and AutoThrottle is on. Options: ``link_selector`` (CSS,
default any link on the same host), ``max_pages``, ``max_depth``,
``download_delay``, ``autothrottle_start_delay``, ``crawl_timeout_s``.

A crawl stopped by ``max_pages`` (or anything but a normal finish) is not a
complete snapshot: it closes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from connectors.base import Connector, FetchContext, Item, Page
from connectors.egress import EgressPolicy
from connectors.http import USER_AGENT
from connectors.source import is_url
from jobgate.errors import FatalPartnerError, RecordError

_ROOT = str(Path(__file__).resolve().parents[1])


class HtmlConnector(Connector):
    """Partner web pages crawled for JobPosting JSON-LD and microdata."""

    kind = "html"
    default_dialect = "jobposting"
    plain_records = True

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        """Read the crawler's JSON lines (postings, errors, the final summary)."""
        self.finished: dict[str, Any] | None = None
        for n, line in enumerate(stream, 1):
            try:
                msg = json.loads(line)
            except ValueError:
                yield RecordError(self.name, f"line {n}", "unreadable crawler output")
                continue
            if "posting" in msg and isinstance(msg["posting"], dict):
                yield msg["posting"]
            elif "error" in msg:
                err = RecordError(self.name, msg.get("url"), str(msg["error"]))
                err.payload = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
                yield err
            elif "finished" in msg:
                self.finished = msg

    def pages(self, ctx: FetchContext) -> Iterator[Page]:
        """One page: the whole crawl, streamed from the child process."""
        yield Page("", self._crawl(ctx))

    def _crawl(self, ctx: FetchContext) -> Iterator[Item]:
        opts = self.partner.options
        url = ctx.location if is_url(ctx.location) else Path(ctx.location).resolve().as_uri()
        config = {
            **{k: v for k, v in opts.items() if isinstance(v, str | int | float)},
            "url": url,
            # the crawler's downloader vets every request (redirects too) against these
            "allowed_hosts": sorted(EgressPolicy.for_partner(self.partner, [url]).hosts),
            "allow_link_local": opts.get("allow_link_local") is True,
            "user_agent": USER_AGENT,
            "max_bytes": opts.get("max_bytes", ctx.limits.max_bytes),
        }
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))}
        timeout = float(opts.get("crawl_timeout_s", 3600))
        with tempfile.TemporaryFile() as stderr:
            try:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "connectors._crawl", json.dumps(config)],
                    stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=_ROOT,
                )
            except OSError as exc:
                raise FatalPartnerError(self.name, f"cannot start the crawler: {exc}") from exc
            assert proc.stdout is not None
            try:
                yield from self.records(proc.stdout)
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                proc.kill()
                raise FatalPartnerError(self.name, f"crawl took longer than {timeout:.0f}s") from exc
            finally:
                if proc.poll() is None:  # the run stopped early: do not leave the crawler behind
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
            if code != 0 or self.finished is None:
                stderr.seek(0)
                tail = stderr.read()[-1500:].decode("utf-8", "replace").strip()
                raise FatalPartnerError(self.name, f"crawler exited with status {code}: {tail}")
        stats = self.finished.get("stats", {})
        ctx.bytes += int(stats.get("downloader/response_bytes", 0))
        ctx.requests += int(stats.get("downloader/request_count", 0))
        ctx.http_errors += sum(int(v) for k, v in stats.items()
                               if k.startswith("downloader/response_status_count/") and k[-3:] >= "400")
        if self.finished.get("finished") != "finished":
            ctx.partial = True  # stopped by max_pages or a timeout: not every offer was seen
