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
NEG_AFTER = r"^[^.\n]{0,15}\b(n'est pas|ne sont pas|indifferent|sans importance|bienvenue?s? (a tou|quel))"

# ---------------------------------------------------------------------------- contexts
_R1142 = re.compile(
    r"\b(mannequins?|modeles? (photo|vivant|mode|cabine|pour)|casting|defiles?|figurant|figurante|figuration|"
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
    pattern(rf"\b(recherch\w*|recrut\w*|cherch\w*|embauch\w*|besoin d'une?) (un |une |d'une? |des )?(jeune |dame |)?{_WHO}\b(?! (ou|et|/) )(?! ?(de|d') (menage|chambre|entretien|main|toutes mains|service|peine|terrain|metier|confiance|l'art|ressources))",
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
_AGE_NUM = r"(1[6-9]|[2-6]\d|70)"
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
            "senior seniors jeune jeunes junior juniors agees ages vieux retraites age agee"),
    pattern(r"\bjeunes? (et dynamiques?|profils?|recrues?|candidats?|candidates?|talents? de moins|homme|femme|fille|garcon)\b|\bdigital natives?\b|\bprofil junior (uniquement|exclusivement)|\bjeune equipe recherche jeune",
            "jeune jeunes digital junior", severity=W, variant="proxy", unless_before=NEG),
    pattern(r"\b(experience|anciennete) (de )?(\d{1,2}) (a|-) (\d{1,2}) ans (maximum|max)\b|\b(pas plus de|moins de|maximum|max) \d{1,2} ans d'experience\b",
            "experience anciennete", anchors="ans max|ans d'experience", severity=W, variant="proxy", unless_before=NEG),
    # norm4: an age bracket for the candidate ("tranche d'âge visée : 20 à 30 ans").
    pattern(rf"\btranche d'age (recherchee|souhaitee|visee|ciblee|ideale|requise|demandee)\s*:?\s*(de |entre )?{_AGE_NUM} ?(ans )?(-|a|/|et) ?{_AGE_NUM} ans\b",
            "tranche"),
)
_MIN_AGE = re.compile(rf"\b(?:(?:age|agee|ages|agees|age/agee)\s*(?:minimum|min|requis)?\s*(?:de|:)?\s*(?:plus de\s*)?|(?:avoir|etre age\w* de)\s*(?:au moins|plus de)?\s*){_AGE_NUM}\s*ans(?:\s*(?:minimum|min|revolus|et plus))?\b(?!\s*(?:a|-|et|/)\s*\d)|\b{_AGE_NUM}\s*ans (?:minimum|min|revolus|et plus)\b|\bplus de {_AGE_NUM} ans\b|\betre majeure?\b")


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
            num = int(next(g for g in m.groups() if g) if any(m.groups()) else 18)
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
)

# ---------------------------------------------------------------------------- DISC-ORIG
#: People the job serves (describing them is not a criterion on the candidate).
_SERVED_PEOPLE = (
    r"publics?|stagiaires|beneficiaires|personnes|salaries|apprenants|eleves|clients|clientele|patients|"
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
)

# ---------------------------------------------------------------------------- DISC-APP
APP = (
    pattern(r"\bphysique (agreable|avantageux|plaisant|attrayant|attirant|sympathique|irreprochable|impeccable|de mannequin)\b|\bbelle presentation physique\b|\b(jolie|belle) (fille|femme|jeune femme|silhouette|plastique|apparence)\b|\bbien (fait|faite) de (sa|votre) personne\b|\bsex.?appeal\b",
            "physique presentation jolie belle fait faite appeal", unless_before=NEG),
    pattern(r"\b(taille|mesurer|mesurant|hauteur) (minimum |minimale |min |d'au moins |de plus de |superieure a |: )?(de )?1 ?(m|,|\.) ?\d{2}\b|\b1 ?m ?\d{2} (minimum|min|au moins)\b|\bpoids (maximum|max|minimum|inferieur|superieur|proportionne)\b|\b(taille|tour de taille) (36|38|40|s|xs|m)\b",
            "taille mesurer mesurant hauteur poids minimum min moins", anchors="1m|1 m|1,|1.|poids|taille"),
    pattern(r"\b(yeux (bleus|verts|clairs|marrons)|cheveux (courts|longs|blonds|bruns|roux|lisses)|blonde?s?|brune?s? (de preference|uniquement)|mince|minces|svelte|sveltes|elancee?|pas de surpoids|sans surpoids|surpoids)\b",
            "yeux cheveux blond blonde blondes brun brune brunes mince minces svelte sveltes elance elancee surpoids",
            unless_before=NEG),
    pattern(r"\b(cv|candidature) (avec|accompagnee? d'une?) photo (obligatoire|exigee|imperative|indispensable|en pied|de plain-pied)\b|\bphoto en pied\b",
            "photo"),
    pattern(r"\b(bonne|belle|excellente|tres bonne) presentation\b|\bpresentation (soignee|impeccable|irreprochable)\b|\b(pas de|sans) (tatouages?|piercings?)\b|\btatouages? (visibles? )?(interdits?|exclus|non acceptes)\b",
            "presentation tatouage tatouages piercing piercings", severity=W, variant="presentation"),
    # norm4: "belle de préférence", "jolie exigée".
    pattern(r"\b(jolie|jolies|belle|belles|mignonne|mignonnes|beau|beaux) (de preference|exigee?s?|souhaitee?s?|obligatoire|imperatif|uniquement|si possible)\b",
            "jolie jolies belle belles mignonne mignonnes beau beaux", unless_before=NEG),
)

# ---------------------------------------------------------------------------- DISC-BELIEF
BELIEF = (
    pattern(r"\b(catholique|musulman|musulmane|juif|juive|chretien|chretienne|protestant|protestante|bouddhiste|athee|croyant|croyante|evangelique)s? (pratiquante?s?|uniquement|exclusivement|de preference|exige|exigee|requis|souhaite|souhaitee|obligatoire|engage|engagee|convaincue?)\b|\b(pratiquant|pratiquante) (de la|d'une|du|la) (religion|foi|culte)\b|\bfoi (catholique|chretienne|musulmane|juive) (exigee|requise|souhaitee|vivante)",
            "catholique musulman musulmane juif juive chretien chretienne protestant protestante bouddhiste athee croyant croyante evangelique pratiquant pratiquante foi",
            unless_before=NEG),
    pattern(r"\bnon (syndique|syndiquee|syndiques)\b|\bpas (de |d')(syndicalistes?|syndiques|delegues? syndicaux|activites? syndicales?|engagement syndical|appartenance syndicale|militants?|engagement politique|activite politique|opinions? politiques?)\b|\b(sans|aucune?) (appartenance|engagement|activite|affiliation|mandat) (syndical|syndicale|politique)e?\b|\bapolitique (exige|imperatif|obligatoire)|\bsyndicalistes? s'abstenir\b|\b(elus?|mandat electif) s'abstenir\b|\bpas de mandat electif\b",
            "syndique syndiquee syndiques syndicalistes syndicaliste syndicaux syndicale syndical militant militants politique politiques apolitique elu elus electif",
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
    pattern(r"\bpas (de |d')(beneficiaires? (du |des )?(rsa|minima sociaux|aah|cmu)|rsa|rmistes?|chomeurs?|demandeurs? d'emploi (de longue duree)?|personnes? (surendettees?|en difficulte|precaires?|fichees?)|interdits? bancaires?|fichage (banque de france|bancaire))\b|\b(rsa|rmistes?|chomeurs?( de longue duree)?|beneficiaires? (du )?rsa|demandeurs d'emploi de longue duree|surendettes?) s'abstenir\b|\bhors (personnes )?surendettees?\b|\b(personnes? )?surendettee?s? s'abstenir\b|\bnon (fiche|fichee) (a la )?banque de france\b|\bsans (dettes?|credit en cours|interdit bancaire)\b",
            "rsa rmiste rmistes chomeur chomeurs demandeurs demandeur surendettees surendettee surendettes personnes bancaire bancaires fichage fiche fichee dettes dette credit interdit",
            anchors="rsa|rmiste|chomeur|demandeur|surendett|bancaire|fichage|fiche|dette|credit|interdit|minima|aah|cmu|precaire|difficulte"),
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
            "securite secu nir vitale rib bancaire bancaires iban", anchors="securite sociale|secu|nir|vitale|rib|bancaire|iban|identite bancaire", reach=90, unless_before=r"(embauche|embauches|apres|lors de (l'|votre )?(embauche|signature|integration)|le premier jour|a l'arrivee|une fois)[^.\n]*$"),
    pattern(r"\bcasier judiciaire (vierge|exige|obligatoire|b3|n°3|bulletin)\b|\bextrait de casier judiciaire\b|\bbulletin n° ?3\b",
            "casier judiciaire", severity=W, variant="criminal_record"),
    pattern(r"\bphoto (d'identite )?(obligatoire|exigee|imperative|indispensable|requise)\b|\b(date de naissance|age|situation familiale|nationalite) (obligatoire|a preciser|a indiquer|exigee?|requise?) (sur|dans|avec) (le|votre) cv\b|\bdate de naissance (obligatoire|a preciser|a indiquer|exigee)\b|\bsituation familiale a (preciser|indiquer)\b",
            "photo naissance familiale", severity=W, variant="unrelated_data"),
    # norm4: identity or bank documents asked for with the application, in any order.
    pattern(r"\b(joindre|joignez|envoyer|envoyez|fournir|fournissez|transmettre|transmettez|adresser|adressez|communiquer|communiquez)(-nous)?\b[^.\n]{0,80}\b(numero de securite sociale|carte vitale|rib|releve d'identite bancaire|iban|coordonnees bancaires|(piece|carte) d'identite|passeport)\b",
            "securite secu vitale rib bancaire bancaires iban identite passeport", anchors="securite sociale|vitale|rib|bancaire|iban|identite|passeport", reach=130,
            unless_before=r"(embauche|embauches|apres|lors de (l'|votre )?(embauche|signature|integration)|le premier jour|a l'arrivee|une fois|salaries|paie)[^.\n]*$"),
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
