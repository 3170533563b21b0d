"""comments: moderation cases from a brand page and the internal network, double-labelled.

Texts are composed from templates x fragments x products of an invented brand (Vellor, small
kitchen appliances) and of an invented company's internal tools; no real person is named and the
insults are mild and generic. Two moderators label every comment independently; their errors
depend on the text (harsh but fair criticism is read as an insult, an insult that also criticises
is read as criticism), which is what makes agreement lowest at that boundary. The automated rules
that flag comments are plain regular expressions applied to the text (:data:`RULES`), so
trainees can re-run and evaluate them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from course.data._core import Col, Spec, register
from course.data._util import ids

CATEGORIES = (
    "question",
    "praise",
    "fair_criticism",
    "complaint",
    "spam",
    "insult",
    "off_topic",
    "personal_data",
    "illegal",
)
MIX = {  # truth mix per channel, in the order of CATEGORIES
    "brand_page": (0.20, 0.14, 0.18, 0.17, 0.09, 0.07, 0.08, 0.04, 0.03),
    "rse": (0.34, 0.16, 0.21, 0.08, 0.03, 0.03, 0.12, 0.02, 0.01),
}
ENGLISH_SHARE = {"brand_page": 0.18, "rse": 0.10}

# Automated rules, checked in this order; the first that matches names the flag.
RULES = {
    "contact_details": r"\b0[67](?: \d\d){4}\b|[\w.]+@[\w-]+\.\w+",
    "link": r"https?://|www\.",
    "keywords": (
        r"(?i)incapables?|guignols|incompétents|rigolos|branquignols|clowns|\bnul(?:le|s)?\b|"
        r"honte|arnaque|escrocs|useless|amateurs|scam|shame|rubbish"
    ),
    "shouting": r"!!!|\b[A-ZÉÈ]{5,}\b",
}

# --------------------------------------------------------------------------- fragments

F = {
    "fr": {
        "opener": [
            "",
            "",
            "",
            "Bonjour, ",
            "Bonjour, ",
            "Salut, ",
            "Hello, ",
            "Bonsoir, ",
            "Petite question : ",
            "Franchement, ",
            "Alors voilà, ",
            "Euh, ",
        ],
        "closer": [
            "",
            "",
            "",
            " Merci !",
            " Merci d'avance.",
            " Bonne journée.",
            " 🙏",
            " 😊",
            " Cordialement.",
            " Merci de votre retour.",
        ],
        "product": [
            "le robot Mixo",
            "la cafetière Duo",
            "l'aspirateur K2",
            "la bouilloire Nova",
            "le grille-pain Toasto",
            "la friteuse Airo",
            "la machine à pain Panis",
            "le blender Vortex",
            "la centrale vapeur Presto",
            "le nouveau Mixo 2",
            "la cafetière Duo Max",
        ],
        "accessory": [
            "le bol inox",
            "les capsules classiques",
            "le kit de nettoyage",
            "le couvercle de l'ancien modèle",
            "le panier de cuisson",
            "le filtre permanent",
            "la carafe isotherme",
            "le socle mural",
        ],
        "where": [
            "en magasin",
            "sur le site",
            "en Belgique",
            "à Lyon",
            "chez les revendeurs",
            "en coloris noir",
            "avant Noël",
            "pour la rentrée",
        ],
        "defect": [
            "a lâché",
            "fuit",
            "fait un bruit terrible",
            "ne chauffe plus",
            "a grillé",
            "s'arrête sans raison",
            "a rouillé",
            "ne se connecte plus",
        ],
        "defect2": [
            "fait trop de bruit",
            "chauffe mal",
            "se nettoie mal",
            "a une notice incompréhensible",
            "coûte trop cher pour ce qu'on en fait",
            "prend trop de place",
            "a perdu des fonctions avec la mise à jour",
            "a un câble bien trop court",
        ],
        "harsh": [
            "franchement c'est nul",
            "c'est une honte pour une marque comme la vôtre",
            "quelle déception",
            "c'est vraiment nul à ce prix-là",
            "c'est du grand n'importe quoi",
            "vous vous moquez du monde",
        ],
        "suggestion": [
            "Ce serait bien de revoir ça.",
            "Pensez-y pour le prochain modèle.",
            "Une mise à jour corrigerait ça ?",
            "J'espère que vous allez l'améliorer.",
            "Dommage, le reste est bien.",
            "",
        ],
        "good": [
            "super pratique",
            "vraiment top",
            "au top",
            "impeccable",
            "formidable",
            "incroyable",
            "très pratique",
        ],
        "praise_detail": [
            "je l'utilise tous les jours",
            "ma fille l'adore",
            "le SAV a été rapide",
            "livré en deux jours",
            "rien à redire",
            "la qualité est là",
            "il a remplacé trois appareils",
            "silencieux et efficace",
        ],
        "order_issue": [
            "n'est jamais arrivée",
            "est arrivée incomplète",
            "a été livrée cassée",
            "est bloquée depuis une semaine",
            "a été débitée deux fois",
        ],
        "demand": [
            "Je veux une solution.",
            "Que comptez-vous faire ?",
            "Merci de me recontacter.",
            "Je demande un remboursement.",
            "Personne ne répond au téléphone.",
            "C'est la troisième fois que j'écris.",
        ],
        "spam_hook": [
            "Gagnez {money} € par jour depuis chez vous",
            "Crypto : x10 en une semaine",
            "10 000 abonnés en 24 h garantis",
            "Promo incroyable sur les montres",
            "Devenez influenceur en 3 jours",
            "Produits gratuits à tester",
        ],
        "insult": [
            "bande d'incapables",
            "bande de guignols",
            "tas d'incompétents",
            "bande de rigolos",
            "bande de branquignols",
            "bande de clowns",
            "bande de bras cassés",
            "quels pieds nickelés",
        ],
        "off": [
            "Quelqu'un a vu le match hier soir ?",
            "Bon week-end à tous !",
            "Premier !",
            "Il fait beau à {city} aujourd'hui.",
            "Qui vient au marché de Noël de {city} ?",
            "Vous connaissez un bon garagiste à {city} ?",
            "Joyeux anniversaire à ma tante !",
            "Le chat vient de renverser mon café 😂",
            "Vivement les vacances.",
            "Quelqu'un a une recette de crêpes sans œufs ?",
        ],
        "city": [
            "Lyon",
            "Lille",
            "Nantes",
            "Toulouse",
            "Rennes",
            "Bordeaux",
            "Marseille",
            "Dijon",
            "Metz",
            "Brest",
            "Tours",
            "Reims",
        ],
        "illegal": [
            "Je vends des copies de {product} à moitié prix, écrivez-moi sur {contact_channel}.",
            "Lien pour télécharger l'appli Vellor Home premium crackée : {url}",
            "Le gérant du magasin de {city} pique dans la caisse, tout le monde le sait.",
            "Si on ne me rembourse pas, je viens casser la vitrine du magasin de {city}.",
            "Qui veut des bons d'achat Vellor volés ? Prix cassé, contactez {contact_channel}.",
        ],
        "contact_channel": ["le groupe Télégram", "mon compte privé", "WhatsApp", "Snap"],
        "pd": [
            "Voici mon numéro : {phone}, rappelez-moi pour {product}.",
            "Mon adresse mail c'est {email}, envoyez-moi le bon de retour.",
            "J'habite au {address}, vous pouvez passer récupérer {product} ?",
            "Mon numéro client est {client} et ma date de naissance le {birth}, ça suffit ?",
            "Écrivez-moi à {email} ou au {phone}, c'est pour {product}.",
        ],
        "rse_tool": [
            "le nouvel outil de notes de frais",
            "l'intranet",
            "le portail RH",
            "la visio",
            "l'outil de réservation de salles",
            "le nouveau CRM",
            "la messagerie",
            "l'appli de covoiturage",
            "le planning partagé",
            "l'outil de tickets",
        ],
        "rse_team": [
            "la DSI",
            "l'équipe RH",
            "les services généraux",
            "la com interne",
            "l'équipe paie",
            "le support informatique",
            "l'équipe du projet Atlas",
            "la direction du site",
        ],
        "rse_thing": [
            "le déménagement du plateau",
            "la nouvelle cantine",
            "l'atelier sécurité",
            "le séminaire",
            "la formation Excel",
            "la journée portes ouvertes",
            "la refonte du portail",
            "le tutoriel vidéo",
        ],
        "task": [
            "poser un jour de congé",
            "réserver une salle",
            "retrouver ma fiche de paie",
            "partager un dossier",
            "ajouter un collègue au groupe",
            "changer mon mot de passe",
            "déclarer un déplacement",
            "exporter le planning",
        ],
        "site": [
            "Lyon",
            "Lille",
            "Nantes",
            "Toulouse",
            "La Défense",
            "Rennes",
            "Grenoble",
            "Strasbourg",
        ],
    },
    "en": {
        "opener": ["", "", "", "Hi, ", "Hello, ", "Hey, ", "Quick question: ", "Honestly, "],
        "closer": ["", "", "", " Thanks!", " Thanks in advance.", " Cheers.", " 🙏", " Regards."],
        "product": [
            "the Mixo food processor",
            "the Duo coffee maker",
            "the K2 vacuum",
            "the Nova kettle",
            "the Toasto toaster",
            "the Airo fryer",
            "the Panis bread maker",
            "the Vortex blender",
            "the Presto steam iron",
        ],
        "accessory": [
            "the steel bowl",
            "standard pods",
            "the cleaning kit",
            "the old lid",
            "the permanent filter",
            "the thermal jug",
        ],
        "where": ["in stores", "online", "in the UK", "in black", "before Christmas"],
        "defect": [
            "broke down",
            "leaks",
            "makes an awful noise",
            "stopped heating",
            "cracked",
            "keeps switching off",
            "stopped connecting",
        ],
        "defect2": [
            "is too loud",
            "is hard to clean",
            "has a confusing manual",
            "costs too much for what it does",
            "lost features after the update",
            "has a very short cable",
        ],
        "harsh": [
            "honestly it's rubbish",
            "what a shame for a brand like yours",
            "what a letdown",
            "this is a joke at that price",
        ],
        "suggestion": [
            "Please look into it.",
            "Fix it in the next model.",
            "Could an update solve this?",
            "",
        ],
        "good": ["great", "brilliant", "really handy", "perfect", "amazing"],
        "praise_detail": [
            "I use it every day",
            "my kids love it",
            "support was quick",
            "delivered in two days",
            "no complaints at all",
            "solid build",
        ],
        "order_issue": [
            "never arrived",
            "arrived incomplete",
            "arrived broken",
            "has been stuck for a week",
            "was charged twice",
        ],
        "demand": [
            "I want this sorted.",
            "What are you going to do?",
            "Please get back to me.",
            "I want a refund.",
            "Nobody answers the phone.",
        ],
        "spam_hook": [
            "Earn {money} € a day from home",
            "Crypto x10 in a week",
            "10k followers in 24h guaranteed",
            "Free products to test",
        ],
        "insult": [
            "you bunch of clowns",
            "you useless lot",
            "what a bunch of amateurs",
            "bunch of muppets",
        ],
        "off": [
            "Did anyone watch the game last night?",
            "Happy weekend everyone!",
            "First!",
            "Lovely weather in {city} today.",
            "Anyone know a good mechanic in {city}?",
            "My cat just knocked over my coffee 😂",
        ],
        "city": ["Brussels", "Geneva", "Montreal", "Leeds", "Dublin"],
        "illegal": [
            "Selling copies of {product} at half price, DM me on {contact_channel}.",
            "Download the cracked Vellor Home premium app here: {url}",
            "The manager of the {city} store steals from the till, everyone knows it.",
            "Stolen Vellor vouchers for sale, cheap, contact {contact_channel}.",
        ],
        "contact_channel": ["Telegram", "my private account", "WhatsApp"],
        "pd": [
            "Here is my number: {phone}, call me back about {product}.",
            "My email is {email}, send me the return label.",
            "I live at {address}, can you collect {product}?",
            "My customer number is {client} and my birth date {birth}, is that enough?",
        ],
        "rse_tool": [
            "the new expenses tool",
            "the intranet",
            "the HR portal",
            "the video tool",
            "the room booking tool",
            "the new CRM",
            "the ticketing tool",
        ],
        "rse_team": [
            "IT",
            "the HR team",
            "facilities",
            "internal comms",
            "the payroll team",
            "the Atlas project team",
        ],
        "rse_thing": [
            "the office move",
            "the new canteen",
            "the safety workshop",
            "the offsite",
            "the Excel training",
            "the video tutorial",
        ],
        "task": [
            "book a day off",
            "book a room",
            "find my payslip",
            "share a folder",
            "add a colleague to the group",
            "reset my password",
            "file a trip",
        ],
        "site": ["Brussels", "Madrid", "Montreal", "Lyon", "La Défense"],
    },
}

# Templates per (channel, language, category). Variant "harsh" / "mixed" marks boundary cases.
T = {
    ("brand_page", "fr"): {
        "question": [
            "{opener}est-ce que {product} est compatible avec {accessory} ?{closer}",
            "{opener}{product} sera de nouveau disponible {where} ?{closer}",
            "{opener}comment on détartre {product} ?{closer}",
            "{opener}la garantie de {product} couvre {accessory} ?{closer}",
            "Quelqu'un sait si {product} marche avec {accessory} ?{closer}",
            "{opener}la fiche de {product} est ici https://vellor.example/p/{n3}, "
            "mais elle ne dit pas si c'est compatible avec {accessory}.{closer}",
        ],
        "praise": [
            "{opener}{product} est {good}, {praise_detail} !{closer}",
            "Merci pour {product}, {praise_detail}.{closer}",
            "Très contente de {product} : {praise_detail}.",
            "Bravo à l'équipe, {product} est {good}. {praise_detail} 👍",
            "{product} : {good} ! Je recommande https://vellor.example/p/{n3}",
        ],
        "fair_criticism": [
            "{opener}{product} {defect} au bout de {n} mois, c'est décevant pour ce prix.{closer}",
            "{opener}je trouve que {product} {defect2}. {suggestion}",
            "Dommage que {product} {defect2}. {suggestion}",
            "{opener}{product} {defect} après {n} semaines. {suggestion}",
        ],
        "fair_criticism/harsh": [
            "{product} {defect} au bout de {n} mois, {harsh}.",
            "{opener}{product} {defect2}, {harsh} !",
            "Sérieusement, {product} {defect2}… {harsh}. {suggestion}",
            "{product} {defect} DÉJÀ, {harsh}!!!",
        ],
        "complaint": [
            "{opener}ma commande n° {order} {order_issue}. {demand}",
            "{opener}j'attends le remboursement de {product} depuis {n} jours. {demand}",
            "Le SAV ne répond pas depuis {n} jours pour {product} en panne. {demand}",
            "Commande {order} : {order_issue}. {demand}{closer}",
        ],
        "spam": [
            "{spam_hook} ➜ https://gain-facile.example/{n3}",
            "{spam_hook}, infos en MP !!! {url}",
            "{spam_hook} 👉 www.promo-{n3}.example",
            "Allez voir mon profil, {spam_hook} 💰 {url}",
        ],
        "insult": [
            "{insult} !",
            "Franchement, {insult}.",
            "{opener}{insult}, voilà ce que vous êtes.",
            "Encore une fois… {insult} !!!",
        ],
        "insult/mixed": [
            "{product} {defect} encore, {insult}.",
            "{insult}, {product} {defect} au bout de {n} jours.",
            "Remboursez-moi {product}, {insult} !",
        ],
        "off_topic": ["{off}", "{opener}{off}", "{off}{closer}"],
        "personal_data": ["{opener}{pd}", "{pd}{closer}"],
        "illegal": ["{illegal}", "{illegal}"],
    },
    ("rse", "fr"): {
        "question": [
            "{opener}quelqu'un sait comment {task} dans {rse_tool} ?{closer}",
            "{opener}où trouve-t-on le support de {rse_thing} ?{closer}",
            "Est-ce que {rse_team} sait quand on aura accès à {rse_tool} à {site} ?{closer}",
            "{opener}on doit passer par {rse_tool} pour {task} maintenant ?{closer}",
        ],
        "praise": [
            "Merci à {rse_team} pour {rse_thing}, {good} !{closer}",
            "Bravo {rse_team}, {rse_thing} était {good}.",
            "{opener}{rse_tool} est {good} depuis la mise à jour 👍",
        ],
        "fair_criticism": [
            "{opener}{rse_tool} rame depuis la mise à jour, on perd {n} minutes par jour. {suggestion}",
            "L'annonce de {rse_thing} est arrivée trop tard à {site}, beaucoup n'ont pas pu venir. {suggestion}",
            "{opener}{rse_tool} demande {n} clics pour {task}, c'est trop. {suggestion}",
        ],
        "fair_criticism/harsh": [
            "{rse_tool} plante encore pour {task}, franchement c'est nul.",
            "{rse_thing} à {site} : {harsh}.",
            "{opener}{n} jours pour {task}, c'est une honte.",
        ],
        "complaint": [
            "{opener}mon badge ne marche plus depuis {n} jours et personne ne répond au ticket {order}.",
            "Ticket {order} toujours ouvert pour {rse_tool}, je ne peux pas {task}. {demand}",
            "{opener}ma note de frais est bloquée depuis {n} jours dans {rse_tool}.",
        ],
        "spam": [
            "Vérifiez votre compte ici avant vendredi : {url}",
            "Partagez ce message à 10 collègues pour gagner un bon d'achat ! {url}",
            "{spam_hook}, je vous explique en MP",
        ],
        "insult": ["{rse_team} ? {insult}.", "Ceux de {rse_team}, {insult} !"],
        "insult/mixed": [
            "{rse_tool} ne marche toujours pas, {rse_team} : {insult}.",
            "{n} jours pour {task}… {insult} !",
        ],
        "off_topic": [
            "{off}",
            "Qui vient courir ce midi à {site} ?",
            "Vends vélo, {n}0 €, MP.",
            "Quelqu'un a perdu des clés au 3e étage à {site} ?",
        ],
        "personal_data": [
            "{opener}pour me joindre c'est le {phone}, je n'ai pas accès à {rse_tool}.",
            "Mon matricule {client} et ma date de naissance {birth}, pour {rse_team}.",
            "{opener}écrivez-moi sur mon adresse perso {email}.",
        ],
        "illegal": [
            "Qui veut une copie piratée de la suite bureautique ? Lien : {url}",
            "Je peux vous passer le fichier clients complet pour vos projets perso, MP.",
            "Le responsable du site de {site} truque les notes de frais, tout le monde le sait.",
        ],
    },
    ("brand_page", "en"): {
        "question": [
            "{opener}does {product} work with {accessory}?{closer}",
            "{opener}will {product} be back {where}?{closer}",
            "{opener}how do I descale {product}?{closer}",
        ],
        "praise": [
            "{opener}{product} is {good}, {praise_detail}!{closer}",
            "Thanks for {product}, {praise_detail}.",
            "Love {product}: {good}!",
        ],
        "fair_criticism": [
            "{opener}{product} {defect} after {n} months, disappointing at this price.",
            "{opener}I find {product} {defect2}. {suggestion}",
        ],
        "fair_criticism/harsh": [
            "{product} {defect} after {n} months, {harsh}.",
            "{product} {defect2}, {harsh}!",
        ],
        "complaint": [
            "{opener}order {order} {order_issue}. {demand}",
            "Still waiting for my refund for {product} after {n} days. {demand}",
        ],
        "spam": ["{spam_hook} ➜ https://easy-money.example/{n3}", "{spam_hook}, DM me!!! {url}"],
        "insult": ["{insult}!", "Honestly, {insult}."],
        "insult/mixed": ["{product} {defect} again, {insult}.", "Refund me, {insult}!"],
        "off_topic": ["{off}", "{opener}{off}"],
        "personal_data": ["{pd}", "{opener}{pd}"],
        "illegal": ["{illegal}"],
    },
    ("rse", "en"): {
        "question": [
            "{opener}does anyone know how to {task} in {rse_tool}?{closer}",
            "{opener}when will {rse_tool} open in {site}?{closer}",
        ],
        "praise": [
            "Thanks to {rse_team} for {rse_thing}, {good}!",
            "{rse_thing} was {good}, well done {rse_team}.",
        ],
        "fair_criticism": [
            "{opener}{rse_tool} has been slow since the update, we lose {n} minutes a day. {suggestion}",
            "{rse_thing} was announced too late in {site}. {suggestion}",
        ],
        "fair_criticism/harsh": [
            "{rse_tool} crashed again, honestly it's rubbish.",
            "{n} days to {task}, what a shame.",
        ],
        "complaint": [
            "Ticket {order} still open, I can't {task}. {demand}",
            "{opener}my badge has not worked for {n} days.",
        ],
        "spam": ["Verify your account here before Friday: {url}", "{spam_hook}, DM me"],
        "insult": ["{rse_team}? {insult}."],
        "insult/mixed": ["{rse_tool} still broken, {rse_team}: {insult}."],
        "off_topic": ["{off}", "Anyone up for a run at lunch in {site}?"],
        "personal_data": [
            "{opener}reach me on {phone}, I have no access to {rse_tool}.",
            "My personal email is {email}.",
        ],
        "illegal": [
            "Who wants a pirated copy of the office suite? Link: {url}",
            "I can share the full customer file for your side projects, DM me.",
        ],
    },
}
HARSH_SHARE = 0.35  # share of fair criticism written harshly
MIXED_SHARE = 0.40  # share of insults that also carry a criticism

# Moderator confusion: P(label | truth, variant), shared by both moderators (independent draws).
CONFUSION = {
    "question": {"question": 0.88, "complaint": 0.07, "off_topic": 0.05},
    "praise": {"praise": 0.93, "off_topic": 0.05, "spam": 0.02},
    "fair_criticism": {"fair_criticism": 0.87, "complaint": 0.07, "insult": 0.06},
    "fair_criticism/harsh": {"fair_criticism": 0.55, "insult": 0.38, "complaint": 0.07},
    "complaint": {"complaint": 0.89, "fair_criticism": 0.07, "question": 0.04},
    "spam": {"spam": 0.88, "off_topic": 0.09, "illegal": 0.03},
    "insult": {"insult": 0.90, "fair_criticism": 0.07, "off_topic": 0.03},
    "insult/mixed": {"insult": 0.55, "fair_criticism": 0.40, "complaint": 0.05},
    "off_topic": {"off_topic": 0.85, "spam": 0.09, "question": 0.06},
    "personal_data": {"personal_data": 0.86, "complaint": 0.10, "question": 0.04},
    "illegal": {"illegal": 0.82, "spam": 0.10, "insult": 0.08},
}
ACTIONS = {  # action taken by the moderator on duty (A), given A's label
    "question": {"reply": 0.90, "none": 0.10},
    "praise": {"like": 0.65, "reply": 0.30, "none": 0.05},
    "fair_criticism": {"reply": 0.80, "none": 0.12, "hide": 0.08},
    "complaint": {"private_reply": 0.68, "reply": 0.24, "none": 0.08},
    "spam": {"delete": 0.95, "none": 0.05},
    "insult": {"hide": 0.60, "delete": 0.30, "none": 0.10},
    "off_topic": {"none": 0.80, "reply": 0.20},
    "personal_data": {"hide_and_contact": 0.90, "none": 0.10},
    "illegal": {"delete_and_report": 0.92, "delete": 0.08},
}
# Probability that anyone (the team or a member) replies, by action.
ANSWERED = {
    "reply": 1.0,
    "private_reply": 1.0,
    "hide_and_contact": 1.0,
    "like": 0.15,
    "none": 0.25,
    "hide": 0.0,
    "delete": 0.0,
    "delete_and_report": 0.0,
}
MEDIAN_REPLY_HOURS = {"brand_page": 5.0, "rse": 7.0}
START = np.datetime64("2025-01-01T00:00:00")
N_DAYS = 365


def _slot(rng, lang: str, key: str) -> str:
    """A random value for one template slot (lists or generated values)."""
    if key == "n":
        return str(int(rng.integers(2, 13)))
    if key == "n3":
        return str(int(rng.integers(100, 1000)))
    if key == "money":
        return str(int(rng.integers(2, 10)) * 100)
    if key == "order":
        return str(int(rng.integers(1_000_000, 10_000_000)))
    if key == "url":
        return f"https://{['bit', 'lnk', 'promo', 'go'][int(rng.integers(4))]}.example/{int(rng.integers(10_000, 99_999))}"
    if key == "phone":
        digits = rng.integers(0, 100, 4)
        return f"0{int(rng.integers(6, 8))} " + " ".join(f"{d:02d}" for d in digits)
    if key == "email":
        return f"client.{int(rng.integers(100, 9999))}@exemple.fr"
    if key == "address":
        street = ["rue des Lilas", "avenue des Acacias", "chemin du Moulin", "rue de la Gare"]
        return f"{int(rng.integers(1, 120))} {street[int(rng.integers(4))]}, {int(rng.integers(10, 96)):02d}{int(rng.integers(0, 1000)):03d}"
    if key == "client":
        return f"C{int(rng.integers(100_000, 999_999))}"
    if key == "birth":
        return f"{int(rng.integers(1, 29)):02d}/{int(rng.integers(1, 13)):02d}/{int(rng.integers(1955, 2004))}"
    options = F[lang][key]
    return options[int(rng.integers(len(options)))]


_SLOT = re.compile(r"\{(\w+)\}")
_CONTRACTIONS = (
    (" de le ", " du "),
    (" de les ", " des "),
    (" à le ", " au "),
    (" à les ", " aux "),
)
_OPENERS = sorted({o for lang in F.values() for o in lang["opener"] if o}, key=len, reverse=True)


# Which accessories fit which product, and which products can be descaled: a comment never pairs
# a toaster with coffee pods. Applied after the draw, so the random stream (and every figure
# computed from the labels) stays the same.
_FITS = {
    "fr": {
        "le robot Mixo": ["le bol inox", "le kit de nettoyage", "le couvercle de l'ancien modèle"],
        "le nouveau Mixo 2": [
            "le bol inox",
            "le kit de nettoyage",
            "le couvercle de l'ancien modèle",
        ],
        "la cafetière Duo": [
            "les capsules classiques",
            "le filtre permanent",
            "la carafe isotherme",
        ],
        "la cafetière Duo Max": [
            "les capsules classiques",
            "le filtre permanent",
            "la carafe isotherme",
        ],
        "l'aspirateur K2": ["le kit de nettoyage", "le socle mural", "le filtre permanent"],
        "la bouilloire Nova": ["le filtre permanent", "le socle mural", "le kit de nettoyage"],
        "le grille-pain Toasto": ["le kit de nettoyage"],
        "la friteuse Airo": ["le panier de cuisson", "le kit de nettoyage"],
        "la machine à pain Panis": ["le bol inox", "le kit de nettoyage"],
        "le blender Vortex": [
            "le bol inox",
            "le couvercle de l'ancien modèle",
            "le kit de nettoyage",
        ],
        "la centrale vapeur Presto": [
            "le socle mural",
            "le filtre permanent",
            "le kit de nettoyage",
        ],
    },
    "en": {
        "the Mixo food processor": ["the steel bowl", "the cleaning kit", "the old lid"],
        "the Duo coffee maker": ["standard pods", "the permanent filter", "the thermal jug"],
        "the K2 vacuum": ["the cleaning kit", "the permanent filter"],
        "the Nova kettle": ["the permanent filter", "the cleaning kit"],
        "the Toasto toaster": ["the cleaning kit"],
        "the Airo fryer": ["the cleaning kit", "the old lid"],
        "the Panis bread maker": ["the steel bowl", "the cleaning kit"],
        "the Vortex blender": ["the steel bowl", "the old lid", "the cleaning kit"],
        "the Presto steam iron": ["the permanent filter", "the cleaning kit"],
    },
}
_DESCALABLE = {
    "fr": [
        "la cafetière Duo",
        "la cafetière Duo Max",
        "la bouilloire Nova",
        "la centrale vapeur Presto",
    ],
    "en": ["the Duo coffee maker", "the Nova kettle", "the Presto steam iron"],
}


def _pick(options: list[str], drawn: str) -> str:
    """A fixed choice among ``options`` for a drawn value (no random draw: the stream is kept)."""
    return options[sum(map(ord, drawn)) % len(options)]


def _coherent(lang: str, template: str, name: str, value: str, chosen: dict[str, str]) -> str:
    """Replace a drawn product or accessory that does not fit the rest of the comment."""
    if name == "product":
        if ("détartre" in template or "descale" in template) and value not in _DESCALABLE[lang]:
            value = _pick(_DESCALABLE[lang], value)
        chosen["product"] = value
    elif name == "accessory" and chosen.get("product") in _FITS[lang]:
        fits = _FITS[lang][chosen["product"]]
        if value not in fits:
            value = _pick(fits, value + chosen["product"])
    return value


def _fill(rng, template: str, lang: str) -> str:
    """Fill every slot, recursively (a fragment may contain slots)."""
    chosen: dict[str, str] = {}
    for _ in range(3):
        if "{" not in template:
            break
        template = _SLOT.sub(
            lambda m, outer=template: _coherent(
                lang, outer, m.group(1), _slot(rng, lang, m.group(1)), chosen
            ),
            template,
        )
    text = template.strip()
    if lang == "fr":
        for wrong, right in _CONTRACTIONS:
            text = text.replace(wrong, right)
    for opener in _OPENERS:  # "Bonjour, Voici" -> "Bonjour, voici"
        if text.startswith(opener) and text[len(opener) : len(opener) + 1].isupper():
            text = text[: len(opener)] + text[len(opener)].lower() + text[len(opener) + 1 :]
    return text[0].upper() + text[1:] if text else text


def _draw(rng, table: dict[str, float]) -> str:
    keys = list(table)
    probs = np.array(list(table.values()))
    return keys[int(rng.choice(len(keys), p=probs / probs.sum()))]


def flag(text: str) -> str | None:
    """The first automated rule that matches a text (see :data:`RULES`), or ``None``."""
    for name, pattern in RULES.items():
        if re.search(pattern, text):
            return name
    return None


def _times(rng, channel: np.ndarray) -> np.ndarray:
    """Comment timestamps: office hours on weekdays inside, evenings and weekends outside."""
    n = channel.size
    day = rng.integers(0, N_DAYS, n)
    weekday = (day + 2) % 7  # 2025-01-01 is a Wednesday (Mon = 0)
    inside = channel == "rse"
    # Move most internal weekend comments to the next Monday: quiet weekends inside.
    moved = inside & (weekday >= 5) & (rng.random(n) < 0.93)
    day = np.where(moved, np.minimum(day + (7 - weekday), N_DAYS - 1), day)
    hour_in = np.clip(rng.normal(13.0, 2.6, n), 7, 19.9)
    hour_out = (rng.normal(19.5, 3.5, n)) % 24
    hour = np.where(inside, hour_in, hour_out)
    seconds = (hour * 3600).astype(np.int64) // 60 * 60
    return START + (day * 86400 + seconds).astype("timedelta64[s]")


def generate_comments(rng: np.random.Generator, n_comments: int = 4_000) -> pd.DataFrame:
    """Generate the moderation cases.

    Args:
        rng: the dataset's seeded generator.
        n_comments: number of comments (70% brand page, 30% internal network).

    Returns:
        One row per comment, ids in chronological order.
    """
    n = n_comments
    channel = np.where(rng.random(n) < 0.70, "brand_page", "rse").astype(object)
    texts, truth, languages, variants = [], [], [], []
    for ch in channel:
        category = _draw(rng, dict(zip(CATEGORIES, MIX[ch], strict=True)))
        lang = "en" if rng.random() < ENGLISH_SHARE[ch] else "fr"
        variant = category
        if category == "fair_criticism" and rng.random() < HARSH_SHARE:
            variant = "fair_criticism/harsh"
        elif category == "insult" and rng.random() < MIXED_SHARE:
            variant = "insult/mixed"
        templates = T[(ch, lang)][variant]
        texts.append(_fill(rng, templates[int(rng.integers(len(templates)))], lang))
        truth.append(category)
        languages.append(lang)
        variants.append(variant)

    label_a = [_draw(rng, CONFUSION[v]) for v in variants]
    label_b = [_draw(rng, CONFUSION[v]) for v in variants]
    action = [_draw(rng, ACTIONS[label]) for label in label_a]
    flagged = [flag(t) for t in texts]

    posted = _times(rng, channel)
    answered = rng.random(n) < np.array([ANSWERED[a] for a in action])
    median = np.array([MEDIAN_REPLY_HOURS[c] for c in channel])
    urgency = np.where(np.array(label_a) == "complaint", 0.7, 1.0)
    hours = np.minimum(rng.lognormal(np.log(median * urgency), 1.25), 24 * 21)
    minutes = np.maximum(np.round(hours * 60), 1).astype(np.int64)
    reply_at = posted + (minutes * 60).astype("timedelta64[s]")
    reply_at = np.where(answered, reply_at, np.datetime64("NaT"))
    hours_to_reply = np.where(answered, minutes / 60, np.nan)

    frame = pd.DataFrame(
        {
            "channel": channel,
            "language": languages,
            "posted_at": posted,
            "text": texts,
            "category": truth,
            "label_mod_a": label_a,
            "label_mod_b": label_b,
            "action": action,
            "flagged_by": flagged,
            "first_reply_at": reply_at,
            "hours_to_first_reply": hours_to_reply,
        }
    )
    frame = frame.sort_values(["posted_at", "channel", "text"], kind="mergesort")
    frame.insert(0, "comment_id", ids("C", n, 5))
    return frame.reset_index(drop=True)


SPEC = register(
    Spec(
        name="comments",
        summary="double-labelled moderation cases from a brand page and the internal network",
        columns=(
            Col("comment_id", "str"),
            Col("channel", "str"),
            Col("language", "str"),
            Col("posted_at", "datetime"),
            Col("text", "str"),
            Col("category", "str"),
            Col("label_mod_a", "str"),
            Col("label_mod_b", "str"),
            Col("action", "str"),
            Col("flagged_by", "str"),
            Col("first_reply_at", "datetime"),
            Col("hours_to_first_reply", "float", 4),
        ),
        sort_by=("comment_id",),
        generate=generate_comments,
    )
)
