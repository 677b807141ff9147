"""The scrapy crawl behind the ``html`` connector, run in its own process.

``python -m connectors._crawl CONFIG_JSON`` crawls from the start URL, follows
listing links on the same host, and prints one JSON line per schema.org
JobPosting found (JSON-LD or microdata) on stdout: ``{"posting": {...}}``, or
``{"error": "...", "url": "..."}`` for an unreadable one, then a last line
``{"finished": reason, "stats": {...}}``. Scrapy's logs go to stderr. Running
in a separate process keeps scrapy's Twisted reactor away from the scheduler's.

Conditional GET: ``known_file`` (JSON ``{url: {"etag": ..., "last_modified": ...}}``,
the offer pages of the last crawl) makes requests to those pages carry
``If-None-Match`` / ``If-Modified-Since``; a 304 is printed as
``{"unchanged": url}`` and not parsed. Each posting line carries its page
(``page``) and that page's validators (``validators``), to be saved for the next crawl.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlparse

JOBPOSTING = "JobPosting"


def _is_jobposting(node: Any) -> bool:
    kind = node.get("@type") if isinstance(node, dict) else None
    return kind == JOBPOSTING or (isinstance(kind, list) and JOBPOSTING in kind)


def jsonld_postings(blocks: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """JobPosting objects in JSON-LD script blocks (top level, lists, ``@graph``), and parse errors."""
    found: list[dict[str, Any]] = []
    errors: list[str] = []
    for text in blocks:
        try:
            doc = json.loads(text)
        except ValueError as exc:
            errors.append(f"malformed JSON-LD: {exc}")
            continue
        stack = [doc]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                if _is_jobposting(node):
                    found.append(node)
                elif isinstance(node.get("@graph"), list):
                    stack.extend(reversed(node["@graph"]))
    return found, errors


def _prop_value(el: Any) -> Any:
    if el.get("itemscope") is not None:
        return _scope(el)
    for attr in ("content", "datetime", "href", "src"):
        if el.get(attr) is not None:
            return el.get(attr).strip()
    return " ".join(el.text_content().split())


def _props(el: Any, out: dict[str, Any]) -> None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = child.get("itemprop")
        if name:
            value = _prop_value(child)
            for n in name.split():
                prev = out.get(n)
                out[n] = value if prev is None else ([*prev, value] if isinstance(prev, list) else [prev, value])
            if child.get("itemscope") is not None:
                continue  # its properties belong to it
        elif child.get("itemscope") is not None:
            continue  # another top-level item
        _props(child, out)


def _scope(el: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": (el.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]}
    _props(el, out)
    return out


def microdata_postings(root: Any) -> list[dict[str, Any]]:
    """JobPosting items in HTML microdata (``itemscope itemtype=".../JobPosting"``)."""
    return [_scope(el) for el in root.iter()
            if isinstance(el.tag, str) and el.get("itemscope") is not None
            and (el.get("itemtype") or "").rstrip("/").endswith("/" + JOBPOSTING)]


class EgressMiddleware:
    """Scrapy downloader middleware: every request (start, links, each redirect hop, robots.txt)
    must go to one of the partner's allowed hosts (:class:`connectors.egress.EgressPolicy`).

    A ``file://`` request is let through only when the crawl itself started from a file.
    """

    def __init__(self, hosts: list[str], allow_link_local: bool, start_scheme: str) -> None:
        from connectors.egress import EgressPolicy

        self.policy = EgressPolicy("crawler", hosts, allow_link_local=allow_link_local)
        self.start_scheme = start_scheme

    @classmethod
    def from_crawler(cls, crawler: Any) -> EgressMiddleware:
        """Build from the crawler's settings (``JOBGATE_ALLOWED_HOSTS``...)."""
        s = crawler.settings
        return cls(list(s.getlist("JOBGATE_ALLOWED_HOSTS")), s.getbool("JOBGATE_ALLOW_LINK_LOCAL"),
                   s.get("JOBGATE_START_SCHEME", "http"))

    def process_request(self, request: Any, spider: Any = None) -> None:
        """Drop (IgnoreRequest) a request the allow-list refuses, and say why on stdout."""
        from scrapy.exceptions import IgnoreRequest

        scheme = urlparse(request.url).scheme
        if scheme == "file" and self.start_scheme == "file":
            return None
        why = self.policy.refusal(request.url)
        if why:
            sys.stdout.write(json.dumps({"error": f"request refused: {why}", "url": request.url}) + "\n")
            sys.stdout.flush()
            raise IgnoreRequest(why)
        return None


def main(argv: list[str]) -> int:
    """Crawl as configured by ``argv[1]`` (JSON) and print postings; exit status 0 when the crawl ran."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import TextResponse

    cfg = json.loads(argv[1])
    start = cfg["url"]
    host = urlparse(start).hostname or ""
    selector = cfg.get("link_selector") or "a::attr(href)"
    # Each alternative of a CSS group must select the href itself.
    selector = ", ".join(part if "::attr(" in part else f"{part.strip()}::attr(href)" for part in selector.split(","))
    out = sys.stdout
    known: dict[str, dict[str, str]] = {}
    if cfg.get("known_file"):
        with open(cfg["known_file"], encoding="utf-8") as fh:
            known = json.load(fh)

    def conditional(url: str) -> dict[str, str]:
        v = known.get(url) or {}
        headers = {}
        if v.get("etag"):
            headers["If-None-Match"] = v["etag"]
        if v.get("last_modified"):
            headers["If-Modified-Since"] = v["last_modified"]
        return headers

    def emit(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()

    class JobPostingSpider(scrapy.Spider):
        name = "jobgate-jobposting"
        handle_httpstatus_list = (304,)  # an unchanged offer page reaches parse (not filtered as an error)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.allowed_domains = list(cfg.get("allowed_hosts") or ([host] if host else []))

        async def start(self) -> Any:
            yield scrapy.Request(start, self.parse, headers=conditional(start))

        def parse(self, response: Any) -> Any:
            if response.status == 304:
                emit({"unchanged": response.url})
                return
            if not isinstance(response, TextResponse):
                return
            validators = {k: v for k, v in (("etag", response.headers.get("ETag")),
                                            ("last_modified", response.headers.get("Last-Modified"))) if v}
            page = {"page": response.url, "validators": {k: v.decode("latin-1") for k, v in validators.items()}}
            blocks = response.xpath('//script[@type="application/ld+json"]/text()').getall()
            postings, errors = jsonld_postings(blocks)
            if not postings:
                postings = microdata_postings(response.selector.root)
            for err in errors:
                emit({"error": err, "url": response.url})
            for posting in postings:
                posting.setdefault("url", response.url)
                yield {"posting": posting, **page}
            for href in response.css(selector).getall():
                url = response.urljoin(href)
                if urlparse(url).hostname == urlparse(response.url).hostname:
                    yield response.follow(url, self.parse, headers=conditional(url))

    settings = {
        "USER_AGENT": cfg.get("user_agent", "jobgate"),
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": float(cfg.get("autothrottle_start_delay", 1.0)),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(cfg.get("autothrottle_target_concurrency", 1.0)),
        "DOWNLOAD_DELAY": float(cfg.get("download_delay", 0.5)),
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(cfg.get("concurrency", 2)),
        "DOWNLOAD_TIMEOUT": float(cfg.get("timeout_s", 30)),
        "DOWNLOAD_MAXSIZE": int(cfg.get("max_bytes", 32 * 1024**2)),
        "DEPTH_LIMIT": int(cfg.get("max_depth", 3)),
        "CLOSESPIDER_PAGECOUNT": int(cfg.get("max_pages", 2000)),
        "RETRY_TIMES": int(cfg.get("retries", 2)),
        "LOG_LEVEL": cfg.get("log_level", "WARNING"),
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DOWNLOADER_MIDDLEWARES": {"connectors._crawl.EgressMiddleware": 40},
        "JOBGATE_ALLOWED_HOSTS": list(cfg.get("allowed_hosts") or ([host] if host else [])),
        "JOBGATE_ALLOW_LINK_LOCAL": bool(cfg.get("allow_link_local")),
        "JOBGATE_START_SCHEME": urlparse(start).scheme,
    }
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(JobPostingSpider)
    finished: dict[str, Any] = {}

    def on_item(item: Any, **_: Any) -> None:
        emit(dict(item))

    def on_close(spider: Any, reason: str, **_: Any) -> None:
        finished["reason"] = reason

    crawler.signals.connect(on_item, signal=signals.item_scraped)
    crawler.signals.connect(on_close, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    keep = {k: v for k, v in stats.items() if isinstance(v, int | float) and k.startswith(("downloader/", "robotstxt/"))}
    emit({"finished": finished.get("reason", "unknown"), "stats": keep})
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a subprocess
    sys.exit(main(sys.argv))
