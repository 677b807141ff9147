"""Text repair, HTML to text, and the allow-list sanitizer."""

from __future__ import annotations

import re

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.fields import html_to_text, is_html, repair_text, safe_html

APEC = (
    "<p><b>Contexte :</b></p><br><p>Au sein de l’équipe IKOS Raccordement, tu contribueras."
    "</p><p><br> </p><br><p><b>Vos futures responsabilités :</b></p><ul><li>Coordination de "
    "projet</li><li>Suivi des affaires</li></ul>"
)


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("RÃ©munÃ©ration", "Rémunération"),
        ("lâ€™Ã©quipe", "l’équipe"),
        ("Euros ï¿½ 1800,00", "Euros 1800,00"),
        ("dÃ©jÃ  vu", "déjà vu"),
        ("Ã\u00a0 définir", "à définir"),
        ("caf\u0065\u0301", "café"),  # NFC
        ("a\u00a0b\u202fc", "a b c"),
        ("x\x00y\x07z\u200b", "xyz"),
        ("ligne\r\nautre", "ligne\nautre"),
        ("déjà propre", "déjà propre"),
        ("", ""),
    ],
)
def test_repair_text(broken, fixed):
    assert repair_text(broken) == fixed


def test_html_to_text_apec():
    assert html_to_text(APEC) == (
        "Contexte :\n\nAu sein de l’équipe IKOS Raccordement, tu contribueras.\n\n"
        "Vos futures responsabilités :\n\n- Coordination de projet\n- Suivi des affaires"
    )


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<p>R&amp;D &eacute;t&eacute; &#8217;</p>", "R&D été ’"),
        ("<p>keep</p><script>alert(1)</script><style>p{}</style><!-- hidden -->tail",
         "keep\n\ntail"),
        ("<div>  many    spaces\n here </div>", "many spaces here"),
        ("&lt;p&gt;escaped&lt;/p&gt;", "escaped"),
        ("plain\ntext  kept", "plain\ntext kept"),
        (None, ""),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p><b>Missions</b></p><ul><li>Un</li><li>Deux</li></ul>",
         "<p><b>Missions</b></p><ul><li>Un</li><li>Deux</li></ul>"),
        ('<p onclick="x()" class="c" style="color:red">t</p>', "<p>t</p>"),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ('<iframe src="https://evil"></iframe><p>ok</p>', "<p>ok</p>"),
        ('<a href="javascript:alert(1)">x</a>', "x"),
        ('<a href=" JaVa\tScRiPt:alert(1)">x</a>', "x"),
        ('<a href="https://example.org/?a=1&amp;b=2" target="_blank">lien</a>',
         '<a href="https://example.org/?a=1&amp;b=2" rel="nofollow noopener">lien</a>'),
        ('<a href="mailto:rh@example.org">écrire</a>',
         '<a href="mailto:rh@example.org" rel="nofollow noopener">écrire</a>'),
        ('<a href="/relative">r</a>', "r"),
        ("<span><font>texte</font></span>", "texte"),
        ("<h1>Titre</h1><h3>Sous</h3>", "Titre<h3>Sous</h3>"),
        ("<img src=x onerror=alert(1)>après", "après"),
        ("a < b & c\n\nnouveau\nparagraphe", "<p>a &lt; b &amp; c</p><p>nouveau<br>paragraphe</p>"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_html(markup, expected):
    assert safe_html(markup) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<p>x</p>", True), ("a<br>b", True), ("R&amp;D", True), ("a < b", False),
     ("plain", False), ("", False), (None, False), ("<Strong>x</Strong>", True)],
)
def test_is_html(text, expected):
    assert is_html(text) is expected


_TAGS = st.sampled_from(["p", "b", "script", "style", "iframe", "a", "div", "img", "svg",
                         "SCRIPT", "li", "object", "math", "textarea"])
_ATTRS = st.sampled_from(['', ' onclick="alert(1)"', ' href="javascript:alert(1)"',
                          ' href="https://ok.example"', ' src="javascript:x"', " onload=x",
                          ' style="x:expression(1)"', ' href="data:text/html,x"'])
_FRAGMENT = st.builds(lambda tag, attrs, text: f"<{tag}{attrs}>{text}</{tag}>", _TAGS, _ATTRS,
                      st.text(max_size=20))
_DOCUMENT = st.lists(st.one_of(_FRAGMENT, st.text(max_size=20)), max_size=6).map("".join)


@given(st.one_of(_DOCUMENT, st.text(max_size=200)))
def test_safe_html_is_safe(markup):
    out = safe_html(markup)
    assert not re.search(r"<\s*(script|style|iframe|img|svg|object)", out, re.I)
    if not out:
        return
    tree = lxml.html.fragment_fromstring(out, create_parent="div")
    for el in tree.iter():
        if el is tree:
            continue
        assert el.tag in {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h2",
                          "h3", "h4", "a"}
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on")
            assert name in {"href", "rel"}
            if name == "href":
                assert re.match(r"^(https?://|mailto:)", value, re.I)


@given(st.text(max_size=200))
def test_safe_html_idempotent(markup):
    once = safe_html(markup)
    assert safe_html(once) == once or not is_html(once)


@given(st.text(max_size=200))
def test_html_to_text_never_raises(markup):
    assert isinstance(html_to_text(markup), str)
    assert repair_text(repair_text(markup)) == repair_text(markup)


@pytest.mark.parametrize(
    "body",
    [
        "Vente en magasin.\n\nAccueil des clients.",
        "<p>Vente</p><ul><li>Accueil</li></ul><script>x()</script>",
        "&lt;p&gt;Texte échappé&lt;/p&gt; et suite",
        "CafÃ© &amp; thÃ© servis",
        "Prix &euro; 5 sans balise",
        "   ",
    ],
)
def test_description_texts_is_html_to_text_and_safe_html_in_one_pass(body: str) -> None:
    from normalizer.fields import description_texts

    expected = (html_to_text(body) if is_html(body) else body, safe_html(body))
    assert description_texts(body) == expected


@given(st.text(alphabet=st.sampled_from(list("ab é<>/&;p#ltgÃ©\n ")), max_size=60))
def test_description_texts_matches_the_two_calls_on_any_text(body: str) -> None:
    from normalizer.fields import description_texts

    assert description_texts(body) == (html_to_text(body) if is_html(body) else body, safe_html(body))
