"""C of certification.md: references to an L1132-1 criterion (L5321-2, L1142-1, CP 225-2).

Every pattern runs on the normalised text (lower case, no accents, inclusive forms
unfolded). A match is excused by a negation or non-discrimination statement just
before it in the same sentence ("sans distinction d'âge", "quel que soit votre
sexe"), and some rules by a lawful context (apprenticeship age conditions, the
R1142-1 roles, legal 18+ requirements, statutory public posts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from jobgate.schema import Severity

from .exclusion import exclusion
from .model import Context, Hit, Rule, scan, text_detector
from .model import pattern as _pattern

__all__ = ["FEMININE", "MASCULINE", "RULES"]

R, W, INF = Severity.REJECT, Severity.WARN, Severity.INFO

#: Discrimination patterns are excused inside a non-discrimination statement.
pattern = partial(_pattern, policy_ok=True)

#: Negation or non-discrimination statement just before a match.
NEG_CORE = (
    r"sans (aucune )?(distinction|discrimination|condition|critere|consideration|limite)|"
    r"quel(le)?s? que (soi(en)?t|soit)|peu importe|independamment|"
    r"pas de (limite|condition|critere)|aucune? (limite|condition|critere|discrimination|distinction)|"
    r"n'est pas un (critere|frein)|ne (sont|seront|sera) pas|non discrimin|egalite|diversite|"
    r"ouvert(e|s)? a (tou|toutes|tous)|accessible a tou|en raison de|fonde(e)? sur|lutte contre|"
    r"interdit(e|es)? (de|toute)|(de|toute) discrimination|ne (tenons|prenons) pas compte|"
    r"respect de|au regard de|ni "
)


def before(*alternatives: str) -> str:
    """A look-behind context regex: any of ``alternatives`` earlier in the same sentence."""
    return "(" + "|".join(alternatives) + r")[^.\n]*$"


NEG = before(NEG_CORE)
#: The job serves or studies the group ("accompagnement des bénéficiaires du RSA"): naming
#: the group is then not a criterion on the candidate.
SERVES = (
    r"accompagn\w*|accueil\w*|aupres|aide (aux|a des)|au service|prise en charge|soutien|suivi|insertion|"
    r"lutte contre|prevention|intervention|public|patients?|clients?|clientele|usagers?|residents?|beneficiaires|"
    r"familles|eleves|enfants|avec ou sans|encadr\w*|soins?|sensibilis\w*|droits? des"
)
#: NEG_CORE without its bare "ni " ("pas de barbe ni de tatouages, les obèses
#: s'abstenir" is not a negated criterion).
NEG_GROUP = NEG_CORE.replace("|ni ", "|ni (de |d')?(sexe|age|origine|religion|handicap|nationalite|situation)")
GROUP_OK = before(NEG_GROUP, SERVES)
NEG_AFTER = r"^[^.\n]{0,15}\b(n'est pas|ne sont pas|indifferent|sans importance|bienvenue?s? (a tou|quel))"

# ---------------------------------------------------------------------------- contexts
_R1142 = re.compile(
    r"\b((?<!physique de )(?<!allure de )(?<!silhouette de )mannequins?|modeles? (photo|vivant|mode|cabine|pour)|casting|defiles?|figurant|figurante|figuration|"
    r"comedien|comedienne|comediens|acteur|actrice|acteurs|actrices|role (masculin|feminin)|doublure|"
    r"danseur|danseuse|chanteur|chanteuse|artiste|tournage|pose photo|shooting)\b"
)
_LEGAL_18 = re.compile(
    r"\b(alcool|bar|barman|barmaid|debit de boissons|boissons alcoolisees|nuit|nocturne|"
    r"securite|surete|agent de securite|ssiap|cqp aps|carte professionnelle|cnaps|permis|conduite|"
    r"chauffeur|conducteur|conductrice|livreur|livreuse|caces|casino|jeux|tabac|armes?|"
    r"convoyeur|transport de fonds|pompier|militaire|armee|gendarmerie|police)\b"
)
_PUBLIC_POST = re.compile(
    r"\b(fonction publique|fonctionnaire|concours|titulaire|statutaire|police nationale|gendarmerie|"
    r"armee|ministere|defense nationale|douane|magistrat|diplomat|prefecture|habilitation (secret|defense))\b"
)


def _r1142(ctx: Context) -> bool:
    return _R1142.search(ctx.texts["title"] + "\n" + ctx.texts["description"]) is not None


# ---------------------------------------------------------------------------- DISC-SEX
_WHO = r"(homme|femme|fille|garcon|hommes|femmes|filles|garcons|monsieur|madame|demoiselle)"
SEX = (
    pattern(rf"\b(recherch\w*|recrut\w*|cherch\w*|embauch\w*|voul\w*|veut|souhait\w*|prefer\w*|privilegi\w*|besoin d'une?) (un |une |d'une? |des )?(jeune |dame |)?{_WHO}\b(?! (ou|et|/) )(?! ?(de|d') (menage|chambre|entretien|main|toutes mains|service|peine|terrain|metier|confiance|l'art|ressources))",
            "homme femme fille garcon hommes femmes filles garcons monsieur madame demoiselle",
            unless_before=NEG),
    pattern(rf"\b{_WHO} (uniquement|seulement|exclusivement|de preference|obligatoirement|exige|exigee|imperativement|souhaite|souhaitee)\b",
            "uniquement seulement exclusivement preference obligatoirement exige exigee imperativement souhaite souhaitee",
            unless_before=NEG),
    pattern(rf"\b((uniquement|seulement|exclusivement) (des |les |aux |a des )?|que (des|les) ){_WHO}\b(?! (ou|et|/) )(?! ?(de|d') (menage|chambre|entretien|service))", "homme femme hommes femmes filles garcons fille garcon",
            unless_before=NEG),
    pattern(r"\b(reserve|reservee|reserves|reservees|destine|destinee|ouvert|ouverte|limite|limitee) (uniquement |exclusivement |seulement )?(aux|a des|a une?) (hommes|femmes|filles|garcons|homme|femme)\b(?! (et|ou) )",
            "reserve reservee reserves reservees destine destinee ouvert ouverte limite limitee", unless_before=NEG),
    pattern(r"\bprofil (masculin|feminin)\b|\bsexe (masculin|feminin)\b|\bde sexe\b|\b(candidate?s?|personnel|equipe|personne) (feminine?|masculine?|femmes?|hommes?)\b(?! (et|ou|/) )",
            "masculin feminin sexe feminine masculine femme femmes homme hommes", unless_before=NEG),
    pattern(r"\bpas de (femmes?|hommes?|filles?|garcons?)\b|\b(femmes?|hommes?) s'abstenir\b",
            "femme femmes homme hommes fille filles garcon garcons"),
    # norm4: "emploi strictement masculin", "profil exclusivement féminin".
    pattern(r"\b(poste|emploi|travail|profil|recrutement) (exclusivement|uniquement|strictement|seulement|100 ?%) (masculin|feminin|masculine|feminine)s?\b",
            "masculin feminin masculine feminine", unless_before=NEG),
    # cert: the group in any exclusion or restriction construction.
    exclusion(r"(hommes?|femmes?|filles?|garcons?|messieurs|mesdames|dames|"
              r"(gent|candidatures?|profils?|personnel|sexe|candidats?|personnes?|equipe|collaborat\w+) (masculine?s?|feminine?s?))"
              r"(?! (ou|et|/) )(?! ?(de|d') (menage|chambre|entretien|main|toutes mains|service|peine|terrain|metier|confiance|l'art|ressources|affaires))",
              "homme hommes femme femmes fille filles garcon garcons messieurs mesdames dames masculin masculins masculine masculines feminin feminins feminine feminines",
              unless_before=GROUP_OK),
)

#: Gendered job nouns: masculine -> feminine (the title check needs both or "H/F").
PAIRS = {
    "vendeur": "vendeuse", "serveur": "serveuse", "coiffeur": "coiffeuse", "chauffeur": "chauffeuse",
    "caissier": "caissiere", "cuisinier": "cuisiniere", "mecanicien": "mecanicienne", "technicien": "technicienne",
    "electricien": "electricienne", "pharmacien": "pharmacienne", "estheticien": "estheticienne",
    "magasinier": "magasiniere", "infirmier": "infirmiere", "boulanger": "boulangere", "patissier": "patissiere",
    "boucher": "bouchere", "charcutier": "charcutiere", "ouvrier": "ouvriere", "employe": "employee",
    "conseiller": "conseillere", "directeur": "directrice", "animateur": "animatrice", "educateur": "educatrice",
    "formateur": "formatrice", "commercial": "commerciale", "agent": "agente", "hote": "hotesse",
    "comptable": "comptable", "assistant": "assistante", "aide-soignant": "aide-soignante",
    "soignant": "soignante", "menager": "menagere",
    "preparateur": "preparatrice", "operateur": "operatrice", "livreur": "livreuse", "manutentionnaire": "manutentionnaire",
    "plongeur": "plongeuse", "laveur": "laveuse", "repasseur": "repasseuse", "couturier": "couturiere",
    "jardinier": "jardiniere", "gardien": "gardienne", "concierge": "concierge", "acheteur": "acheteuse",
    "negociateur": "negociatrice", "inspecteur": "inspectrice", "controleur": "controleuse", "chef": "cheffe",
    "developpeur": "developpeuse", "ingenieur": "ingenieure", "consultant": "consultante", "charge": "chargee",
    "responsable": "responsable", "receptionniste": "receptionniste", "equipier": "equipiere",
    "barman": "barmaid", "homme": "femme",
}
MASCULINE = frozenset(k for k, v in PAIRS.items() if k != v)
FEMININE = {v: k for k, v in PAIRS.items() if k != v}
_NEUTRAL_TITLE = re.compile(
    r"\b(h ?/ ?f|f ?/ ?h|h ?- ?f|f ?- ?h|h/f/x|f/h/x|hf|fh|h/f/nb|x ?/ ?f|homme ou femme|femme ou homme|h ou f|f ou h|m/f|w/m|m/w)\b|\(h\)|\(f\)"
)
_TITLE_WORD = re.compile(r"[a-z][a-z-]*")
_GENDERED_PHRASES = re.compile(r"\b(homme|femme) (de menage|de chambre|toutes mains|d'entretien|de service)\b")


def _gendered_title(ctx: Context) -> Iterator[Hit]:
    title = ctx.texts["title"]
    if not title or _NEUTRAL_TITLE.search(title):
        return
    words = _TITLE_WORD.findall(title)
    present = set(words)
    if present.isdisjoint(PAIRS) and present.isdisjoint(FEMININE):
        return
    if _r1142(ctx):
        return
    for phrase in _GENDERED_PHRASES.finditer(title):
        if "homme" in present and "femme" in present:
            break
        yield Hit("title", phrase.group(0), W, "gendered_title", "Intitulé au seul masculin ou féminin, sans « H/F » ni forme double.")
        return
    for w in words:
        if w in FEMININE and FEMININE[w] not in present and w not in PAIRS:
            yield Hit("title", w, W, "gendered_title", "Intitulé au seul féminin, sans « H/F » ni forme double.")
            return
        if w in MASCULINE and w != "homme" and PAIRS[w] not in present:
            yield Hit("title", w, W, "gendered_title", "Intitulé au seul masculin, sans « H/F » ni forme double.")
            return


def _sex(ctx: Context) -> Iterator[Hit]:
    hits = list(scan(ctx, SEX))
    if hits and not _r1142(ctx):
        yield from hits
    yield from _gendered_title(ctx)


_sex.patterns = SEX  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------- DISC-AGE
#: Ages in words ("vingt-six", "quarante") as well as digits.
AGE_WORDS = {
    **{w: n for n, w in enumerate(["seize", "dix-sept", "dix-huit", "dix-neuf"], 16)},
    **{f"{t}{u}": 10 * d + k for d, t in ((2, "vingt"), (3, "trente"), (4, "quarante"), (5, "cinquante"), (6, "soixante"))
       for k, u in enumerate(("", "-et-un", "-deux", "-trois", "-quatre", "-cinq", "-six", "-sept", "-huit", "-neuf"))},
}
_AGE_WORD = r"seize|dix-(?:sept|huit|neuf)|(?:vingt|trente|quarante|cinquante|soixante)(?:-(?:et-un|deux|trois|quatre|cinq|six|sept|huit|neuf))?"
_AGE_NUM = rf"(1[6-9]|[2-6]\d|70|{_AGE_WORD})"
#: Over 18: "moins de 18 ans non acceptés" restates the legal working age.
_AGE_NUM_OVER_18 = r"19|[2-6]\d|70|dix-neuf|(?:vingt|trente|quarante|cinquante|soixante)(?:-(?:et-un|deux|trois|quatre|cinq|six|sept|huit|neuf))?"
_NOT_CANDIDATE = (
    r"enfants?|bebes?|eleves?|jeunes enfants|personnes? agee?s?|residents?|patients?|public|beneficiaires?|"
    r"usagers?|clients?|adolescents?|mineurs?|seniors?|retraites?|depuis|existe|existence|cree|creee|fondee?|"
    r"entreprise|societe|groupe|maison|experience|anciennete|pendant|durant|il y a|pres de|plus de \d+ ans d|"
    r"vehicules?|materiel|batiments?|immeubles?|arbres?|vins?|garantie|age moyen|moyenne d'age|accueill\w*|"
    r"aventure|histoire|(qui|elle|il|nous) a (deja )?|a deja|fete|anniversaire|"
    r"tranche d'age|publics?|jeunes|personnes|adultes|femmes|hommes|population"
)
_NOT_CANDIDATE_AFTER = r"^\s*(d'experience|d'anciennete|d'existence|de metier|de carriere|de pratique|d'activite|dans (le|la|un|une)|d'expertise|de savoir|en moyenne|et plus d'experience|,? d'experience)"
_AGE_EXCUSE_BEFORE = before(NEG_CORE, _NOT_CANDIDATE)
AGE = (
    pattern(rf"\b(age|agee|ages|agees|age/agee|ages/agees)(\s*(:|-|de|d'au moins|d'au plus|d'|entre|minimum|maximum|maxi|max|min|limite|requis|souhaite|ideal|moins|plus|au|entre))*\s*{_AGE_NUM}\s*(ans?)?(\s*(a|-|et|/)\s*{_AGE_NUM}\s*ans)?",
            "age agee ages agees", unless_before=_AGE_EXCUSE_BEFORE, unless_after=_NOT_CANDIDATE_AFTER, window=80),
    pattern(rf"\b(moins|plus) de {_AGE_NUM} ans\b"
            rf"|\b(entre|de) {_AGE_NUM} (et|a) {_AGE_NUM} ans\b|\b{_AGE_NUM} ?(-|/|a) ?{_AGE_NUM} ans\b"
            rf"|\b{_AGE_NUM} ans (maximum|max|maxi|au plus|au maximum|au grand maximum|dernier delai)\b|\b(maximum|max|pas plus de|au plus) {_AGE_NUM} ans\b",
            "ans", anchors=" ans", reach=40, unless_before=_AGE_EXCUSE_BEFORE, unless_after=_NOT_CANDIDATE_AFTER, window=80),
    pattern(r"\b(ne|nee|ne/nee|nes|nees) (apres|avant|entre|en|a partir de) (19[4-9]\d|20[01]\d)\b|\bannee de naissance (posterieure|anterieure|apres|avant)",
            "ne nee nes nees naissance"),
    pattern(r"\b(pas de|sans|hors) seniors?\b|\bseniors? s'abstenir\b|\b(jeunes?|juniors?) (uniquement|seulement|exclusivement)\b|\bpas de (personnes? )?(agees|ages|vieux|retraites)\b|\btrop (vieux|age|agee|ages)\b|\bjeune de moins de\b",
            "senior seniors jeune jeunes junior juniors agees ages vieux retraites age agee", anchors="=words"),
    pattern(r"\bjeunes? (et dynamiques?|profils?|recrues?|candidats?|candidates?|talents? de moins|homme|femme|fille|garcon)\b|\bdigital natives?\b|\bprofil junior (uniquement|exclusivement)|\bjeune equipe recherche jeune",
            "jeune jeunes digital junior", severity=W, variant="proxy", unless_before=NEG),
    pattern(r"\b(experience|anciennete) (de )?(\d{1,2}) (a|-) (\d{1,2}) ans (maximum|max)\b|\b(pas plus de|moins de|maximum|max) \d{1,2} ans d'experience\b",
            "experience anciennete", anchors="ans max|ans d'experience", severity=W, variant="proxy", unless_before=NEG),
    # norm4: an age bracket for the candidate ("tranche d'âge visée : 20 à 30 ans").
    pattern(rf"\btranche d'age (recherchee|souhaitee|visee|ciblee|ideale|requise|demandee)\s*:?\s*(de |entre )?{_AGE_NUM} ?(ans )?(-|a|/|et) ?{_AGE_NUM} ans\b",
            "tranche"),
    # cert: "les plus de 50 ans ne seront pas retenus" (a small regex of its own,
    # anchored on "plus de "/"moins de ": "ans" is in "dans" and "sans").
    exclusion(rf"(plus|moins) de ({_AGE_NUM_OVER_18}) ans", "ans", anchors="plus de |moins de ", unless_before=GROUP_OK),
    # cert: age groups excluded or singled out, age limits in other wordings.
    exclusion(r"seniors?|quinquagenaires?|quadragenaires?|sexagenaires?|quinquas?|retraitee?s?|personnes? agees?|jeunes retraitee?s?",
              "senior seniors quinquagenaire quinquagenaires quadragenaire quadragenaires sexagenaire sexagenaires quinqua quinquas retraite retraites retraitee retraitees agee agees",
              unless_before=GROUP_OK),
    pattern(rf"\blimite d'age\b[^.\n]{{0,25}}?\b{_AGE_NUM} ans\b|\b(age|agee?s?)\b[^.\n]{{0,30}}?\b(d'une |la |une )?(vingtaine|trentaine|quarantaine|cinquantaine)\b"
            r"|\b(vingtaine|trentaine|quarantaine|cinquantaine|soixantaine) (maximum|max|au plus|au maximum|passee?|depassee?|revolue?)\b"
            r"|\b(depasse|passe|franchi|atteint) (la |le cap de la |le cap des )?(trentaine|quarantaine|cinquantaine|soixantaine)\b",
            "limite vingtaine trentaine quarantaine cinquantaine soixantaine", anchors="limite d'age|vingtaine|trentaine|quarantaine|cinquantaine|soixantaine", reach=45,
            unless_before=_AGE_EXCUSE_BEFORE,
            unless_after=_NOT_CANDIDATE_AFTER, window=80),
)
_MIN_AGE = re.compile(rf"\b(?:(?:age|agee|ages|agees|age/agee)\s*(?:minimum|min|requis)?\s*(?:de|:)?\s*(?:plus de\s*)?|(?:avoir|etre age\w* de)\s*(?:au moins|plus de)?\s*){_AGE_NUM}\s*ans(?:\s*(?:minimum|min|revolus|et plus))?\b(?!\s*(?:a|-|et|/)\s*\d)|\b{_AGE_NUM}\s*ans (?:minimum|min|revolus|et plus)\b|\bplus de {_AGE_NUM} ans\b|\betre majeure?\b")


def age_value(text: str) -> int:
    """An age in digits or in words ("18", "dix-huit", "vingt et un")."""
    text = text.replace(" ", "-")
    return int(text) if text.isdigit() else AGE_WORDS.get(text, 0)


def _age(ctx: Context) -> Iterator[Hit]:
    hits = list(scan(ctx, AGE))
    if not hits or ctx.apprenticeship:
        return
    legal_18 = _LEGAL_18.search(ctx.all_text) is not None
    public_post = ctx.contract.public_sector or _PUBLIC_POST.search(ctx.all_text) is not None
    for hit in hits:
        if public_post and hit.variant is None:
            yield Hit(hit.field, hit.evidence, INF, "statutory", "Condition d'âge d'un recrutement public (limite statutaire, à vérifier).")
            continue
        ev = hit.evidence or ""
        m = _MIN_AGE.search(ev)
        if hit.variant is None and m is not None and not re.search(r"\b(moins|maximum|max|maxi|au plus|entre)\b", ev):
            # A minimum age: 16/18 is the legal working age or majority (lawful with a
            # legal 18+ context, otherwise a WARN); a higher minimum excludes the young.
            num = age_value(next(g for g in m.groups() if g)) if any(m.groups()) else 18
            if num <= 18 or (num <= 21 and legal_18):
                if not legal_18:
                    yield Hit(hit.field, hit.evidence, W, "minimum", "Âge minimum sans obligation légale apparente.")
                continue
            if _PUBLIC_POST.search(ctx.all_text) is not None:
                continue
        yield hit


_age.patterns = AGE  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------- DISC-FAM
FAM = (
    pattern(r"\bcelibataires?\b(?! geographique)|\bmaries?/mariees?\b|\b(etre|etes|soit|candidate?s?|personne|profil|homme|femme|couple) (marie|mariee|maries|mariees|divorce|divorcee|pacse|pacsee)\b|\b(marie|mariee|maries|mariees|pacse|pacsee) (de preference|souhaite|souhaitee|exige|exigee|uniquement|ideal|ideale|avec enfants?|sans enfants?|de preference)\b",
            "celibataire celibataires marie mariee maries mariees divorce divorcee pacse pacsee",
            unless_before=before(NEG_CORE, r"statut|situation|salaries|collaborateurs|equipes?|employes|regime|sainte?|saint")),
    pattern(r"\b(sans|pas d'|pas de|aucun) (enfants?|contraintes? familiales?|charges? de famille|attaches? familiales?|obligations? familiales?|vie de famille)\b",
            "enfant enfants familiale familiales famille", unless_before=NEG),
    pattern(r"\b(mere|pere|maman|papa) de famille\b|\bjeune (maman|papa|mere|pere)\b|\bmere au foyer\b",
            "mere pere maman papa foyer", unless_before=NEG),
    pattern(r"\b(pas de|sans|aucun|non) (projet de |desir de |)(grossesse|maternite|bebe|enfant a venir|conge maternite|conge parental)\b|\b(enceinte|enceintes) s'abstenir\b|\bnon enceinte\b|\bpas enceinte\b|\bgrossesse (en cours|envisagee)? ?(exclue?|s'abstenir|incompatible)",
            "grossesse maternite bebe enceinte enceintes parental enfant"),
    pattern(r"\bsituation (familiale|maritale|matrimoniale) (stable|exigee|a preciser|a indiquer|requise)\b|\b(votre|vos|indiquer le|preciser le) nombre d'enfants\b|\bnombre d'enfants a (charge|preciser|indiquer)\b",
            "familiale maritale matrimoniale enfants"),
    # norm4: "célibataire de préférence", "pas d'enfant à charge", pregnancy questions.
    pattern(r"\bcelibataires? (exige|exigee|exiges|obligatoire|imperatif|uniquement|de preference|souhaite|souhaitee|requis|requise|prefere|preferee)\b",
            "celibataire celibataires", unless_before=NEG),
    pattern(r"\bpas d'(enfants?|attaches? familiales?|obligations? familiales?|enfants? (a charge|en bas age))\b",
            "enfant enfants attache attaches obligation obligations familiale familiales", unless_before=NEG),
    pattern(r"\b(candidates? |femmes? )?enceintes? (non (acceptees?|admises?)|ne seront pas|exclues?|refusees?|pas acceptees?)\b"
            r"|\b(envisagez|prevoyez|projetez|avez)(-vous)? (une |un projet de |de )?(grossesse|maternite|enfant)",
            "enceinte enceintes grossesse maternite enfant"),
    # cert: family situations excluded or singled out.
    exclusion(r"celibataires?|mariee?s?|divorcee?s?|pacsee?s?|veu(f|ve|fs|ves)|(jeunes )?(meres?|peres?|mamans?|papas?|parents)( celibataires?| isolee?s?| de (jeunes |jeunes? )?enfants?)?|"
              r"familles? monoparentales?|(femmes? |candidates? )?enceintes?|grossesses?|maternites?|conges? (maternite|parental)|couples?( mariee?s?)?|futures? (mamans?|meres?)",
              "celibataire celibataires marie mariee maries mariees divorce divorcee divorces divorcees pacse pacsee veuf veuve veufs veuves mere meres pere peres maman mamans papa papas parents monoparentale monoparentales enceinte enceintes grossesse grossesses maternite maternites parental couple couples",
              unless_before=before(NEG_GROUP, SERVES, r"statut|regime|sainte?|saint")),
    pattern(r"\b(libres? de|sans|aucune?|pas d'|pas de) (toute |toutes )?(attaches?|contraintes?|obligations?|charges?) (familiales?|de famille)\b"
            r"|\b(preciser|indiquer|mentionner|communiquer|renseigner|joindre) (votre |vos |le |la |l')?(situation (de famille|familiale|maritale|matrimoniale)|statut (marital|matrimonial)|nombre (de vos |d')enfants|livret de famille)\b",
            "familiale familiales famille maritale matrimoniale marital matrimonial enfants", anchors="=words", reach=60,
            unless_before=NEG),
)

# ---------------------------------------------------------------------------- DISC-ORIG
#: People the job serves (describing them is not a criterion on the candidate).
_SERVED_PEOPLE = (
    r"publics?|stagiaires|beneficiaires|personnes|salaries|apprenants|eleves|clients|clientele|patients|specialites?|recettes?|plats?|gastronomie|"
    r"residents|familles|population|usagers|jeunes|enfants|adultes|accompagn\w*|accueill\w*|produits?|cuisine|vins?"
)
_NATIONALITY_OK_AFTER = r"^[^.\n]{0,40}\b(ou (ue|union|titre|autorisation|ressortissant|d'un etat|europeenne|eee|permis|carte)|ou d'un (etat|pays)|ou equivalent)"
ORIG = (
    pattern(r"\btype (europeen|europeenne|africain|africaine|maghrebin|maghrebine|asiatique|caucasien|caucasienne|arabe|nordique|mediterraneen|latin)\b|\bnon (typee?|typees?)\b|\bpersonne non typee\b",
            "type typee typees typer"),
    pattern(r"\b(d'origine|origine) (francaise|europeenne|africaine|maghrebine|asiatique|etrangere|arabe|portugaise|italienne|polonaise|chinoise)\b|\bde souche\b|\bfrancais de souche\b",
            "origine souche", unless_before=before(NEG_CORE, _SERVED_PEOPLE)),
    pattern(r"\bnationalite (francaise|europeenne|etrangere|[a-z]+e) (exigee|obligatoire|requise|imperative|indispensable|uniquement|seulement|exclusivement)\b|\b(de|etre de|etre) nationalite francaise\b|\bnationalite francaise\b",
            "nationalite", unless_before=NEG, unless_after=_NATIONALITY_OK_AFTER),
    pattern(r"\bpas (de |d')(candidats? |personnes? |profils? )?(etrangers?|etrangeres?|immigres?|maghrebins?|africains?|noirs?|arabes?|asiatiques?|roms?|gens du voyage|musulmans?|juifs?)\b|\b(etrangers|etrangeres) s'abstenir\b",
            "etranger etrangers etrangere etrangeres immigre immigres maghrebin maghrebins africain africains noir noirs arabe arabes asiatique asiatiques rom roms voyage musulman musulmans juif juifs"),
    pattern(r"\b(alsacien|alsacienne|breton|bretonne|corse|basque|savoyard|savoyarde|francais|francaise|europeen|europeenne|parisien|parisienne|marseillais|marseillaise)s? (uniquement|exclusivement|seulement|de preference|exige|exigee)\b|\bisraelite\b",
            "uniquement exclusivement seulement preference exige exigee israelite", unless_before=before(NEG_CORE, r"parl\w+|langue|francais|anglais|maitris\w+|courant")),
    pattern(r"\b(couleur de (la )?peau|peau (blanche|claire|noire|mate)|race|ethnie|ethnique|consonance (francaise|etrangere)|nom a consonance|patronyme)\b",
            "couleur peau race ethnie ethnique consonance patronyme", unless_before=NEG),
    pattern(r"\bnationalite europeenne\b|\bressortissant (de l')?(ue|union europeenne)\b|\bcitoyen (europeen|de l'ue)\b", "nationalite ressortissant citoyen",
            severity=W, variant="eu_nationality", unless_before=NEG),
    # norm4: "pas de profils issus de l'immigration", "pas de personnes d'origine X".
    pattern(r"\bpas (de |d')(candidats? |personnes? |profils? |gens )?(d'origine (etrangere|africaine|maghrebine|arabe|asiatique|turque|immigree)|issus? de l'immigration)\b",
            "origine immigration"),
    # cert: a French or white "birth" asked for.
    pattern(r"\b(francaise?s?|europeen(ne)?s?|blanc(he)?s?) (de naissance|d'origine|de souche|de sang)\b",
            "francais francaise francaises europeen europeenne europeens europeennes blanc blancs blanche blanches", anchors="=words",
            unless_before=before(NEG_CORE, r"produits?|vins?|fromages?|viandes?|cuisine|specialites?|marques?|fabrication|appellation|labels?")),
    # cert: origin groups excluded or singled out (nationality adjectives only after a
    # person noun or as a plural noun: "anglais courant" is a language, not a person).
    exclusion(r"(d'origines? |origine )(etrangere|africaine|maghrebine|arabe|asiatique|europeenne|francaise|immigree|turque|roumaine|polonaise|portugaise|algerienne|"
              r"marocaine|tunisienne|senegalaise|malienne|ivoirienne|comorienne|chinoise|indienne|pakistanaise|antillaise|subsaharienne|nord-africaine|latine|hispanique|"
              r"gitane|rom|juive|musulmane|modeste|populaire)s?|etrangere?s?|immigree?s?|issue?s? de l'immigration|maghrebine?s?|africaine?s?|noire?s?|blacks?|beurs?|rebeus?|"
              r"asiatiques?|roms?|tziganes?|gitane?s?|gens du voyage|de couleur|europeen(ne)?s?|"
              r"(roumain|bulgare|polonais|portugais|algerien|marocain|tunisien|senegalais|malien|ivoirien|turc|comorien|ukrainien|syrien|afghan|chinois|pakistanais|indien|albanais|kosovar|tchetchene)(ne|e|s|nes|es)?",
              "origine origines etranger etrangere etrangers etrangeres immigre immigree immigres immigrees immigration maghrebin maghrebine maghrebins maghrebines africain africaine africains africaines noir noire noirs noires black blacks beur beurs rebeu rebeus asiatique asiatiques rom roms tzigane tziganes gitan gitane gitans gitanes voyage couleur europeen europeenne europeens europeennes blanc blancs blanche blanches roumain roumaine roumains roumaines bulgare bulgares polonais polonaise polonaises portugais portugaise portugaises algerien algerienne algeriens algeriennes marocain marocaine marocains marocaines tunisien tunisienne tunisiens tunisiennes senegalais senegalaise senegalaises malien malienne maliens maliennes ivoirien ivoirienne ivoiriens ivoiriennes turc turcs turque turques comorien comorienne comoriens comoriennes ukrainien ukrainienne ukrainiens ukrainiennes syrien syrienne syriens syriennes afghan afghane afghans afghanes chinois chinoise chinoises pakistanais pakistanaise pakistanaises indien indienne indiens indiennes albanais albanaise albanaises kosovar kosovare kosovars kosovares tchetchene tchetchenes",
              unless_before=before(NEG_GROUP, SERVES, r"nationalite|ressortissant|citoyen|cuisine|produits?|specialites?|langue|parl\w+|clientele")),
)


def _origin(ctx: Context) -> Iterator[Hit]:
    hits = list(scan(ctx, ORIG))
    if not hits:
        return
    public = ctx.contract.public_sector or _PUBLIC_POST.search(ctx.all_text) is not None
    for hit in hits:
        ev = hit.evidence or ""
        if (public and "nationalite" in ev) or (public and hit.variant == "eu_nationality"):
            continue
        if "nationalite francaise" in ev and hit.variant is None and not re.search(r"(exige|obligatoire|requis|imperati|indispensable|uniquement|seulement|exclusivement|etre de|de nationalite)", ev):
            continue  # a bare mention ("nationalité française ou UE") is not a requirement
        yield hit


_origin.patterns = ORIG  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------- DISC-HEALTH
HEALTH = (
    pattern(r"\b(en )?(bonne|parfaite|excellente) sante\b|\bpersonnes? valides?\b|\b(pas|sans) de? ?handicaps?\b|\bpas de (travailleurs |personnes )?handicapes?\b|\bhandicapes? s'abstenir\b|\bpas de rqth\b",
            "sante valide valides handicap handicaps handicape handicapes rqth",
            unless_before=before(NEG_CORE, r"prevention|securite|sante et|qualite de vie|mutuelle|protection|prendre soin|preserv\w+|promotion|veiller|bien-etre|accompagn\w*|situation de|prise en charge"),
            unless_after=r"^\s*(n'est|ne sont|ne constitue|et securite|au travail|des (salaries|collaborateurs|personnes|patients|residents|enfants)|de nos|physique et mentale|publique|mentale)"),
    pattern(r"\b(aucun|pas de|sans|jamais eu de|exempt de) (probleme|souci|antecedent|trouble|pathologie|maladie|traitement|arret maladie|restriction medicale)s? (de sante|de dos|medicaux?|medicales?|cardiaques?|chroniques?|psychologiques?|psychiatriques?|physiques?|de (la )?vue)\b|\bnon (diabetique|epileptique|asthmatique)s?\b|\bpas (d'|de )(arrets? maladie|maladie chronique)",
            "probleme souci antecedent trouble pathologie maladie traitement medicale diabetique epileptique asthmatique allergique allergie arret arrets",
            unless_before=NEG),
    pattern(r"\bnon allergiques?\b|\bpas (d'|de )allergies?\b", "allergique allergiques allergie allergies", severity=W, variant="allergy"),
    pattern(r"\b(bonne|excellente|parfaite) (condition|forme|resistance) physique\b|\bresistance physique\b|\bport de charges lourdes\b|\bphysiquement (apte|resistant|resistante|robuste)\b|\b(robuste|costaud|costaude)\b",
            "physique lourdes physiquement robuste costaud costaude", severity=W, variant="physical",
            unless_after=r"^[^.\n]{0,30}\b(jusqu'a|\d+ ?kg|kilos?|maximum|max|limite|aide|aides|materiel|manutention assistee)"),
    # norm4: "asthmatiques s'abstenir", "attestation d'absence de pathologie".
    pattern(r"\b(diabetiques?|epileptiques?|asthmatiques?|allergiques?|handicapee?s?|malades?|cardiaques?)( (ou|et|,) (diabetiques?|epileptiques?|asthmatiques?|allergiques?|handicapee?s?|malades?|cardiaques?))? s'abstenir\b"
            r"|\b(certificat|attestation|justificatif) (medical )?(d'absence|attestant l'absence|de non) (de |d')?(maladies?|pathologies?|handicaps?|antecedents?)",
            "diabetique diabetiques epileptique epileptiques asthmatique asthmatiques allergique allergiques handicape handicapes handicapee handicapees malade malades cardiaque cardiaques certificat attestation justificatif"),
    # cert: health conditions and disabilities excluded (reserving a post to disabled
    # people is lawful positive action, so no restriction form); good health required.
    exclusion(r"handicapee?s?|(en situation de |porteu(r|se|rs|ses) d'un |avec un |ayant un )handicaps?|rqth",
              "handicape handicapee handicapes handicapees handicap handicaps rqth",
              restrict=False, unless_before=before(NEG_GROUP, SERVES, r"ouvert\w*|priorit\w*|amenag\w*|adapt\w*|compatible")),
    exclusion(r"invalides?|a mobilite reduite|pmr|"
              r"diabetiques?|epileptiques?|asthmatiques?|cardiaques?|malades?|seropositi(f|ve|fs|ves)|vih|sida|"
              r"malentendante?s?|malvoyante?s?|sourde?s?|aveugles?|depressi(f|ve|fs|ves)|dyslexiques?|autistes?|bipolaires?|cancer\w*|obeses?|"
              r"(atteints?|atteintes|souffrant|souffrante?s?) (de |d'|du |des )\w+|(problemes?|soucis|troubles?) (de sante|de dos|medica\w+|psychi\w+|psycholog\w+)|"
              r"maladies? (chroniques?|graves?)|antecedents?( medica\w+| psychi\w+| de \w+| d'\w+)?|arrets? maladie",
              "invalide invalides reduite pmr diabetique diabetiques epileptique epileptiques asthmatique asthmatiques cardiaque cardiaques malade malades seropositif seropositive seropositifs seropositives vih sida malentendant malentendante malentendants malentendantes malvoyant malvoyante malvoyants malvoyantes sourd sourde sourds sourdes aveugle aveugles depressif depressive depressifs depressives dyslexique dyslexiques autiste autistes bipolaire bipolaires cancer obese obeses atteint atteints atteintes souffrant souffrante souffrants souffrantes probleme problemes soucis trouble troubles maladie maladies antecedent antecedents",
              restrict=False, unless_before=before(NEG_GROUP, SERVES, r"ouvert\w*|priorit\w*|amenag\w*|adapt\w*|compatible")),
    exclusion(r"(en )?(bonne|parfaite|excellente) sante( physique et mentale| physique| mentale)?|(personnes?|candidate?s?|profils?|travailleu\w+|physiquement) valides?|indemnes? de \w+|sans (antecedents?|pathologies?|maladies?)( \w+)?",
              "sante valide valides indemne indemnes antecedent antecedents pathologie pathologies maladie maladies",
              unless_before=before(NEG_GROUP, SERVES)),
)

# ---------------------------------------------------------------------------- DISC-APP
#: Hair and beauty work: hair colours and cuts are the service, not the candidate.
_HAIR_CARE = r"specialiste|coloration|coloriste|coupes?|soins?|balayages?|produits?|coiff\w*|perruques?|extensions?|clients?|clientele"
APP = (
    pattern(r"\bphysique (agreable|avantageux|plaisant|attrayant|attirant|sympathique|irreprochable|impeccable|de mannequin)\b|\bbelle presentation physique\b|\b(jolie|belle) (fille|femme|jeune femme|silhouette|plastique|apparence)\b|\bbien (fait|faite) de (sa|votre) personne\b|\bsex.?appeal\b",
            "physique presentation jolie belle fait faite appeal", unless_before=NEG),
    pattern(r"\b(taille|mesurer|mesurant|hauteur) (minimum |minimale |min |d'au moins |de plus de |superieure a |: )?(de )?1 ?(m|,|\.) ?\d{2}\b|\b1 ?m ?\d{2} (minimum|min|au moins)\b|\bpoids (maximum|max|minimum|inferieur|superieur|proportionne)\b|\b(taille|tour de taille) (36|38|40|s|xs|m)\b",
            "taille mesurer mesurant hauteur poids minimum min moins", anchors="1m|1 m|1,|1.|poids|taille"),
    pattern(r"\b(yeux (bleus|verts|clairs|marrons)|cheveux (courts|longs|blonds|bruns|roux|lisses)|blonde?s?|brune?s? (de preference|uniquement)|mince|minces|svelte|sveltes|elancee?|pas de surpoids|sans surpoids|surpoids)\b",
            "yeux cheveux blond blonde blondes brun brune brunes mince minces svelte sveltes elance elancee surpoids",
            unless_before=before(NEG_CORE, _HAIR_CARE)),
    pattern(r"\b(cv|candidature) (avec|accompagnee? d'une?) photo (obligatoire|exigee|imperative|indispensable|en pied|de plain-pied)\b|\bphoto en pied\b",
            "photo"),
    pattern(r"\b(bonne|belle|excellente|tres bonne) presentation\b|\bpresentation (soignee|impeccable|irreprochable)\b|\b(pas de|sans) (tatouages?|piercings?)\b|\btatouages? (visibles? )?(interdits?|exclus|non acceptes)\b",
            "presentation tatouage tatouages piercing piercings", severity=W, variant="presentation"),
    # norm4: "belle de préférence", "jolie exigée".
    pattern(r"\b(jolie|jolies|belle|belles|mignonne|mignonnes|beau|beaux) (de preference|exigee?s?|souhaitee?s?|obligatoire|imperatif|uniquement|si possible)\b",
            "jolie jolies belle belles mignonne mignonnes beau beaux", unless_before=NEG),
    # cert: appearance groups excluded or required.
    exclusion(r"minces?|sveltes?|elancee?s?|en surpoids|obeses?|grosses?|gros|(de |en )?(forte|petite|grande) corpulence|corpulente?s?|rondes?|"
              r"rousse?s?|roux|chauves?|barbus?|tatouee?s?|percee?s?|blonde?s?|brune?s?|(silhouette|allure|apparence) (\w+)|seduisante?s?|"
              r"(jolie?s?|belles?|beaux?|bonne|agreable) (apparence|allure|silhouette|plastique|physique|gueule|visage)",
              "mince minces svelte sveltes elance elancee elances elancees surpoids obese obeses grosse grosses gros corpulence corpulent corpulente corpulents corpulentes ronde rondes rousse rousses roux chauve chauves barbu barbus tatoue tatouee tatoues tatouees perce percee perces percees blond blonde blonds blondes brun brune bruns brunes silhouette allure apparence seduisant seduisante seduisants seduisantes",
              unless_before=before(NEG_GROUP, SERVES, _HAIR_CARE, r"condition|effort|activite|travail|resistance|aptitude|port|vetements?|rayon|tailles?")),
    pattern(r"\bphysique (\w+ )?(avenant|agreable|attrayant|attirant|seduisant|plaisant|harmonieux|flatteur|athletique|de reve|parfait|soigne)\b|\bsilhouette (fine|mince|elancee|sportive|harmonieuse|parfaite|de mannequin)\b"
            r"|\b(taille|mesurer|mesurant|hauteur) (minimum|minimale|min|requise|exigee)?\s*:?\s*(d'au moins |de |au moins )?(un|1) (metre|m)\b",
            "physique silhouette taille mesurer mesurant hauteur", unless_before=NEG),
)

# ---------------------------------------------------------------------------- DISC-BELIEF
BELIEF = (
    pattern(r"\b(catholique|musulman|musulmane|juif|juive|chretien|chretienne|protestant|protestante|bouddhiste|athee|croyant|croyante|evangelique)s? (pratiquante?s?|uniquement|exclusivement|de preference|exige|exigee|requis|souhaite|souhaitee|obligatoire|engage|engagee|convaincue?)\b|\b(pratiquant|pratiquante) (de la|d'une|du|la) (religion|foi|culte)\b|\bfoi (catholique|chretienne|musulmane|juive) (exigee|requise|souhaitee|vivante)",
            "catholique musulman musulmane juif juive chretien chretienne protestant protestante bouddhiste athee croyant croyante evangelique pratiquant pratiquante foi",
            unless_before=NEG),
    pattern(r"\bnon (syndique|syndiquee|syndiques)\b|\bpas (de |d')(syndicalistes?|syndiques|delegues? syndicaux|activites? syndicales?|engagement syndical|appartenance syndicale|militants?|engagement politique|activite politique|opinions? politiques?)\b|\b(sans|aucune?) (appartenance|engagement|activite|affiliation|mandat) (syndical|syndicale|politique)e?\b|\bapolitique (exige|imperatif|obligatoire)|\bsyndicalistes? s'abstenir\b|\b(elus?|mandat electif) s'abstenir\b|\bpas de mandat electif\b",
            "syndique syndiquee syndiques syndicalistes syndicaliste syndicaux syndicale syndical militant militants politique politiques apolitique elu elus electif", anchors="=words",
            unless_before=NEG),
    pattern(r"\b(heterosexuel|heterosexuelle|hetero)s?\b|\b(homosexuels?|gays?|lesbiennes?|lgbt\w*|trans|transgenres?) (s'abstenir|exclus|non acceptes|refuses)\b|\bpas (de|d') (homosexuels?|gays?|lesbiennes?|lgbt\w*|transgenres?)\b|\bbonnes? moeurs\b|\bvie privee (irreprochable|exemplaire)",
            "heterosexuel heterosexuelle hetero heterosexuels homosexuel homosexuels gay gays lesbienne lesbiennes lgbt lgbtq lgbtqia trans transgenre transgenres moeurs privee",
            unless_before=NEG),
    pattern(r"\b(pas de|sans|interdiction de|aucun) (port de )?(signes?|symboles?|tenues?) (religieux|religieuses|ostentatoires?|confessionnels?)\b|\b(voile|foulard|kippa|turban) (interdit|non accepte|exclu|proscrit)\b|\bneutralite religieuse\b",
            "religieux religieuses ostentatoire ostentatoires confessionnels voile foulard kippa turban neutralite",
            severity=W, variant="religious_signs"),
    # norm4: "candidates voilées ne seront pas retenues", "adhésion syndicale incompatible".
    pattern(r"\b(voilee?s?|portant (le|un) (voile|foulard))\b[^.\n]{0,30}\b(s'abstenir|ne seront pas|non retenue?s?|exclue?s?|refusee?s?|pas acceptee?s?)"
            r"|\b(appartenance|adhesion|affiliation|engagement|activite)s? (a un syndicat|syndicale?s?|politiques?)\b[^.\n]{0,40}\b(incompatibles?|interdite?s?|exclue?s?|refusee?s?|proscrite?s?|pas toleree?s?)",
            "voile voilee voilees foulard syndicat syndical syndicale syndicales politique politiques", unless_before=NEG),
    # cert: beliefs, union or political membership, orientation and gender identity.
    exclusion(r"(catholique|musulman|musulmane|juif|juive|chretien|chretienne|protestant|protestante|evangelique|bouddhiste|hindou|hindoue|sikh|athee|croyant|croyante|pratiquant|pratiquante|orthodoxe|mormon|israelite|islamiste|laique)s?|"
              r"de (confession|religion|culte) \w+|temoins de jehovah|(femmes? |candidates? )?voilee?s?|portant (le|un) (voile|foulard|turban|kippa)|"
              r"syndiquee?s?|syndicalistes?|(affiliee?s?|adherente?s?|inscrite?s?|appartenant) (a un |au |a la |a une |a des )(syndicat|parti|organisation syndicale)\w*|(adherent|militant|sympathisant|encarte)e?s?( \w+){0,2} (de la |d'un |du |a la |a un )?(cgt|cfdt|fo|sud|unsa|cftc|cgc|syndicat\w*|parti\w*)|"
              r"(delegue|representant|elu)e?s? syndica\w+|(ayant|ayant eu|avec|detenant) (un |des )?mandats?( \w+){0,3}|elue?s?( \w+){0,2}|militante?s?( \w+)?|sympathisants?( \w+)?|"
              r"(communistes?|socialistes?|ecologistes?|insoumise?s?|frontistes?)|"
              r"homosexuel\w*|heterosexuel\w*|bisexuel\w*|gays?|lesbiennes?|transgenres?|trans|transsexuel\w*|queers?|lgbt\w*|non[- ]binaires?",
              "catholique catholiques musulman musulmane musulmans musulmanes juif juive juifs juives chretien chretienne chretiens chretiennes protestant protestante protestants protestantes evangelique evangeliques bouddhiste bouddhistes hindou hindoue hindous sikh sikhs athee athees croyant croyante croyants croyantes pratiquant pratiquante pratiquants pratiquantes orthodoxe orthodoxes mormon mormons israelite israelites islamiste islamistes laique laiques confession religion culte jehovah voile voilee voilees affilie affiliee affilies affiliees inscrit inscrits inscrite inscrites appartenant syndique syndiquee syndiques syndiquees syndicaliste syndicalistes adherent adherents adherente adherentes militant militants militante militantes sympathisant sympathisants encarte encartes syndical syndicaux syndicale syndicales elu elus elue elues mandat mandats communiste communistes socialiste socialistes ecologiste ecologistes insoumis insoumise insoumises frontiste frontistes homosexuel homosexuelle homosexuels homosexuelles heterosexuel heterosexuelle heterosexuels heterosexuelles bisexuel bisexuelle bisexuels bisexuelles gay gays lesbienne lesbiennes transgenre transgenres trans transsexuel transsexuelle transsexuels queer queers lgbt lgbtq lgbtqia lgbtqi binaire binaires",
              unless_before=GROUP_OK),
    pattern(r"\b(doit|doivent|devez|devra|devrez|soit|soyez|etre|etes) (obligatoirement |imperativement |forcement )?(de confession \w+|de religion \w+|(catholique|musulmane?|juif|juive|chretienne?|protestante?|evangelique|bouddhiste|croyante?|pratiquante?)s?)\b",
            "confession religion catholique catholiques musulman musulmane musulmans juif juive chretien chretienne chretiens protestant protestante evangelique bouddhiste croyant croyante croyants pratiquant pratiquante pratiquants",
            unless_before=NEG),
)

# ---------------------------------------------------------------------------- DISC-RES
RES = (
    pattern(r"\b(habitants?|residents?|residant|residante|residants|domicilies?|domiciliees?) (de|du|des|a|en|dans|sur) [a-z' -]{2,40} (uniquement|exclusivement|seulement)\b|\b(uniquement|exclusivement|seulement) (les |aux )?(habitants?|residents?|candidats? residant)",
            "uniquement exclusivement seulement", unless_before=NEG),
    pattern(r"\b(ne pas|ne doit pas|ne devez pas|ne pouvant|sans) (resider|habiter|vivre|etre domicilie\w*) (en|dans|a) (qpv|zus|quartiers?|banlieues?|cites?|zone)\b|\b(pas de|hors|sauf) (candidats? (de|des|issus des?) )?(qpv|zus|banlieues?|cites|quartiers (prioritaires|sensibles|difficiles))\b|\b(banlieusards?|habitants des cites) s'abstenir\b",
            "qpv zus quartier quartiers banlieue banlieues cite cites banlieusard banlieusards"),
    pattern(r"\b(compte|domiciliation) bancaire (en france |francais |francaise |dans une banque francaise )?(obligatoire|exige|exigee|requis|requise|imperatif|indispensable)\b|\bbanque francaise (obligatoire|exigee|requise)|\bcompte (bancaire )?(dans|aupres de) (la|une) banque [a-z ]{2,20} (obligatoire|exige|requis)",
            "bancaire banque compte"),
    pattern(r"\b(habiter|resider|residant|habitant|etre domicilie\w*|domicilie\w*|vivre|loger) (a proximite|a moins de \d+ ?(km|kms|kilometres|minutes)|dans (un rayon|le secteur|les environs|la commune|le quartier|la ville)|sur (place|la commune|le secteur)|pres du|proche du|non loin)\b|\bdomicile a moins de \d+",
            "habiter resider residant habitant domicilie domiciliee vivre loger domicile", severity=W, variant="proximity",
            unless_before=NEG),
    # norm4: "réservé aux riverains", "domiciliés hors de la ville s'abstenir".
    pattern(r"\breservee?s? (uniquement |exclusivement )?aux (habitants|residents|riverains)\b"
            r"|\b(habitants?|residant\w*|domicilie\w*|venant|issus?|originaires?) [^.\n]{2,50} s'abstenir\b",
            "reserve reservee reserves reservees s abstenir", anchors="reserv|s'abstenir", unless_before=NEG),
    # cert: places of residence excluded or singled out.
    exclusion(r"(habitant|residant|domicilie|originaire|vivant|habitante|residante|domiciliee)s? "
              r"(de |du |des |d'|a |au |aux |en |dans (un |une |les |le |la |l')?|hors (de |du |des )?|sur |l'|le |la |les )[a-z0-9'-]+( [a-z'-]+){0,3}?"
              r"|((venant|issue?s?|sortant|vivant) (de |des |du |d'|en )(la |les |l')?)?(quartiers? (nord|sud|est|ouest|prioritaires?|sensibles?|populaires?|difficiles?|defavorises?)|quartiers?|cites( hlm)?|cite hlm|banlieues?)"
              r"|zones? urbaines? sensibles?|zus|qpv|\d+(e|eme) arrondissement|seine-saint-denis|hors (de )?(paris|la ville|la commune|la metropole)( intra-muros)?",
              "habitant habitants habitante habitantes residant residants residante residantes domicilie domicilies domiciliee domiciliees originaire originaires vivant vivants quartier quartiers cites hlm banlieue banlieues urbaine urbaines zus qpv arrondissement seine hors",
              gap=20, reach=30, unless_before=before(NEG_GROUP, SERVES, r"emplois? francs?|secteur|tournee|livraison|intervention|mission|chantier")),
)

# ---------------------------------------------------------------------------- DISC-LANG
LANG = (
    pattern(r"\bsans (aucun )?accent\b|\bpas d'accent\b|\baccent (etranger|prononce|regional|du sud) (exclu|s'abstenir|non accepte|refuse|proscrit|interdit)\b|\bpas d'accent (etranger|prononce)\b",
            "accent", unless_before=r"(pas de|sans) (caractere|lettre|mot)[^.\n]*$"),
    pattern(r"\blangue maternelle\b|\bnative speaker\b|\b(anglais|francais|allemand|espagnol|italien|neerlandais|portugais|arabe|chinois|russe|english|french) (natif|native|langue maternelle)\b|\b(natif|native|native speakers?) (anglais|francais|allemand|espagnol|italien|neerlandais|english|french)\b|\bbilingue natif\b",
            "maternelle native natif speaker speakers", severity=W, variant="native",
            unless_before=r"(niveau (equivalent|proche|comparable)|ou equivalent|comme|quasi)[^.\n]*$"),
)

# ---------------------------------------------------------------------------- DISC-ECON
ECON = (
    # cert: economic vulnerability excluded (reserving an insertion post to RSA
    # recipients or jobseekers is lawful, so no restriction form).
    exclusion(r"(beneficiaire|allocataire|percepteur|titulaire)s? (du |des |de l'|de la |de |d'|d'une )?(rsa|rmi|minimas? sociaux|aah|ass|allocations?( \w+)?|aides? sociales?|revenu de solidarite)|"
              r"rsa|rmistes?|chomeu(r|se|rs|ses)( de longue duree)?|demandeu(r|se|rs|ses) d'emploi( de longue duree)?|sans domicile( fixe)?|sdf|sans-abris?|sans abris?|"
              r"(en (situation de )?)?surendettement|surendettee?s?|endettee?s?|fichee?s? (a la |au )?(banque de france|fichier|ficp|fcc)|interdits? bancaires?|precaires?|pauvres|"
              r"(en|dans la) (precarite|difficulte financiere|grande difficulte)|sans ressources|dettes?|credits? en cours|fichage( bancaire| banque de france)?",
              "beneficiaire beneficiaires allocataire allocataires percepteur percepteurs minima minimas aah ass allocation allocations sociale sociales solidarite rsa rmi rmiste rmistes chomeur chomeuse chomeurs chomeuses demandeur demandeuse demandeurs demandeuses domicile sdf abri abris surendettement surendette surendettee surendettes surendettees endette endettee endettes endettees fiche fichee fiches fichees interdit interdits precaire precaires pauvres precarite difficulte ressources dette dettes credit credits fichage",
              restrict=False, reach=30, unless_before=before(NEG_GROUP, SERVES, r"ouvert\w*|priorit\w*|eligible\w*|contrat d'insertion|dispositif|pec")),
)

# ---------------------------------------------------------------------------- DISC-ALERT
ALERT = (
    pattern(r"\blanceurs? d'alerte (exclus|s'abstenir|non acceptes|refuses)\b|\b(ayant|qui ont) (deja )?(fait|effectue|emis|realise) (un|des|de) (signalements?|alertes?)\b[^.\n]{0,40}\b(exclu|s'abstenir|refuse|non)|\bpas de lanceurs? d'alerte\b|\bjamais (fait|effectue) de signalement",
            "alerte alertes signalement signalements"),
)

# ---------------------------------------------------------------------------- DISC-DATA
_REGULATED_JOB = re.compile(
    r"\b(securite|surete|gardiennage|enfants?|mineurs?|creche|ecole|animateur|animatrice|educateur|educatrice|aide a domicile|"
    r"personnes agees|ehpad|banque|bancaire|transport de fonds|taxi|vtc|chauffeur|conducteur|conductrice|aeroport|"
    r"assurance|comptab\w*|caisse|caissier|caissiere|tresor\w*|nucleaire|defense|police|armee|penitentiaire|"
    r"soins?|sante|hopital|clinique|infirmier|infirmiere|auxiliaire|assistante? maternelle|periscolaire|jeunesse|"
    r"sportif|sport|convoyeur|agent de|habilitation|fonds|bijouterie|joaillerie|notaire|avocat|juridique)\b"
)
DATA = (
    pattern(r"\b(joindre|fournir|envoyer|communiquer|indiquer|transmettre|preciser|avec|accompagnee? de) (votre |le |un |une |la |vos )?(numero de securite sociale|n° de securite sociale|numero de secu|nir|carte vitale|rib|releve d'identite bancaire|coordonnees bancaires|iban)\b|\b(rib|numero de securite sociale|coordonnees bancaires|iban) (a joindre|a fournir|obligatoire|exige|requis|avec (votre|la) candidature|des la candidature)\b",
            "sociale secu nir vitale rib bancaire bancaires iban", anchors="=words", reach=90, unless_before=r"(embauche|embauches|apres|lors de (l'|votre )?(embauche|signature|integration)|le premier jour|a l'arrivee|une fois)[^.\n]*$"),
    pattern(r"\bcasier judiciaire (vierge|exige|obligatoire|b3|n°3|bulletin)\b|\bextrait de casier judiciaire\b|\bbulletin n° ?3\b",
            "casier judiciaire", severity=W, variant="criminal_record"),
    pattern(r"\bphoto (d'identite )?(obligatoire|exigee|imperative|indispensable|requise)\b|\b(date de naissance|age|situation familiale|nationalite) (obligatoire|a preciser|a indiquer|exigee?|requise?) (sur|dans|avec) (le|votre) cv\b|\bdate de naissance (obligatoire|a preciser|a indiquer|exigee)\b|\bsituation familiale a (preciser|indiquer)\b",
            "photo naissance familiale", severity=W, variant="unrelated_data"),
    # norm4: identity or bank documents asked for with the application, in any order.
    pattern(r"\b(joindre|joignez|envoyer|envoyez|fournir|fournissez|transmettre|transmettez|adresser|adressez|communiquer|communiquez)(-nous)?\b[^.\n]{0,80}\b(numero de securite sociale|carte vitale|rib|releve d'identite bancaire|iban|coordonnees bancaires|(piece|carte) d'identite|passeport)\b",
            "sociale vitale rib bancaire bancaires iban identite passeport", anchors="=words", reach=130,
            unless_before=r"(embauche|embauches|apres|lors de (l'|votre )?(embauche|signature|integration)|le premier jour|a l'arrivee|une fois|salaries|paie)[^.\n]*$"),
    # cert: social-security number or bank details in the same sentence as the
    # application, in any order and wording (a request after hiring is lawful).
    pattern(r"\b(numeros? de securite sociale|numeros? de secu|n de secu\w*|secu|nir|carte vitale|rib|releve d'identite bancaire|iban|coordonnees bancaires|numero de compte bancaire|numero de carte bancaire|code (secret|pin|confidentiel))\b",
            "sociale secu nir vitale rib iban bancaire bancaires secret pin confidentiel", anchors="=words", reach=30,
            needs=(r"\b(candidature|cv|postuler|postulez|lettre de motivation|dossier|premier contact|entretien|selection)\b",),
            unless_before=r"(embauche|apres|lors de (l'|votre )?(embauche|signature|integration)|le premier jour|a l'arrivee|une fois|salaries|paie|clients?|adherents|assures|patients|usagers|beneficiaires|saisi\w*|gestion|traitement|verifi\w*|controle)",
            unless_after=r"(embauche|signature du contrat|integration|premier jour|arrivee|des salaries|des clients|des assures|des patients|des usagers|des adherents)"),
)


def _data(ctx: Context) -> Iterator[Hit]:
    for hit in scan(ctx, DATA):
        if hit.variant == "criminal_record" and _REGULATED_JOB.search(ctx.texts["title"] + "\n" + ctx.texts["description"]):
            continue
        yield hit


_data.patterns = DATA  # type: ignore[attr-defined]


def _appearance(ctx: Context) -> Iterator[Hit]:
    hits = list(scan(ctx, APP))
    if hits and not _r1142(ctx):
        yield from hits


_appearance.patterns = APP  # type: ignore[attr-defined]

_BASIS = "L1132-1, L5321-2, CP 225-1/225-2"
RULES: tuple[Rule, ...] = (
    Rule("DISC-SEX", R, "L1142-1 1°, R1142-1, L1132-1", "Mention du sexe du candidat recherché.", _sex),
    Rule("DISC-AGE", R, "L5331-2, L1132-1, L1133-2", "Limite d'âge ou critère d'âge non imposé par la loi.", _age),
    Rule("DISC-FAM", R, "L1142-1 1°, L1132-1, L1225-1", "Critère de situation de famille ou de grossesse.", text_detector(*FAM)),
    Rule("DISC-ORIG", R, _BASIS, "Critère d'origine, de nationalité, d'ethnie ou de nom.", _origin),
    Rule("DISC-HEALTH", R, "L1132-1, L1133-3", "Critère d'état de santé, de handicap ou de perte d'autonomie.", text_detector(*HEALTH)),
    Rule("DISC-APP", R, "L1132-1", "Critère d'apparence physique.", _appearance),
    Rule("DISC-BELIEF", R, "L1132-1", "Critère de religion, d'opinion, d'activité syndicale, de mandat, de mœurs ou d'orientation sexuelle.", text_detector(*BELIEF)),
    Rule("DISC-RES", R, "L1132-1", "Critère de lieu de résidence ou de domiciliation bancaire.", text_detector(*RES)),
    Rule("DISC-LANG", R, "L1132-1", "Critère d'accent ou de langue maternelle.", text_detector(*LANG)),
    Rule("DISC-ECON", R, "L1132-1", "Critère de vulnérabilité économique.", text_detector(*ECON)),
    Rule("DISC-ALERT", R, "L1132-1 (loi 2022-401)", "Exclusion des lanceurs d'alerte.", text_detector(*ALERT)),
    Rule("DISC-DATA", R, "L1221-6, R5323", "Information demandée sans lien avec l'emploi.", _data),
)
