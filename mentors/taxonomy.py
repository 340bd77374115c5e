"""Reference data for the skills that mentors offer and learners want to build.

Sources:

* The areas, competences and proficiency levels numbered "1" to "5" and "1.1" to
  "5.4" come from DigComp 2.2, the European Digital Competence Framework for
  Citizens (Vuorikari, Kluzer and Punie, Joint Research Centre of the European
  Commission, 2022, doi:10.2760/115376). The English names are the framework's
  own; the French names follow the French translation in common use for
  DigComp 2.x. The level descriptions are short, plain-language summaries
  written by the project for people far from digital tools, following DigComp's
  logic (complexity of tasks, autonomy, cognitive domain); they are not the
  framework's own wording.
* The job-skill areas (codes starting with "job-") and the job skills (lowercase
  kebab-case codes) are chosen by the project to cover in-demand digital skills
  on the French job market. They are not part of DigComp.

Codes are stable forever: other tables, fixtures and exported files (attestations,
CSV and JSON exports) reference them. Never change, delete or reuse a code; only
add new ones. Names and descriptions may be reworded.

This module is plain data with no Django dependency. Call ``validate()`` from a
test or a management command to check its consistency; nothing runs at import.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

FRAMEWORK_DIGCOMP = "digcomp"
FRAMEWORK_JOB = "job"
FRAMEWORKS: tuple[str, ...] = (FRAMEWORK_DIGCOMP, FRAMEWORK_JOB)


@dataclass(frozen=True, slots=True)
class Area:
    """A group of skills: a DigComp competence area or a job-skill area."""

    code: str
    framework: str
    name_fr: str
    name_en: str


@dataclass(frozen=True, slots=True)
class SkillSpec:
    """A skill a mentor can offer: a DigComp competence or a job skill."""

    code: str
    area: str
    name_fr: str
    name_en: str
    esco_uri: str = ""


@dataclass(frozen=True, slots=True)
class LevelSpec:
    """One of DigComp's eight proficiency levels, described in plain words."""

    level: int
    band: str
    description_en: str
    description_fr: str


AREAS: tuple[Area, ...] = (
    # DigComp 2.2 competence areas.
    Area(
        "1",
        FRAMEWORK_DIGCOMP,
        "Maîtrise de l'information et des données",
        "Information and data literacy",
    ),
    Area(
        "2",
        FRAMEWORK_DIGCOMP,
        "Communication et collaboration",
        "Communication and collaboration",
    ),
    Area(
        "3",
        FRAMEWORK_DIGCOMP,
        "Création de contenus numériques",
        "Digital content creation",
    ),
    Area("4", FRAMEWORK_DIGCOMP, "Sécurité", "Safety"),
    Area("5", FRAMEWORK_DIGCOMP, "Résolution de problèmes", "Problem solving"),
    # Job-skill areas chosen by the project.
    Area(
        "job-dev",
        FRAMEWORK_JOB,
        "Développement logiciel et web",
        "Software and web development",
    ),
    Area("job-data", FRAMEWORK_JOB, "Données et IA", "Data and AI"),
    Area(
        "job-infra",
        FRAMEWORK_JOB,
        "Cloud, infrastructure et support informatique",
        "Cloud, infrastructure and IT support",
    ),
    Area("job-security", FRAMEWORK_JOB, "Cybersécurité", "Cybersecurity"),
    Area("job-design", FRAMEWORK_JOB, "Design et produit", "Design and product"),
    Area(
        "job-marketing",
        FRAMEWORK_JOB,
        "Marketing et communication numériques",
        "Digital marketing and communication",
    ),
    Area(
        "job-office",
        FRAMEWORK_JOB,
        "Bureautique, collaboration et outils numériques au travail",
        "Office, collaboration and digital tools at work",
    ),
    Area(
        "job-project",
        FRAMEWORK_JOB,
        "Gestion de projet et méthodes de travail",
        "Project management and ways of working",
    ),
)


DIGCOMP_COMPETENCE_CODES: tuple[str, ...] = (
    "1.1",
    "1.2",
    "1.3",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5",
    "2.6",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "5.1",
    "5.2",
    "5.3",
    "5.4",
)


SKILLS: tuple[SkillSpec, ...] = (
    # --- DigComp 2.2 competences --------------------------------------------
    # 1. Information and data literacy
    SkillSpec(
        "1.1",
        "1",
        "Naviguer, rechercher et filtrer des données, des informations et des "
        "contenus numériques",
        "Browsing, searching and filtering data, information and digital content",
    ),
    SkillSpec(
        "1.2",
        "1",
        "Évaluer des données, des informations et des contenus numériques",
        "Evaluating data, information and digital content",
    ),
    SkillSpec(
        "1.3",
        "1",
        "Gérer des données, des informations et des contenus numériques",
        "Managing data, information and digital content",
    ),
    # 2. Communication and collaboration
    SkillSpec(
        "2.1",
        "2",
        "Interagir par le biais des technologies numériques",
        "Interacting through digital technologies",
    ),
    SkillSpec(
        "2.2",
        "2",
        "Partager par le biais des technologies numériques",
        "Sharing through digital technologies",
    ),
    SkillSpec(
        "2.3",
        "2",
        "S'engager dans la citoyenneté par le biais des technologies numériques",
        "Engaging in citizenship through digital technologies",
    ),
    SkillSpec(
        "2.4",
        "2",
        "Collaborer par le biais des technologies numériques",
        "Collaborating through digital technologies",
    ),
    SkillSpec("2.5", "2", "Nétiquette", "Netiquette"),
    SkillSpec("2.6", "2", "Gérer son identité numérique", "Managing digital identity"),
    # 3. Digital content creation
    SkillSpec(
        "3.1",
        "3",
        "Développer des contenus numériques",
        "Developing digital content",
    ),
    SkillSpec(
        "3.2",
        "3",
        "Intégrer et réélaborer des contenus numériques",
        "Integrating and re-elaborating digital content",
    ),
    SkillSpec("3.3", "3", "Droits d'auteur et licences", "Copyright and licences"),
    SkillSpec("3.4", "3", "Programmation", "Programming"),
    # 4. Safety
    SkillSpec("4.1", "4", "Protéger les appareils", "Protecting devices"),
    SkillSpec(
        "4.2",
        "4",
        "Protéger les données personnelles et la vie privée",
        "Protecting personal data and privacy",
    ),
    SkillSpec(
        "4.3",
        "4",
        "Protéger la santé et le bien-être",
        "Protecting health and well-being",
    ),
    SkillSpec("4.4", "4", "Protéger l'environnement", "Protecting the environment"),
    # 5. Problem solving
    SkillSpec(
        "5.1",
        "5",
        "Résoudre des problèmes techniques",
        "Solving technical problems",
    ),
    SkillSpec(
        "5.2",
        "5",
        "Identifier des besoins et des réponses technologiques",
        "Identifying needs and technological responses",
    ),
    SkillSpec(
        "5.3",
        "5",
        "Utiliser les technologies numériques de manière créative",
        "Creatively using digital technologies",
    ),
    SkillSpec(
        "5.4",
        "5",
        "Identifier les lacunes en matière de compétences numériques",
        "Identifying digital competence gaps",
    ),
    # --- Job skills (chosen by the project) ---------------------------------
    # Software and web development
    SkillSpec(
        "web-frontend",
        "job-dev",
        "Développement web front-end (HTML, CSS, JavaScript)",
        "Front-end web development (HTML, CSS, JavaScript)",
    ),
    SkillSpec(
        "web-backend",
        "job-dev",
        "Développement web back-end (serveurs, API)",
        "Back-end web development (servers, APIs)",
    ),
    SkillSpec("python", "job-dev", "Programmation en Python", "Python programming"),
    SkillSpec(
        "javascript",
        "job-dev",
        "Programmation en JavaScript et TypeScript",
        "JavaScript and TypeScript programming",
    ),
    SkillSpec("java", "job-dev", "Programmation en Java", "Java programming"),
    SkillSpec("php", "job-dev", "Programmation en PHP", "PHP programming"),
    SkillSpec(
        "mobile-dev",
        "job-dev",
        "Développement d'applications mobiles",
        "Mobile app development",
    ),
    SkillSpec(
        "git",
        "job-dev",
        "Gestion de versions avec Git",
        "Version control with Git",
    ),
    SkillSpec(
        "testing-qa",
        "job-dev",
        "Tests logiciels et assurance qualité",
        "Software testing and quality assurance",
    ),
    SkillSpec(
        "accessibility-web",
        "job-dev",
        "Accessibilité numérique des sites et applications (RGAA, WCAG)",
        "Web and app accessibility (RGAA, WCAG)",
    ),
    SkillSpec(
        "wordpress-cms",
        "job-dev",
        "Création de sites avec WordPress et autres CMS",
        "Building websites with WordPress and other CMSs",
    ),
    # Data and AI
    SkillSpec("data-analysis", "job-data", "Analyse de données", "Data analysis"),
    SkillSpec(
        "sql-databases",
        "job-data",
        "SQL et bases de données",
        "SQL and databases",
    ),
    SkillSpec(
        "data-visualisation",
        "job-data",
        "Visualisation de données et tableaux de bord",
        "Data visualisation and dashboards",
    ),
    SkillSpec(
        "data-engineering",
        "job-data",
        "Ingénierie des données (collecte, transformation, pipelines)",
        "Data engineering (collection, transformation, pipelines)",
    ),
    SkillSpec(
        "machine-learning",
        "job-data",
        "Apprentissage automatique (machine learning)",
        "Machine learning",
    ),
    SkillSpec(
        "ai-tools",
        "job-data",
        "Outils d'IA générative au travail",
        "Generative AI tools at work",
    ),
    # Cloud, infrastructure and IT support
    SkillSpec(
        "cloud",
        "job-infra",
        "Services cloud (AWS, Azure, Google Cloud)",
        "Cloud services (AWS, Azure, Google Cloud)",
    ),
    SkillSpec(
        "devops",
        "job-infra",
        "DevOps et intégration continue",
        "DevOps and continuous integration",
    ),
    SkillSpec(
        "containers",
        "job-infra",
        "Conteneurs (Docker, Kubernetes)",
        "Containers (Docker, Kubernetes)",
    ),
    SkillSpec(
        "linux-admin",
        "job-infra",
        "Administration de systèmes Linux",
        "Linux system administration",
    ),
    SkillSpec(
        "network-admin",
        "job-infra",
        "Administration de réseaux",
        "Network administration",
    ),
    SkillSpec(
        "it-support",
        "job-infra",
        "Support informatique et assistance aux utilisateurs",
        "IT support and helpdesk",
    ),
    # Cybersecurity
    SkillSpec(
        "cybersecurity-basics",
        "job-security",
        "Bonnes pratiques de cybersécurité",
        "Cybersecurity good practices",
    ),
    SkillSpec(
        "gdpr-compliance",
        "job-security",
        "Conformité au RGPD et protection des données personnelles",
        "GDPR compliance and personal data protection",
    ),
    SkillSpec(
        "security-operations",
        "job-security",
        "Surveillance de la sécurité et réponse aux incidents",
        "Security monitoring and incident response",
    ),
    SkillSpec(
        "penetration-testing",
        "job-security",
        "Tests d'intrusion",
        "Penetration testing",
    ),
    # Design and product
    SkillSpec(
        "ux-design",
        "job-design",
        "Conception de l'expérience utilisateur (UX)",
        "User experience (UX) design",
    ),
    SkillSpec(
        "ui-design",
        "job-design",
        "Conception d'interfaces utilisateur (UI)",
        "User interface (UI) design",
    ),
    SkillSpec("graphic-design", "job-design", "Graphisme", "Graphic design"),
    SkillSpec("video-editing", "job-design", "Montage vidéo", "Video editing"),
    SkillSpec(
        "product-management",
        "job-design",
        "Gestion de produit numérique",
        "Digital product management",
    ),
    # Digital marketing and communication
    SkillSpec(
        "digital-marketing",
        "job-marketing",
        "Marketing numérique",
        "Digital marketing",
    ),
    SkillSpec(
        "seo",
        "job-marketing",
        "Référencement naturel (SEO)",
        "Search engine optimisation (SEO)",
    ),
    SkillSpec(
        "social-media",
        "job-marketing",
        "Gestion des réseaux sociaux",
        "Social media management",
    ),
    SkillSpec(
        "content-writing-web",
        "job-marketing",
        "Rédaction web",
        "Writing for the web",
    ),
    SkillSpec(
        "web-analytics",
        "job-marketing",
        "Mesure d'audience web",
        "Web analytics",
    ),
    SkillSpec(
        "e-commerce",
        "job-marketing",
        "Vente en ligne (e-commerce)",
        "Online selling (e-commerce)",
    ),
    SkillSpec(
        "crm-tools",
        "job-marketing",
        "Outils de gestion de la relation client (CRM)",
        "Customer relationship management (CRM) tools",
    ),
    # Office, collaboration and digital tools at work
    SkillSpec(
        "spreadsheets",
        "job-office",
        "Tableurs (Excel, LibreOffice Calc, Google Sheets)",
        "Spreadsheets (Excel, LibreOffice Calc, Google Sheets)",
    ),
    SkillSpec(
        "office-suite",
        "job-office",
        "Suite bureautique (traitement de texte, présentations)",
        "Office suite (word processing, presentations)",
    ),
    SkillSpec(
        "email-calendar",
        "job-office",
        "Messagerie et agenda professionnels",
        "Work email and calendar",
    ),
    SkillSpec(
        "collaboration-tools",
        "job-office",
        "Outils collaboratifs (documents partagés, visioconférence, messagerie "
        "instantanée)",
        "Collaboration tools (shared documents, video calls, chat)",
    ),
    SkillSpec(
        "no-code",
        "job-office",
        "Outils no-code et automatisation des tâches",
        "No-code tools and task automation",
    ),
    # Project management and ways of working
    SkillSpec(
        "project-management",
        "job-project",
        "Gestion de projet numérique",
        "Digital project management",
    ),
    SkillSpec(
        "agile-methods",
        "job-project",
        "Méthodes agiles (Scrum, Kanban)",
        "Agile methods (Scrum, Kanban)",
    ),
    SkillSpec(
        "project-management-tools",
        "job-project",
        "Outils de gestion de projet (Trello, Jira, Asana…)",
        "Project management tools (Trello, Jira, Asana…)",
    ),
)


@dataclass(frozen=True, slots=True)
class EverydayWords:
    """Words a learner types (French and English, lower case, accents as
    usual) and the skills they mean: the directory searches those skills."""

    words: tuple[str, ...]
    skills: tuple[str, ...]


# Learners search with the names of the things they want to do, not of the
# skills; without this, "cv" only finds bios that mention one and short words
# match unrelated ones on letter similarity.
EVERYDAY_WORDS: tuple[EverydayWords, ...] = (
    EverydayWords(
        (
            "cv",
            "curriculum vitae",
            "lettre de motivation",
            "candidature",
            "resume",
            "cover letter",
            "job application",
        ),
        ("office-suite", "3.1", "2.6"),
    ),
    EverydayWords(
        (
            "e-mail",
            "email",
            "mail",
            "mails",
            "courriel",
            "courriels",
            "messagerie",
            "boîte mail",
            "gmail",
            "outlook",
        ),
        ("email-calendar", "2.1"),
    ),
    EverydayWords(
        (
            "word",
            "traitement de texte",
            "libreoffice writer",
            "word processing",
            "powerpoint",
        ),
        ("office-suite",),
    ),
    EverydayWords(
        ("excel", "tableur", "tableurs", "spreadsheet", "spreadsheets", "calc"),
        ("spreadsheets",),
    ),
    EverydayWords(
        (
            "démarches en ligne",
            "démarches administratives",
            "démarches",
            "france connect",
            "franceconnect",
            "impôts",
            "caf",
            "ameli",
            "online procedures",
            "government services",
            "paperwork online",
        ),
        ("2.3", "1.1"),
    ),
    EverydayWords(
        (
            "smartphone",
            "téléphone portable",
            "tablette",
            "mobile phone",
            "tablet",
        ),
        ("5.1", "2.1", "4.1"),
    ),
    EverydayWords(
        ("ordinateur", "ordi", "computer", "pc"),
        ("5.1", "it-support"),
    ),
    EverydayWords(
        ("internet", "web search", "search the web"),
        ("1.1", "1.2"),
    ),
    EverydayWords(
        (
            "mot de passe",
            "mots de passe",
            "password",
            "passwords",
            "arnaque",
            "arnaques",
            "phishing",
            "hameçonnage",
            "scam",
            "virus",
        ),
        ("4.1", "4.2", "cybersecurity-basics"),
    ),
    EverydayWords(
        (
            "visio",
            "visioconférence",
            "zoom",
            "teams",
            "video call",
            "videoconference",
        ),
        ("collaboration-tools", "2.1"),
    ),
    EverydayWords(
        ("site internet", "site web", "website", "créer un site", "build a website"),
        ("wordpress-cms", "web-frontend"),
    ),
    EverydayWords(
        ("réseaux sociaux", "facebook", "instagram", "linkedin", "social media"),
        ("social-media", "2.6"),
    ),
)


@dataclass(frozen=True, slots=True)
class Need:
    """What a learner wants to do, grouping the skills that serve it."""

    code: str
    name_fr: str
    name_en: str
    skills: tuple[str, ...]


# The skill lists shown to people far from digital tools: grouped by what they
# want to do, in everyday words, never with a code. Codes and framework names
# stay for the API, the admin and exports. Job skills not listed here are shown
# under "Learn a digital job", by area, with their own names.
NEEDS: tuple[Need, ...] = (
    Need(
        "device",
        "Utiliser un ordinateur ou un téléphone",
        "Use a computer or a phone",
        ("5.1", "1.3", "4.1", "4.3", "4.4", "5.2", "5.4"),
    ),
    Need(
        "online",
        "Chercher des informations et faire ses démarches en ligne",
        "Find information and do formalities online",
        ("1.1", "1.2", "2.3", "4.2"),
    ),
    Need(
        "communicate",
        "Communiquer en ligne",
        "Communicate online",
        ("2.1", "2.2", "2.4", "2.5"),
    ),
    Need(
        "job-search",
        "Chercher un emploi",
        "Look for a job",
        ("office-suite", "email-calendar", "2.6"),
    ),
    Need(
        "work-tools",
        "Utiliser les outils numériques au travail",
        "Use digital tools at work",
        ("spreadsheets", "collaboration-tools", "ai-tools", "no-code"),
    ),
    Need(
        "create",
        "Créer des contenus",
        "Create content",
        ("3.1", "3.2", "3.3", "5.3", "3.4"),
    ),
)

NEED_JOB_PREFIX = ("Apprendre un métier du numérique", "Learn a digital job")

# Everyday names for skills whose framework name is jargon, as (French, English).
PLAIN_NAMES: dict[str, tuple[str, str]] = {
    "1.1": (
        "Chercher des informations sur internet",
        "Search for information on the internet",
    ),
    "1.2": (
        "Reconnaître les informations fiables et les fausses informations",
        "Tell reliable information from false information",
    ),
    "1.3": (
        "Ranger et retrouver mes fichiers et mes documents",
        "Organise and find my files and documents",
    ),
    "2.1": (
        "Échanger avec d'autres personnes (courriel, messagerie, appel vidéo)",
        "Talk with other people (e-mail, messaging, video calls)",
    ),
    "2.2": (
        "Envoyer et partager des documents, des photos, des liens",
        "Send and share documents, photos, links",
    ),
    "2.3": (
        "Faire mes démarches en ligne (CAF, impôts, santé…)",
        "Do my formalities online (benefits, taxes, health…)",
    ),
    "2.4": (
        "Travailler à plusieurs en ligne",
        "Work together with others online",
    ),
    "2.5": (
        "Savoir-vivre en ligne : politesse et respect",
        "Good manners online: courtesy and respect",
    ),
    "2.6": (
        "Soigner mon image sur internet (réseaux professionnels, comptes)",
        "Look after my image on the internet (professional networks, accounts)",
    ),
    "3.1": (
        "Créer un document, une image ou une vidéo",
        "Make a document, a picture or a video",
    ),
    "3.2": (
        "Modifier et améliorer un document ou une image",
        "Edit and improve a document or a picture",
    ),
    "3.3": (
        "Respecter les droits d'auteur (images, musiques, textes)",
        "Respect copyright (pictures, music, texts)",
    ),
    "3.4": (
        "Découvrir la programmation",
        "Discover programming",
    ),
    "4.1": (
        "Protéger mon ordinateur et mon téléphone (virus, mots de passe)",
        "Protect my computer and my phone (viruses, passwords)",
    ),
    "4.2": (
        "Protéger mes données personnelles et ma vie privée",
        "Protect my personal data and my privacy",
    ),
    "4.3": (
        "Utiliser les écrans sans nuire à ma santé",
        "Use screens without harming my health",
    ),
    "4.4": (
        "Réduire l'impact de mon numérique sur l'environnement",
        "Reduce the impact of my digital use on the environment",
    ),
    "5.1": (
        "Régler les petits problèmes de mon ordinateur ou de mon téléphone",
        "Fix small problems with my computer or my phone",
    ),
    "5.2": (
        "Trouver l'application ou l'outil qu'il me faut",
        "Find the app or the tool I need",
    ),
    "5.3": (
        "Utiliser le numérique pour réaliser mes idées",
        "Use digital tools to bring my ideas to life",
    ),
    "5.4": (
        "Savoir ce qu'il me reste à apprendre en numérique",
        "Know what I still need to learn in digital skills",
    ),
    "office-suite": (
        "Écrire un CV, une lettre, une présentation (Word, LibreOffice…)",
        "Write a CV, a letter, a presentation (Word, LibreOffice…)",
    ),
    "email-calendar": (
        "Écrire des courriels et tenir un agenda",
        "Write e-mails and keep a calendar",
    ),
    "spreadsheets": (
        "Faire des tableaux et des calculs (Excel, LibreOffice Calc…)",
        "Make tables and calculations (Excel, LibreOffice Calc…)",
    ),
    "collaboration-tools": (
        "Documents partagés, visioconférence et messagerie d'équipe",
        "Shared documents, video calls and team chat",
    ),
    "ai-tools": (
        "Utiliser l'intelligence artificielle (ChatGPT, Mistral…) au travail",
        "Use artificial intelligence (ChatGPT, Mistral…) at work",
    ),
    "no-code": (
        "Automatiser des tâches sans programmer",
        "Automate tasks without programming",
    ),
}


BANDS: tuple[tuple[str, str, str], ...] = (
    ("foundation", "Foundation", "Fondamental"),
    ("intermediate", "Intermediate", "Intermédiaire"),
    ("advanced", "Advanced", "Avancé"),
    ("highly_specialised", "Highly specialised", "Hautement spécialisé"),
)


LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec(
        1,
        "foundation",
        "I can do simple tasks with help.",
        "Je sais faire des tâches simples, avec de l'aide.",
    ),
    LevelSpec(
        2,
        "foundation",
        "I can do simple tasks on my own, with help when needed.",
        "Je sais faire des tâches simples par moi-même, avec de l'aide si besoin.",
    ),
    LevelSpec(
        3,
        "intermediate",
        "I can do everyday tasks and solve simple problems on my own.",
        "Je sais faire des tâches courantes et régler des problèmes simples "
        "par moi-même.",
    ),
    LevelSpec(
        4,
        "intermediate",
        "I can handle varied tasks and new problems on my own, as I need.",
        "Je sais gérer des tâches variées et des problèmes nouveaux en "
        "autonomie, selon mes besoins.",
    ),
    LevelSpec(
        5,
        "advanced",
        "I can handle many kinds of tasks and problems, and guide others.",
        "Je sais gérer toutes sortes de tâches et de problèmes, et guider "
        "d'autres personnes.",
    ),
    LevelSpec(
        6,
        "advanced",
        "I can choose the best solution in complex situations and help others "
        "do the same.",
        "Je sais choisir la meilleure solution dans des situations complexes et "
        "aider les autres à le faire.",
    ),
    LevelSpec(
        7,
        "highly_specialised",
        "I solve complex problems with few known solutions and improve how my "
        "field works.",
        "Je résous des problèmes complexes aux solutions rares et je fais "
        "progresser les pratiques de mon domaine.",
    ),
    LevelSpec(
        8,
        "highly_specialised",
        "I create new solutions to complex problems and lead the field.",
        "Je crée de nouvelles solutions à des problèmes complexes et je fais "
        "avancer tout le domaine.",
    ),
)


_EXPECTED_BANDS: dict[int, str] = {
    1: "foundation",
    2: "foundation",
    3: "intermediate",
    4: "intermediate",
    5: "advanced",
    6: "advanced",
    7: "highly_specialised",
    8: "highly_specialised",
}

MIN_JOB_SKILLS = 30


def _require(condition: bool, message: str) -> None:
    # Explicit raise rather than ``assert`` so checks survive ``python -O``.
    if not condition:
        raise AssertionError(message)


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def validate() -> None:
    """Check the taxonomy is consistent; raise ``AssertionError`` otherwise."""
    areas = {area.code: area for area in AREAS}
    band_codes = [code for code, _name_en, _name_fr in BANDS]

    # Codes are unique.
    dup = _duplicates([area.code for area in AREAS])
    _require(not dup, f"duplicate area codes: {dup}")
    dup = _duplicates([skill.code for skill in SKILLS])
    _require(not dup, f"duplicate skill codes: {dup}")
    dup = _duplicates(band_codes)
    _require(not dup, f"duplicate band codes: {dup}")

    # Areas belong to a known framework; DigComp areas are exactly "1".."5".
    for area in AREAS:
        _require(
            area.framework in FRAMEWORKS,
            f"area {area.code!r}: unknown framework {area.framework!r}",
        )
        _require(
            (area.framework == FRAMEWORK_JOB) == area.code.startswith("job-"),
            f"area {area.code!r}: code does not match framework {area.framework!r}",
        )
    digcomp_areas = sorted(
        area.code for area in AREAS if area.framework == FRAMEWORK_DIGCOMP
    )
    _require(
        digcomp_areas == ["1", "2", "3", "4", "5"],
        f"DigComp areas must be 1..5, got {digcomp_areas}",
    )

    # Every skill's area exists; DigComp competences sit in their own area.
    for skill in SKILLS:
        _require(
            skill.area in areas,
            f"skill {skill.code!r}: unknown area {skill.area!r}",
        )
        _require(
            skill.esco_uri == ""
            or skill.esco_uri.startswith("http://data.europa.eu/esco/skill/"),
            f"skill {skill.code!r}: malformed ESCO URI {skill.esco_uri!r}",
        )
    digcomp_skills = [
        skill for skill in SKILLS if areas[skill.area].framework == FRAMEWORK_DIGCOMP
    ]
    _require(
        tuple(skill.code for skill in digcomp_skills) == DIGCOMP_COMPETENCE_CODES,
        "DigComp competences must be exactly 1.1 to 5.4, in order",
    )
    for skill in digcomp_skills:
        _require(
            skill.code.split(".")[0] == skill.area,
            f"DigComp competence {skill.code!r} is in area {skill.area!r}",
        )

    # Enough job skills, with lowercase kebab-case codes.
    job_skills = [
        skill for skill in SKILLS if areas[skill.area].framework == FRAMEWORK_JOB
    ]
    _require(
        len(job_skills) >= MIN_JOB_SKILLS,
        f"expected at least {MIN_JOB_SKILLS} job skills, got {len(job_skills)}",
    )
    for skill in job_skills:
        parts = skill.code.split("-")
        _require(
            all(part and part.isascii() and part.isalnum() for part in parts)
            and skill.code == skill.code.lower(),
            f"job skill code {skill.code!r} is not lowercase kebab-case",
        )

    # Eight levels, 1..8, each in the right band.
    _require(
        [level.level for level in LEVELS] == list(range(1, 9)),
        "levels must be exactly 1..8, in order",
    )
    for level in LEVELS:
        _require(
            level.band == _EXPECTED_BANDS[level.level],
            f"level {level.level}: band {level.band!r}, "
            f"expected {_EXPECTED_BANDS[level.level]!r}",
        )
    _require(
        band_codes == ["foundation", "intermediate", "advanced", "highly_specialised"],
        f"unexpected bands: {band_codes}",
    )

    # Everyday words: each said once, in lower case, for skills that exist.
    skill_codes = {skill.code for skill in SKILLS}
    words = [word for entry in EVERYDAY_WORDS for word in entry.words]
    dup = _duplicates(words)
    _require(not dup, f"everyday words listed twice: {dup}")
    for entry in EVERYDAY_WORDS:
        _require(bool(entry.words and entry.skills), f"empty entry: {entry}")
        for word in entry.words:
            _require(
                word == word.strip().lower() and bool(word),
                f"everyday word {word!r} is not trimmed lower case",
            )
        unknown = sorted(set(entry.skills) - skill_codes)
        _require(not unknown, f"everyday words {entry.words[0]!r}: {unknown}")
    # Needs: each skill in at most one, every DigComp competence in one (their
    # framework names are jargon), every listed skill with an everyday name.
    in_needs = [code for need in NEEDS for code in need.skills]
    dup = _duplicates(in_needs)
    _require(not dup, f"skills in several needs: {dup}")
    unknown = sorted(set(in_needs) - skill_codes)
    _require(not unknown, f"needs list unknown skills: {unknown}")
    _require(
        set(DIGCOMP_COMPETENCE_CODES) <= set(in_needs),
        "every DigComp competence must belong to a need",
    )
    unnamed = sorted(set(in_needs) - set(PLAIN_NAMES))
    _require(not unnamed, f"skills in needs without an everyday name: {unnamed}")
    unknown = sorted(set(PLAIN_NAMES) - skill_codes)
    _require(not unknown, f"everyday names for unknown skills: {unknown}")

    # No empty names or descriptions.
    texts: list[tuple[str, str]] = []
    for area in AREAS:
        texts += [
            (f"area {area.code}", area.name_fr),
            (f"area {area.code}", area.name_en),
        ]
    for skill in SKILLS:
        texts += [
            (f"skill {skill.code}", skill.name_fr),
            (f"skill {skill.code}", skill.name_en),
        ]
    for need in NEEDS:
        texts += [
            (f"need {need.code}", need.name_fr),
            (f"need {need.code}", need.name_en),
        ]
    for code, names in PLAIN_NAMES.items():
        texts += [(f"everyday name {code}", name) for name in names]
    for level in LEVELS:
        texts += [
            (f"level {level.level}", level.description_en),
            (f"level {level.level}", level.description_fr),
        ]
    for code, name_en, name_fr in BANDS:
        texts += [(f"band {code}", name_en), (f"band {code}", name_fr)]
    for owner, text in texts:
        _require(bool(text.strip()), f"{owner}: empty name or description")
        _require(text == text.strip(), f"{owner}: stray whitespace in {text!r}")
