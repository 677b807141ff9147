"""Exclusion and restriction constructions over protected-criterion lexicons.

The discrimination rules first matched literal phrasings ("femmes s'abstenir", "pas de
bénéficiaires du RSA"); other people's wordings of the same ideas slipped through. Here
the *construction* and the *group* are declared apart and combined into one pattern
per criterion:

- exclusion: ``<group> s'abstenir | ne seront pas retenu(e)s | non accepté(e)s |
  exclu(e)s | refusé(e)s …`` after the group, or ``pas de | aucun | sans | hors |
  nous ne recrutons pas de | merci de ne pas postuler si vous êtes …`` before it;
- restriction (for criteria where singling a group out is itself unlawful):
  ``uniquement | réservé aux | de préférence | préférence pour …`` before the group,
  ``<group> exigé(e) | souhaité(e) | uniquement | de préférence …`` right after it.

Groups are nouns and adjectives naming people by a criterion (``femmes``,
``seniors``, ``musulmans``, ``syndiqués``, ``habitants de …``, ``allocataires du
RSA``), optionally after a person noun ("candidats", "personnes", "profils"). Lawful
context guards are the callers' (positive action, the job serving the group).

Every regex runs on normalised text (lower case, no accents). The patterns are gated by
their group words (triggers) and only run near them (anchors), like every other pattern.
"""

from __future__ import annotations

from .model import WORD_ANCHORS, Pattern
from .model import pattern as _pattern

__all__ = ["AFTER_EXCL", "BEFORE_EXCL", "PERSON", "exclusion"]

_PART = (
    r"(?:acceptee?s?|admise?s?|retenue?s?|les bienvenue?s|la bienvenue|bienvenue?s?|prise?s?|eligibles?|"
    r"embauchee?s?|recrutee?s?|toleree?s?|etudiee?s?|consideree?s?|selectionnee?s?|autorisee?s?|"
    r"postuler|candidater|se presenter|convenir|correspondre)"
)
#: After the group: it is excluded ("… s'abstenir", "… ne seront pas retenu(e)s").
AFTER_EXCL = (
    r"(?:s'abstenir|s'abstiennent|(?:ne|n') ?(?:sont|seront|sera|est|serons|pourront|peuvent|pourra|peut|doivent|doit|"
    r"seraient|serait)(?: pas| point| plus)?(?: \w+)? " + _PART + r"|non " + _PART + r"|pas " + _PART + r"|"
    r"(?:sont |seront |sera |est )?(?:exclue?s?|refusee?s?|ecartee?s?|proscrite?s?|interdite?s?|indesirables?)|"
    r"inutile de (?:postuler|candidater)|(?:merci de |priere de )?ne pas (?:postuler|candidater)|"
    r"(?:ne|n') ?(?:correspond\w*|convien\w*|repond\w*) pas)"
)
#: Before the group: "pas de …", "aucun …", "nous ne recrutons pas de …".
BEFORE_EXCL = (
    r"(?:pas (?:de |d'|des )|aucune? |sans |hors |sauf |non |excluant (?:les |des )?|a l'exclusion (?:des |de |d')|"
    r"interdite? (?:aux |a )|(?:refus|exclu|ecart|rejet)(?:ons|ez|e|ent)? (?:les |des |tou(?:te)?s les )|"
    r"(?:ne|n') ?(?:convient|correspond|s'adresse|est) pas (?:aux |a des |a une? |a la |a |pour (?:les |des )?)|"
    r"pas (?:adaptee?|ouverte?|accessible|destinee?) (?:aux |a des |a )|"
    r"(?:ne|n') ?(?:recrutons|prenons|embauchons|acceptons|retenons|voulons|souhaitons|cherchons|recherchons|"
    r"employons|recevons|prendrons|accepterons|retiendrons|recruterons|embaucherons|veut|accepte|recrute|embauche|prend)"
    r" (?:pas|plus|jamais|aucune?|point) (?:de |d'|les |des )?|"
    r"(?:ne pas|ne) (?:postuler|candidater|vous presenter)(?: pas)? si vous (?:etes|avez) (?:une? |des )?)"
)
#: Before the group: it is singled out ("uniquement des …", "réservé aux …").
BEFORE_RESTRICT = (
    r"(?:(?:uniquement|exclusivement|seulement|strictement) (?:pour (?:les |des )?|des |les |aux |a des |de |d'|)|"
    r"que (?:des|les) |reservee?s? (?:uniquement |exclusivement )?(?:aux |a la |a des |a une? |a |pour (?:les |des )?)|"
    r"(?:une |la )?preference (?:pour|a|aux) (?:les |des |un |une |la |le )?|de preference (?:un |une |des )?|"
    r"(?:privilegi|prefer|favoris)(?:ons|ez|e|ent|erons) (?:les |des |un |une |la |le )?|"
    r"(?:ne|n') ?(?:recrutons|prenons|embauchons|acceptons|retenons|cherchons|recherchons) que (?:des |les |de |d')?|"
    r"ne postuler que si vous (?:etes|avez) (?:une? )?)"
)
#: Right after the group: it is required or preferred ("… exigé", "… de préférence").
AFTER_RESTRICT = (
    r"(?:uniquement|exclusivement|seulement|de preference|exigee?s?|souhaitee?s?|privilegiee?s?|preferee?s?|"
    r"obligatoires?|imperati(?:f|ve)s?|requise?s?|indispensables?|de rigueur|bienvenue?s? uniquement)"
)
#: An optional person noun before the group ("candidats", "les personnes", "profil").
PERSON = (
    r"(?:(?:les |des |de |d'|la |le |une? |toute )?(?:candidat|candidate|personne|profil|gens|candidature|travailleur|"
    r"travailleuse|salarie|salariee|collaborateur|collaboratrice|employe|employee|individu|membre|ressortissant)s?"
    r"(?:/\w+)? (?:de |d'|des |du |en |issue?s? (?:de |d'|des |du )?)?)?"
)


def exclusion(
    group: str,
    triggers: str,
    *,
    anchors: str = WORD_ANCHORS,
    reach: int = 20,
    restrict: bool = True,
    gap: int = 30,
    unless_before: str | None = None,
    policy_ok: bool = True,
    variant: str | None = None,
) -> Pattern:
    """One pattern: ``group`` excluded (or, with ``restrict``, singled out) in any
    of the common constructions.

    Args:
        group: regex alternation naming the people (no surrounding group needed).
        triggers: space-separated words, one of which every match contains; they are
            also the anchors (searched for only when present in the offer's words).
        anchors: ``|``-separated literal substrings instead (when a trigger word is
            also a common substring, e.g. "ans" in "dans").
        reach: characters around an anchor that the group regex runs in (the longest
            stretch of the group before or after its trigger word).
        restrict: also flag restriction ("uniquement …", "… exigé"); False for criteria
            where reserving a post to the group is lawful positive action (disability,
            unemployment).
        gap: characters allowed between the group and an exclusion word after it.
        unless_before: lawful context earlier in the same sentence.
        policy_ok: excused inside a non-discrimination statement.
        variant: sub-case name for per-partner overrides.
    """
    before = BEFORE_EXCL + (f"|{BEFORE_RESTRICT}" if restrict else "")
    after = rf"[^.\n]{{0,{gap}}}?\b{AFTER_EXCL}" + (rf"| (?:\w+ )?{AFTER_RESTRICT}\b" if restrict else "")
    return _pattern(
        rf"\b(?:{group})\b",
        triggers,
        anchors=anchors,
        reach=reach,
        policy_ok=policy_ok,
        unless_before=unless_before,
        window=120,
        variant=variant,
        context_before=rf"(?:{before}){PERSON}$",
        context_after=rf"(?:{after})",
    )
