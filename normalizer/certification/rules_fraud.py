"""E and D of certification.md: fees asked of candidates, premium-rate numbers,
pyramid selling, undeclared work, scams and illegal activity, talent pools, false
self-employment."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jobgate.schema import ContractType, Severity

from .model import Context, Hit, Pattern, Rule, matches, pattern, scan, text_detector
from .rules_discrimination import NEG_CORE, before

__all__ = ["RULES", "premium_number"]

R, W, INF = Severity.REJECT, Severity.WARN, Severity.INFO

_FREE = r"(\b(aucuns?|pas de|sans|ni|zero|jamais de?)\s*$)|" + before(r"clients?|emprunteurs?|locataires?|acquereurs?|usagers?|aucuns? (frais|participation|cout)|pas de (frais|participation|cout)|sans (frais|participation|cout|aucun)|\bni\b|gratuit\w*|pris en charge|prise en charge")
_FREE_AFTER = r"^[^.\n]{0,40}\b(offert\w*|gratuit\w*|ne (sera|seront|sont) (jamais )?(demande|exige|reclame)|pris en charge|prise en charge|a la charge de (l'employeur|l'entreprise|la societe)|par l'employeur|par l'entreprise|finance\w* par (l'employeur|l'entreprise|nos soins|l'opco))"
#: A payment (noun or verb) that can fall on a candidate.
_PAY_NOUN = (
    r"\b(contribution|frais|caution|depot|cheque|abonnement|pack|kit|mallette|malette|valise|"
    r"adhesion|inscription|paiement|versement|virement|achat|achete[rz]?|achetee?s?|location|couts?|"
    r"regle[rz]|payer|payez|payable|verse[rz]|versent|investissez)\b"
)
_PAY_WORDS = (
    "contribution frais caution depot cheque abonnement pack kit mallette malette valise adhesion inscription "
    "paiement versement virement achat achete achetee achetes achetez acheter location cout couts regler reglez "
    "payer payez payable verser versez versent investissez"
)
#: Cues that the candidate pays (not the employer, not a customer).
_CANDIDATE_PAYS = (
    r"\b(a (regler|payer|verser|acquitter|prevoir|avancer|financer|votre charge|vos frais)|a la charge (du|des) (candidat|salarie|livreur|conseiller|vendeur|chauffeur|participant)s?|"
    r"payable|factur\w*|prelev\w*|debloqu\w*|vous sera demande\w*|vous seront demande\w*|(est|sont|sera|seront) (demande|exige)\w*|exige\w*|obligatoire|"
    r"versent|versez|reglez|payez|achetez|investissez|prevoyez|achete (lui|elle)-meme|doit accompagner|a joindre|droits? d'entree|par le candidat|du candidat|"
    r"au (candidat|nouveau \w+|nouvel \w+)|de votre poche|avant (l'embauche|la premiere|le premier|de commencer|votre premier\w*)|"
    r"pour (valider|finaliser|debloquer|ouvrir|activer|confirmer|rejoindre|integrer|acceder|recevoir|obtenir) (votre|la|le|les|des|aux|au|vos|notre|nos)|"
    r"lors de (l'inscription|votre inscription|l'entretien|la remise)|vous (donne|donnent|ouvre|ouvrent) (acces|droit)|(donne|ouvre) acces a (nos|aux|des) (offres|missions|annonces))\b"
)
#: The employer or a customer pays, or the amount is pay: not a fee.
_EMPLOYER_PAYS = (
    r"\b(gratuit\w*|offert\w*|pris en charge|prise en charge|rembours\w*|fourni\w*|a la charge de (l'employeur|l'entreprise|la societe|l'agence)|"
    r"par (l'employeur|l'entreprise|nos soins|la societe)|finance\w* par|aucun\w* (frais|cout|somme|paiement)|sans (frais|cout)|jamais|"
    r"salaire|remuner\w*|primes?|loyers?|logement|hebergement|repas|cheques? (vacances|cadeaux|dejeuner)|tickets?|clients?|clientele|locataires?|"
    r"emprunteurs?|mutuelle|chiffre d'affaires|budget|indemnit\w*|brut|net|cse|tarifs?|prix)\b"
)
FEES = (
    pattern(r"\b(frais|droits?) (de dossier|d'inscription|de candidature|de recrutement|d'adhesion|de selection|de traitement|d'ouverture de dossier|de gestion de (votre )?(dossier|candidature))\b",
            "frais droit droits", unless_before=_FREE, unless_after=_FREE_AFTER),
    pattern(r"\bparticipation (financiere )?(de \d+ ?(€|e|eur|euros?) )?(aux|a vos) frais (de |d')(recrutement|dossier|formation|selection|inscription|demarrage|materiel|kit|candidature)\b|\bparticipation (financiere )?(du candidat|de \d+ ?(€|e|eur|euros?) (au|pour le) (recrutement|dossier|kit|demarrage))",
            "participation", unless_before=_FREE, unless_after=_FREE_AFTER),
    pattern(r"\bcheque de caution\b|\b(caution|depot de garantie) (de \d+|a (verser|regler|deposer|fournir)|obligatoire|demandee?|exigee?|(a|lors de) l'(entretien|embauche|inscription))\b",
            "caution garantie", unless_before=_FREE),
    pattern(r"\b(kit|pack|stock|materiel|tenue|formation|licence|abonnement) (de demarrage |de depart |initial |obligatoire )?(a (acheter|payer|regler|financer|votre charge)|payant|payante|a vos frais|a la charge du (candidat|salarie))\b|\bformation (payante|a vos frais|a financer) (obligatoire|prealable|avant)",
            "kit pack stock materiel tenue formation licence abonnement", unless_before=_FREE,
            anchors="a acheter|a payer|a regler|a financer|a votre charge|payant|a vos frais|a la charge du"),
    pattern(r"\b(verser|payer|regler|avancer|envoyer|virer|acheter) (une somme|un montant|des frais|\d+ ?(€|e|eur|euros?)|un acompte|votre kit|votre materiel|votre stock|une participation)\b[^.\n]{0,60}\b(avant|pour|afin|des|au moment)\b|\babonnement (pour|afin d') (acceder|consulter|recevoir) (aux|les|des) offres\b|\b(acces|inscription) (payant|payante) (aux|a nos) offres\b",
            "verser payer regler avancer envoyer virer acheter abonnement acces inscription", unless_before=_FREE),
    # norm4: "achat obligatoire de la tenue", "adhésion payante".
    pattern(r"\bachat obligatoire\b|\b(achat|acquisition) (de |d')(votre |la |le |du |un |une |vos |des )?(kit|pack|tenue|materiel|stock|licence|echantillons?)\b[^.\n]{0,40}\b(obligatoire|a votre charge|a vos frais)\b"
            r"|\b(inscription|adhesion|acces|enregistrement) payante?\b",
            "achat acquisition payant payante"),
    # cert: an amount in a sentence that names a payment and puts it on the candidate,
    # in any wording ("une contribution de 45 € vous sera demandée", "dépôt de 500 €
    # exigé", "pack de bienvenue facturé 390 € au nouveau conseiller").
    pattern(r"\b\d{1,4}(?:[.,]\d{1,2})? ?(?:eur|euros?)\b",
            # the payment words gate the pattern (every match needs one in its sentence)
            _PAY_WORDS, anchors=" eur| euro", reach=12, window=90, fields=("title", "description"),
            needs=(_CANDIDATE_PAYS, _PAY_NOUN),
            unless_before=_EMPLOYER_PAYS, unless_after=_EMPLOYER_PAYS),
)

_PHONE = re.compile(r"(?:\+ ?33 ?\(?0?\)? ?|0033 ?|0[ .-]?)8(?:[ .-]?\d){8}(?!\d)")
_SMS = pattern(
    r"\b(sms|texto|envoyez?|envoie|tapez)\b[^.\n]{0,30}\b(au|le) ([3-8](?: ?\d){4})\b(?! [a-z]+ (cedex|france))|\b(appelez|composez|tapez) (le )?(3615|3617|3618|3668)\b"
    r"|\b\d[.,]\d{1,2} ?(eur|euros?)? ?(ttc )?(/ ?|par |la |l')(min|minute|mn|sms|appel)\b",
    "sms texto envoyez envoyer envoie tapez 3615 3617 3618 3668 min minute mn appel",
    anchors="=words",
)


def premium_number(digits: str) -> bool:
    """True for a French premium-rate 08 number (national 10-digit form).

    0800-0805 are free and 0806-0809 cost a normal call; every other 08 prefix is surcharged.
    """
    return len(digits) == 10 and digits.startswith("08") and not digits.startswith("080")


_PHONE_PATTERN = Pattern(regex=_PHONE, triggers=frozenset(), anchors=("08", "0 8", "0-8", "0.8", "+33", "+ 33", "0033"), reach=20)


def _premium(ctx: Context) -> Iterator[Hit]:
    text = ctx.all_text
    for m in matches(_PHONE_PATTERN, text):
        if m.start() and text[m.start() - 1].isdigit():
            continue
        digits = "0" + re.sub(r"\D", "", m.group(0))[-9:]
        if premium_number(digits):
            yield Hit(ctx.field_at(m.start()), m.group(0).strip(), message="Numéro surtaxé (08 hors 0800-0809) comme canal de candidature.")
    yield from scan(ctx, (_SMS,))


_premium.patterns = (_SMS,)  # type: ignore[attr-defined]

MLM = (
    pattern(r"\b(recrutez|recruter|parrainez|parrainer|constituez|developpez|creez|batissez) (votre|une|ta|son) (propre )?(equipe|reseau|downline|lignee)\b[^.\n]{0,80}\b(commissions?|touchez|gagnez|pourcentage|remuner\w*|revenus?|ventes?)|\b(touchez|percevez|gagnez) (des commissions |un pourcentage )?(sur|des) (les ventes de (votre|vos) (equipe|filleuls)|leurs ventes|votre equipe|vos filleuls)\b",
            "recrutez recruter parrainez parrainer constituez developpez creez batissez touchez percevez gagnez"),
    pattern(r"\b(achetez|acheter|acquerir|commander) (votre|un|le) (stock|pack|kit) (de depart|de demarrage|initial|de lancement)\b|\bmarketing (de reseau|multi-?niveaux?|relationnel a domicile)\b|\bmlm\b|\bsysteme pyramidal\b|\bvente pyramidale\b|\bnetwork marketing\b",
            "achetez acheter acquerir commander marketing mlm pyramidal pyramidale network"),
    pattern(r"\brevenus? (illimites?|sans limite|passifs?)\b|\bliberte financiere\b|\bcomplement de revenus? (depuis|a|de) (chez (vous|soi)|votre domicile|la maison)\b|\bgagnez (jusqu'a )?\d[\d .]* ?(€|euros?) (par|/) (mois|semaine|jour) (depuis|de) chez vous\b|\bvendeur a domicile independant\b|\bvdi\b",
            "revenus revenu illimites illimite passifs financiere complement gagnez vendeur vdi", severity=W, variant="commission_only"),
    # norm4: income from recruits ("vos filleuls vous rapportent une commission"); an
    # employee referral bonus ("parrainez des proches et gagnez 150 €") is lawful.
    pattern(r"\bfilleuls?\b[^.\n]{0,80}\b(commissions?|pourcentage|rapportent)\b|\bsans limite de niveaux?\b",
            "filleul filleuls niveau niveaux"),
    # cert: recruiting others and earning on them, in one sentence and any wording.
    pattern(r"\b(parrain\w*|filleul\w*|recrues?|recrut(ez|ant|erez) (de |d'|vos |des |\w+ personnes|\d+)|(faire|faites|faisant) adherer|downline|multi-?niveaux?|plusieurs niveaux|"
            r"reseau de (distributeurs|vendeurs|revendeurs|ambassadeurs|ambassadrices))\b",
            "adherer parrain parrainez parrainer parrainage parrainant parrainees parraines filleul filleuls filleule filleules recrue recrues recrutez recrutant recruterez downline multiniveau multiniveaux multi niveaux distributeurs vendeurs revendeurs ambassadeurs ambassadrices",
            reach=30, window=150,
            needs=(r"\b(commissions?|pourcentage|\d+ ?%|bonus|primes?|rapporte\w*|touch\w*|percev\w*|gagn\w*|revenus?|remuneration|mise)\b",
                   r"\b(leurs? (ventes|achats|chiffre|commandes)|son chiffre|ses (ventes|recrues|achats)|de (votre|vos) (equipe|filleul\w*|recrues|reseau)|niveaux?|recrues|"
                   r"(votre|la) mise|stock|kit|pack|investi\w*|plus votre (reseau|equipe))\b")),
)

UNDECLARED = (
    pattern(r"\b(paye|payee|payes|remunere|remuneree|remuneration|salaire|verse|versee|payable)s? (en |au |a la )?(liquide|especes|cash|black|noir|main a main)\b|\bpaiement (en )?(liquide|especes|cash) (chaque|tous les|a la fin|en fin|sans)\b|\b(au|en) black\b|\bau noir\b|\bde la main a la main\b|\bcash (tous les|chaque|a la fin|en fin)\b",
            "liquide especes cash black noir main", unless_before=before(r"encaiss\w*|caisse|clients?|gestion des|manipulation|fonds de caisse|lutte contre|comptage|rendu de monnaie|transport de fonds")),
    pattern(r"\bnon declare(e|s|es)?\b|\bsans (contrat|fiche de paie|bulletin de (paie|salaire)|declaration)\b|\bpas de (fiche de paie|bulletin de (paie|salaire)|contrat|declaration)\b|\bsans etre declare\b",
            "declare declaree declares declarees contrat paie salaire declaration",
            unless_before=before(NEG_CORE, r"lutte contre|travail dissimule|fraude|assurance|mutuelle|revenus|ni ")),
)

ILLEGAL = (
    pattern(r"\bmassages? (naturistes?|tantriques?|erotiques?|sensuels?|body ?body|intimes?|avec finition)\b|\bescort(e|s|es|ing)?\b|\b(hotesse|accompagnatrice|accompagnateur|animatrice) (de charme|vip pour soirees|pour soirees privees|coquine)\b|\bsoirees? privees?\b[^.\n]{0,60}\b(discretion|discrete|charme|tenue sexy|genereux|gentlemen)\b|\b(webcam|cam ?girl|camgirl|onlyfans|mym|contenus? (pour )?adultes?|contenus? coquins?|photos? (sexy|osees|denudees|nues?))\b|\bsugar (daddy|baby)\b|\btenue sexy\b",
            "massage massages escort escorte escorts escortes escorting hotesse accompagnatrice accompagnateur animatrice soiree soirees webcam cam camgirl onlyfans mym contenu contenus photo photos sugar sexy", anchors="=words"),
    pattern(r"\b(recevoir|recevez|reception de|receptionner|transferer|transferez|transfert de|reverser|reversez) (des |les |de l'|d')?(virements?|fonds|argent|paiements?|sommes?|versements?)\b[^.\n]{0,50}\b(votre (propre |personnel |personnelle )?compte|vos comptes|compte (bancaire )?personnel|western union|moneygram|crypto\w*|bitcoins?)\b|\b(agent|gestionnaire|responsable|assistant) (de |des )?(transferts? (financiers|d'argent|de fonds)|paiements? a domicile)\b|\bwestern union\b|\bmoneygram\b",
            "recevoir recevez reception receptionner transferer transferez transfert reverser reversez agent gestionnaire responsable assistant western moneygram",
            anchors="virement|fonds|argent|paiement|somme|versement|western|moneygram|transfert"),
    pattern(r"\b(reexpedition|reexpedier|reexpediez|reemballage|reemballer|reception|receptionner|recevoir|recevez|transfert|transferer|expedier|expediez|reconditionner)( et (la )?(reexpedition|reexpedier|expedition|envoi))? (de |des |les )?(colis|paquets|marchandises)\b[^.\n]{0,60}\b(votre|son|a|depuis|de) (propre )?(domicile|chez vous|maison|appartement)\b|\b(agent|gestionnaire|responsable|assistant|inspecteur) (de |des )?colis a domicile\b|\bdepuis (votre|chez) (domicile|vous)[^.\n]{0,40}\b(reexpedi\w*|reemball\w*) (de |des |les )?colis\b",
            "colis paquets marchandises", anchors="colis|paquets|marchandises", reach=140),
    pattern(r"\b(ouvrir|ouvrez|ouverture d'|creer|creez|preter|pretez|louer|louez) (un |des |plusieurs |votre |vos )?(nouveaux? )?(comptes? bancaires?|comptes? en banque|carte bancaire|cartes bancaires|compte (revolut|paypal|n26|lydia|nickel))\b|\b(copie|photo|scan) (recto[- ]verso )?(de |d'une |de votre )?(piece d'identite|carte d'identite|passeport|cni|carte bancaire)\b[^.\n]{0,50}\b(avant|des maintenant|pour (valider|confirmer|reserver|debloquer)|avec votre candidature|par (whatsapp|telegram|sms|mail))",
            "ouvrir ouvrez ouverture creer creez preter pretez louer louez copie photo scan",
            unless_before=before(r"a l'embauche|lors de (l'|votre )?(embauche|integration)|apres (l'|votre )?(embauche|entretien)|conseiller|conseillere|accompagner|clients?|gestion|agence bancaire|banque|guichet")),
    # norm4: goods kept at home and sent abroad; hostess bars.
    pattern(r"\b(colis|paquets|marchandises)\b[^.\n]{0,60}\b(chez vous|votre domicile)\b[^.\n]{0,60}\b(etranger|renvo\w+|reexpedi\w+)"
            r"|\b(chez vous|votre domicile)\b[^.\n]{0,60}\b(colis|paquets|marchandises)\b[^.\n]{0,60}\b(etranger|renvo\w+|reexpedi\w+)"
            r"|\bbars? a hotesses\b|\b(tenir|faire) compagnie (aux|a des|a la) (clients?|clientele)\b",
            "colis paquets marchandises bar bars compagnie", anchors="=words"),
    # cert: money through the candidate's own account; goods through their home; escorting.
    pattern(r"\b(votre|vos|son|ton) (propre )?(compte|comptes)( bancaires?| personnels?| en banque)?\b",
            "compte comptes", reach=40, window=150,
            needs=(r"\b(fonds|virements?|argent|sommes?|versements?|paiements?|reglements?|transferts?|liquidites)\b",
                   r"\b(transf\w+|renvo\w+|revers\w+|retir\w+|convert\w+|western union|moneygram|crypto\w*|bitcoins?|encaiss\w+|remett\w+|a disposition|pret\w+|recev\w+|recu)\b"),
            unless_before=r"\b(salaire|paie|rembours\w*|frais professionnels|notes? de frais|clients?|conseill\w+ (bancaire|clientele))\b"),
    pattern(r"\b(colis|paquets?|marchandises|envois|courriers?)\b",
            "colis paquet paquets marchandises envois courrier courriers", reach=30, window=150,
            needs=(r"\b(chez vous|votre (domicile|adresse|logement|appartement|maison|garage)|depuis (chez vous|votre domicile))\b",
                   r"\b(reexped\w+|renvo\w+|export\w*|etranger|reemball\w+|transf\w+|pret\w+)\b")),
    # (gated by the rarer words: "clients" and "hommes" are in most offers)
    pattern(r"\b(messieurs|hommes|gentlemen|hommes d'affaires|clients) (fortunes|aises|genereux|riches|seuls)\b"
            r"|\baccompagn\w+ (des |de |d')?(messieurs|gentlemen)\b",
            "fortunes aises genereux riches seuls messieurs gentlemen", window=150,
            needs=(r"\b(discret\w*|week-ends?|soirees?|diners?|compagnie|charme|nuits?|intim\w*|genereu\w*|sexy)\b",)),
)

POOL = (
    pattern(r"\b(constituer|constitution|alimenter|enrichir|completer|renforcer) (de |d'|notre |un |une |nos |son )?(vivier|cv-?theque|base de (donnees|candidats)|reserve de candidats|pool de talents)\b|\bcv-?theque\b|\bpas de poste (a pourvoir )?(actuellement|pour le moment|en ce moment)\b|\boffre permanente\b|\bcandidature spontanee\b",
            "vivier cvtheque theque base reserve pool poste permanente spontanee",
            anchors="vivier|theque|base de|reserve de|pool de|pas de poste|offre permanente|candidature spontanee"),
)

SELF_EMPLOYED = (
    pattern(r"\b(statut|sous le statut|en tant qu') (d')?(auto|micro)[- ]?entrepreneur (obligatoire|exige|requis|indispensable|necessaire|impose)|\b(siret|auto[- ]?entreprise|micro[- ]?entreprise) (obligatoire|exige|requis|indispensable)\b|\bdevenez? (votre|ton) propre patron\b|\b100 ?% (a la )?commissions?\b|\bremuneration (uniquement|exclusivement|100 ?%) (a la|sur|aux) commissions?\b|\b(uniquement|exclusivement) (a la|sur) commissions?\b",
            "statut tant siret auto micro devenez commission commissions remuneration uniquement exclusivement",
            anchors="entrepreneur|entreprise|siret|patron|commission"),
)
_SALARIED_TYPES = (ContractType.CDI, ContractType.CDD, ContractType.INTERIM, ContractType.CDI_INTERIM, ContractType.SAISONNIER)
_SALARIED_WORDS = re.compile(r"\b(cdi|cdd|contrat de travail|salarie|salariee|salaire fixe|interim)\b")


def _self_employed(ctx: Context) -> Iterator[Hit]:
    salaried = ctx.contract_type in _SALARIED_TYPES or (
        ctx.contract_type is None and _SALARIED_WORDS.search(ctx.texts["title"] + "\n" + ctx.texts["description"]) is not None
    )
    for hit in scan(ctx, SELF_EMPLOYED):
        if salaried:
            yield Hit(hit.field, hit.evidence, R, "salaried_conflict", "Statut non salarié imposé dans une offre de contrat salarié.")
        else:
            yield hit


_self_employed.patterns = SELF_EMPLOYED  # type: ignore[attr-defined]


def _mlm(ctx: Context) -> Iterator[Hit]:
    for hit in scan(ctx, MLM):
        if hit.variant == "commission_only" and ctx.contract_type in _SALARIED_TYPES and "vdi" not in (hit.evidence or ""):
            continue  # a salaried contract: "revenus" wording alone is not a pyramid
        yield hit


_mlm.patterns = MLM  # type: ignore[attr-defined]

RULES: tuple[Rule, ...] = (
    Rule("FEE-01", R, "L5321-3, L5331-1, L5331-5", "Paiement demandé au candidat.", text_detector(*FEES)),
    Rule("FEE-02", R, "L5321-3, L5331-1", "Numéro surtaxé ou canal de contact payant.", _premium),
    Rule("FEE-03", R, "L5331-3, L5331-5, Code de la consommation (vente pyramidale)", "Recrutement pyramidal ou vente multiniveau.", _mlm),
    Rule("FEE-04", R, "L8221-1 et suivants", "Travail non déclaré.", text_detector(*UNDECLARED)),
    Rule("FEE-05", R, "Code pénal (proxénétisme, escroquerie, blanchiment), L5331-3", "Activité illicite ou escroquerie (services sexuels, mule financière, colis).", text_detector(*ILLEGAL)),
    Rule("TRUE-04", W, "L5331-3", "Offre fictive ou vivier de candidatures (poste non effectivement disponible).", text_detector(*POOL)),
    Rule("TRUE-05", W, "L5331-3, L8221-6", "Activité non salariée présentée comme un emploi.", _self_employed),
)
