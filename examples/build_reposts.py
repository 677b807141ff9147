"""Build the example reposting partners from real France Travail offers.

A regional daily's RSS feed and an Indeed-style job aggregator repost some of
the public service's offers, as real boards do: other title casing and suffixes,
the place in the title, descriptions truncated or wrapped in boilerplate. The
output is committed (examples/partners/*.rss, *.xml); re-run after changing this:

    python examples/build_reposts.py
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "partners" / "france-travail-offres.json"


def _city(offer: dict) -> tuple[str, str]:
    label = (offer.get("lieuTravail") or {}).get("libelle") or ""
    if " - " in label:
        dep, city = label.split(" - ", 1)
        return city.title(), dep
    return label.title(), ""


def main() -> None:
    offers = json.loads(SOURCE.read_text(encoding="utf-8"))
    # Every 5th offer reposted by the regional daily, every 7th by the aggregator.
    daily = [o for i, o in enumerate(offers) if i % 5 == 0][:25]
    aggregator = [o for i, o in enumerate(offers) if i % 7 == 3][:18]

    items = []
    for o in daily:
        city, dep = _city(o)
        title = o["intitule"].replace("(H/F)", "").strip()
        title = f"{title} - {city} ({dep})" if dep else title
        desc = o.get("description", "")
        if len(desc) > 600:
            desc = desc[:600].rsplit(" ", 1)[0] + "..."
        desc = desc + "\n\nRetrouvez toutes nos annonces emploi sur le site du journal."
        published = datetime.fromisoformat(o["dateCreation"].replace("Z", "+00:00"))
        items.append(
            "    <item>\n"
            f"      <title>{escape(title)}</title>\n"
            f"      <link>https://emploi.courrier-regional.example/annonce/{o['id'].lower()}</link>\n"
            f"      <guid isPermaLink=\"false\">CR-{o['id']}</guid>\n"
            f"      <pubDate>{format_datetime(published)}</pubDate>\n"
            f"      <description>{escape(desc)}</description>\n"
            "    </item>\n"
        )
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>Le Courrier régional : offres d'emploi</title>\n"
        "    <link>https://emploi.courrier-regional.example/</link>\n"
        "    <description>Les offres d'emploi de la région</description>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    )
    (HERE / "partners" / "courrier-regional.rss").write_text(rss, encoding="utf-8")

    jobs = []
    for o in aggregator:
        city, dep = _city(o)
        lieu = o.get("lieuTravail") or {}
        company = (o.get("entreprise") or {}).get("nom") or ""
        desc = "Offre relayée par JobAgreg.\n\n" + o.get("description", "")
        jobs.append(
            "  <job>\n"
            f"    <title><![CDATA[{o['intitule'].upper()}]]></title>\n"
            f"    <date><![CDATA[{o['dateCreation'][:10]}]]></date>\n"
            f"    <referencenumber><![CDATA[JA{o['id']}]]></referencenumber>\n"
            f"    <url><![CDATA[https://jobagreg.example/offre/JA{o['id']}]]></url>\n"
            f"    <company><![CDATA[{company}]]></company>\n"
            f"    <city><![CDATA[{city}]]></city>\n"
            f"    <state><![CDATA[{dep}]]></state>\n"
            "    <country><![CDATA[FR]]></country>\n"
            f"    <postalcode><![CDATA[{lieu.get('codePostal') or ''}]]></postalcode>\n"
            f"    <description><![CDATA[{desc}]]></description>\n"
            f"    <salary><![CDATA[{(o.get('salaire') or {}).get('libelle') or ''}]]></salary>\n"
            f"    <jobtype><![CDATA[{o.get('typeContrat') or ''}]]></jobtype>\n"
            "  </job>\n"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<source>\n'
        "  <publisher>JobAgreg</publisher>\n  <publisherurl>https://jobagreg.example</publisherurl>\n"
        + "".join(jobs)
        + "</source>\n"
    )
    (HERE / "partners" / "jobagreg.xml").write_text(xml, encoding="utf-8")
    print(f"{len(items)} RSS items, {len(jobs)} XML jobs")


if __name__ == "__main__":
    main()
