from __future__ import annotations

import math

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .choices import LEVEL_MAX, LEVEL_MIN, Mode, Region, Situation


class LocalizedNameMixin(models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return (
            self.name_en if (get_language() or "fr").startswith("en") else self.name_fr
        )


class SkillArea(LocalizedNameMixin):
    class Framework(models.TextChoices):
        DIGCOMP = "digcomp", "DigComp 2.2"
        JOB = "job", _("Digital job skills")

    code = models.CharField(max_length=40, unique=True)
    framework = models.CharField(max_length=10, choices=Framework.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position", "code"]
        verbose_name = _("skill area")
        verbose_name_plural = _("skill areas")


class Skill(LocalizedNameMixin):
    """A taxonomy entry. ``code`` is stable forever: never changed or reused."""

    code = models.CharField(max_length=60, unique=True)
    area = models.ForeignKey(SkillArea, on_delete=models.PROTECT, related_name="skills")
    esco_uri = models.URLField(_("ESCO URI"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["area__framework", "area__position", "position", "code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


def _level_field(
    verbose: StrOrPromise, *, minimum: int = LEVEL_MIN
) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose,
        validators=[MinValueValidator(minimum), MaxValueValidator(LEVEL_MAX)],
    )


class MentorProfileQuerySet(models.QuerySet["MentorProfile"]):
    @staticmethod
    def public_conditions() -> dict[str, Q]:
        """The conditions of public visibility, by name: the plain-SQL copy of
        the rule (``mentor_profile_page_row``) is tested against each, so a
        condition added here without a test case fails the test."""
        from allauth.account.models import EmailAddress

        verified = EmailAddress.objects.filter(
            user_id=models.OuterRef("user_id"), verified=True
        )
        return {
            "approved": Q(approved_at__isnull=False),
            "published": Q(is_published=True),
            "not_hidden_by_staff": Q(hidden_by_staff_at__isnull=True),
            "owner_active": Q(user__is_active=True),
            "owner_email_verified": Q(models.Exists(verified)),
        }

    @staticmethod
    def listed_conditions() -> dict[str, Q]:
        """The public conditions the profile's own row holds (no join): those
        of the directory's ranking window and its index."""
        return {
            name: condition
            for name, condition in MentorProfileQuerySet.public_conditions().items()
            if name in ("approved", "published", "not_hidden_by_staff")
        }

    def public(self) -> MentorProfileQuerySet:
        """Profiles anyone may see: approved, shown, not hidden by staff, of
        active people with a verified e-mail address. The one rule every ORM
        path uses."""
        return self.filter(*self.public_conditions().values())


# The longest search terms (their text form, in bytes) kept in the weight
# index: at most ~2,010 bytes as stored (the text form spends at least 4 bytes
# a word, the stored form 4 + its letters), with the other columns under
# btree's limit of 2,704 bytes for an entry, ``search_skills`` included (30
# skills of the longest codes: ~700 bytes; tests/mentors/
# test_weight_index_size.py writes that profile).
SEARCH_TERMS_MAX_TEXT = 1600

# The listed profiles as their own row says (``listed_conditions``): the
# predicate of the directory's partial indexes.
_LISTED_ROW = Q(
    approved_at__isnull=False, is_published=True, hidden_by_staff_at__isnull=True
)
# What the directory's filters read of a profile besides its region: in the
# entries of the indexes its walks read alone (index-only), and in the
# columns those walks select (``mentors.directory``).
SEARCH_FILTER_COLUMNS = (
    "languages",
    "modes",
    "free_slots_7d",
    "free_slots_14d",
    "search_skills",
)


class MentorProfile(models.Model):
    """A mentor's profile.

    The columns and ``MentorSkill`` rows are the *published* content: what a
    visitor sees, as staff last approved it. The mentor edits ``draft`` (the
    working copy, validated by the profile form); staff approval copies it to the
    columns. So an edit of an approved profile waits for review while the public
    page keeps showing the approved version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor_profile",
    )
    # Published content (last approved).
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    bio = models.TextField(_("about me"), max_length=5000, blank=True)
    languages = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    region = models.CharField(
        _("region"), max_length=6, choices=Region.choices, blank=True
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    modes = ArrayField(
        models.CharField(max_length=10, choices=Mode.choices), default=list, blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("how many people at a time"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    photo = models.CharField(max_length=200, blank=True, editable=False)
    # Review.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    draft = models.JSONField(null=True, blank=True, editable=False)
    charter_version = models.CharField(max_length=20, blank=True)
    charter_accepted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_message = models.TextField(_("message from the team"), blank=True)
    is_published = models.BooleanField(_("show my profile"), default=True)
    is_paused = models.BooleanField(_("not taking new mentees for now"), default=False)
    # Responsiveness over the last 90 days (mentors/responsiveness.py keeps them).
    acceptance_rate_90d = models.DecimalField(
        max_digits=4, decimal_places=3, null=True, blank=True
    )
    median_answer_hours_90d = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True
    )
    # The mentor's own late cancellations over the last 90 days (scheduling
    # pushes it down; staff see it beside the figures above).
    late_cancellations_90d = models.PositiveSmallIntegerField(default=0, db_default=0)
    hidden_by_staff_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Summaries pushed down by the scheduling feature (DESIGN, "Apps depend one way").
    next_free_slot_at = models.DateTimeField(null=True, blank=True)
    free_slots_7d = models.PositiveIntegerField(default=0)
    free_slots_14d = models.PositiveIntegerField(default=0)
    free_slots_28d = models.PositiveIntegerField(default=0)
    # UTC hour-of-week availability: 168 bits, bit h = Monday 00:00 UTC + h hours.
    availability_bitmap = models.BinaryField(default=bytes(21), max_length=21)
    hours_mentored = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    people_helped = models.PositiveIntegerField(default=0)
    rating_avg = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(default=0)
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    # Pushed down by matching, which owns mentorships: its count of this
    # mentor's active ones, recomputed in each transaction that starts or ends one.
    active_mentorships = models.PositiveSmallIntegerField(default=0)
    # Directory search over the published content (mentors/search.py keeps it
    # current): French full text, unaccented and stemmed.
    search_vector = SearchVectorField(null=True, editable=False)
    # How much the published profile offers (the sum of its skills' levels),
    # kept with the search vector: a frequent word matches thousands of
    # profiles, and only the best few hundred of them by this weight, read
    # through an index, are ranked by text relevance (mentors/directory.py).
    search_weight = models.PositiveSmallIntegerField(
        default=0, db_default=0, editable=False
    )
    # The published skills as "code:level" (``search_skill_levels``), kept
    # with the weight: in the weight index and an index of their own, the
    # directory's skill filters and the skills that everyday words mean are
    # read from the row or the index, not from a join per profile.
    search_skills = ArrayField(models.TextField(), default=list, editable=False)
    # The search vector without positions, kept by PostgreSQL, in the weight
    # index beside the weight: the directory's window walks that index alone
    # (an index-only scan of small entries, ~4x cheaper than reading the
    # wide profile rows) and ranks only the rows it keeps. NULL when it would
    # not fit an index entry (SEARCH_TERMS_MAX_TEXT): those few profiles are
    # read from their own rows (``mentors_profile_long_text_idx``).
    search_terms = models.GeneratedField(
        expression=RawSQL(
            "CASE WHEN octet_length(strip(search_vector)::text) <= %s"
            " THEN strip(search_vector) END",
            (SEARCH_TERMS_MAX_TEXT,),
        ),
        output_field=SearchVectorField(null=True),
        db_persist=True,
    )

    # The directory's filters this profile passes, in one array kept by
    # PostgreSQL ("l:fr", "m:phone", "r:84", "s:<skill>" for any level, and
    # every "<skill>:<level>" of ``search_skills``; the function is migration
    # 0030's, which keeps it in the row: storage MAIN), in one GIN index: a
    # page's matches are read from one index scan for all its filters instead
    # of a bitmap of each filter ANDed. A value most profiles hold beside a
    # rarer one is checked in the rows instead (the scan of both keys costs
    # several times the rarer one's: ``directory._facets_split``).
    search_facets = models.GeneratedField(
        expression=RawSQL(
            "mentors_search_facets(languages, modes, search_skills, region)", ()
        ),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )

    # What the mentor writes (the draft, the form, the API, the review).
    EDITABLE_FIELDS = (
        "headline",
        "bio",
        "languages",
        "region",
        "city",
        "modes",
        "capacity",
    )
    # What a directory card shows (page, API): the card query reads these only,
    # never bios, drafts or search columns.
    CARD_FIELDS = (
        "id",
        "user_id",
        "user__full_name",
        "headline",
        "photo",
        "languages",
        "region",
        "city",
        "modes",
        "next_free_slot_at",
        "free_slots_7d",
        "free_slots_14d",
        "approved_at",
        "is_paused",
        "capacity",
        "active_mentorships",
        "median_answer_hours_90d",
        "hours_mentored",
        "people_helped",
        "search_skills",  # the card's skills (``mentors.cards.card_skills``)
    )

    objects = MentorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=20),
                name="mentors_profile_capacity_range",
            ),
            models.CheckConstraint(
                condition=Q(free_slots_7d__lte=models.F("free_slots_14d"))
                & Q(free_slots_14d__lte=models.F("free_slots_28d")),
                name="mentors_profile_free_slots_nested",
            ),
            models.CheckConstraint(
                condition=Q(rating_avg__isnull=True)
                | Q(rating_avg__gte=1, rating_avg__lte=5),
                name="mentors_profile_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(hours_mentored__gte=0),
                name="mentors_profile_hours_positive",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True)
                | Q(charter_accepted_at__isnull=False),
                name="mentors_profile_approved_needs_charter",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="mentors_profile_status_idx"),
            # The directory's "soonest" order whole (``next_free_slot_at ASC
            # NULLS LAST, id DESC``): a sorted page walks it and stops. On
            # the slot alone, the profiles sharing a slot time (17,502 at
            # 200,000 bench mentors) were read and sorted whole first.
            models.Index(
                fields=["next_free_slot_at", "-id"], name="mentors_profile_soonest_idx"
            ),
            models.Index(fields=["-approved_at"], name="mentors_profile_approved_idx"),
            GinIndex(fields=["search_vector"], name="mentors_profile_search_idx"),
            # The directory's ranking window: the listed profiles by weight,
            # with what its searches filter on (an index-only walk).
            models.Index(
                fields=["-search_weight", "-approved_at", "-id"],
                include=[
                    "search_terms",
                    "region",
                    *SEARCH_FILTER_COLUMNS,
                ],
                name="mentors_profile_weight_idx",
                condition=_LISTED_ROW,
            ),
            # The listed profiles whose search terms are too long for the
            # weight index (none, or a few).
            models.Index(
                fields=["-search_weight", "-approved_at", "-id"],
                name="mentors_profile_long_text_idx",
                condition=_LISTED_ROW
                & Q(search_terms__isnull=True, search_vector__isnull=False),
            ),
            # The listed profiles' terms: a search's matches, read when the
            # walk by weight leaves the window short (the listed rule is the
            # index's, so no other index is read to check it).
            GinIndex(
                fields=["search_terms"],
                name="mentors_profile_terms_idx",
                condition=_LISTED_ROW,
            ),
            # A skill meant by everyday words: its profiles, whatever their
            # weight (a skill is held by 1-10 % of them; a skill filter reads
            # ``search_facets``' index). Every row, not only
            # the listed ones: the planner never ANDs the bitmaps of two
            # indexes whose predicates hold the same conditions (it takes
            # the second for redundant), so with the words' index (listed
            # rows) it read every holder of the words to check the skill
            # (migration 0028).
            GinIndex(fields=["search_skills"], name="mentors_profile_skills_all_idx"),
            # The ranking window's walk in one region: its listed profiles by
            # weight, with what the searches filter on (the weight index's
            # walk, from the region's entries only: a search in a region that
            # holds 5 % of the profiles walked 20 times as many entries, or
            # read every match of its words, 118 ms at 200,000 mentors).
            models.Index(
                fields=["region", "-search_weight", "-approved_at", "-id"],
                include=[
                    "search_terms",
                    *SEARCH_FILTER_COLUMNS,
                ],
                name="mentors_profile_reg_weight_idx",
                condition=_LISTED_ROW,
            ),
            # Browsing a region: its listed profiles, newest first (a region
            # holds 0.5-18 % of them; without it, a seq scan of the table).
            models.Index(
                "region",
                models.F("approved_at").desc(),
                models.F("id").desc(),
                name="mentors_profile_region_idx",
                condition=_LISTED_ROW,
            ),
            # Browsing with filters, newest first: the listed profiles in that
            # order with what the filters read, walked alone (index-only) until
            # the page has its candidates (``mentors.directory``: a skill and a
            # language at 200,000 mentors read every holder of the skill,
            # 1,921 rows sorted, 11 ms).
            models.Index(
                fields=["-approved_at", "-id"],
                include=[
                    "region",
                    *SEARCH_FILTER_COLUMNS,
                ],
                name="mentors_profile_newest_idx",
                condition=_LISTED_ROW,
            ),
            # The filters' values (``search_facets``, migration 0031), every
            # row: ANDed with the words' index (listed rows), which a partial
            # index with the same predicate never is (migration 0028). The
            # two below are no longer read by the directory's statements.
            GinIndex(fields=["search_facets"], name="mentors_profile_facets_idx"),
            GinIndex(fields=["languages"], name="mentors_profile_languages_idx"),
            GinIndex(fields=["modes"], name="mentors_profile_modes_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"

    @property
    def ever_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def places_left(self) -> int:
        """How many more people the mentor can follow now (never below 0:
        a lowered capacity may leave them above it)."""
        return max(self.capacity - self.active_mentorships, 0)

    @property
    def answer_days(self) -> int | None:
        """Their usual time to answer a request, in whole days (at least one),
        over the last 90 days; None without answers to measure."""
        if self.median_answer_hours_90d is None:
            return None
        return math.ceil(self.median_answer_hours_90d / 24) or 1


class ProfileSearchWords(models.Model):
    """The words a profile counts in the search lexicon (``SearchWord``), none
    while it is not public: what a refresh of the profile takes back before
    counting its new words. A table of its own, so that the profile rows the
    directory reads stay narrow."""

    profile = models.OneToOneField(
        MentorProfile, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    words = ArrayField(models.TextField(), default=list)

    def __str__(self) -> str:
        return f"{self.profile_id}: {len(self.words)} words"


class SearchPosting(models.Model):
    """One stem of a listed profile's search terms (``search_terms``' lexemes),
    with the profile's place in the directory's window order (weight, then
    approval, then id): each stem's profiles in that order, in the primary
    key's B-tree. A window of words few heavy profiles hold reads their first
    entries and stops (``mentors.directory``), instead of every profile that
    holds them.

    Kept by the database: row triggers on the profile table (migration 0025)
    write a profile's postings when it is listed with terms (approved, shown,
    not hidden by staff, terms within the index's limit) and take them back
    when that, its terms, weight or approval change, in the same statement;
    any other update does not call them. Written by Python only to repair
    them (``mentors.search.search_postings_repair``, nightly: what went around
    the triggers)."""

    pk = models.CompositePrimaryKey("stem", "weight", "approved_at", "profile_id")
    # Byte order ("C"): a prefix ("poter%") reads a range of the key.
    stem = models.TextField(db_collation="C")
    weight = models.SmallIntegerField()
    approved_at = models.DateTimeField()
    profile_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.stem}: {self.profile_id}"


class SearchWord(models.Model):
    """A word of the public profiles' search documents (name, headline, skills,
    bio, city; unaccented, lower case), with its French stem and the number of
    public profiles that contain it: the directory corrects a query word that
    is not here to the nearest word that is (trigram similarity, indexed), as
    PostgreSQL's pg_trgm documentation suggests. Kept by ``mentors/search.py``:
    adjusted in the transaction of each refresh, rebuilt nightly."""

    word = models.TextField(primary_key=True)
    # The French stem (what the full-text search compares): a query word whose
    # stem is here finds profiles ("formations" finds "formation").
    stem = models.TextField()
    documents = models.IntegerField()

    class Meta:
        indexes = [
            # No pending list (fastupdate): each refresh writes a few words, and
            # every search reads the index; a pending list that autovacuum has
            # not merged yet made a lookup take a second after a rebuild.
            GinIndex(
                fields=["word"],
                name="mentors_searchword_trgm_idx",
                opclasses=["gin_trgm_ops"],
                fastupdate=False,
            ),
            models.Index(fields=["stem"], name="mentors_searchword_stem_idx"),
        ]

    def __str__(self) -> str:
        return self.word


class MentorSkill(models.Model):
    """A published skill of a mentor (set from the approved draft)."""

    profile = models.ForeignKey(
        MentorProfile, on_delete=models.CASCADE, related_name="skills"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = _level_field(_("level"))
    years = models.PositiveSmallIntegerField(
        _("years of practice"), default=0, validators=[MaxValueValidator(60)]
    )

    class Meta:
        ordering = ["-level", "skill__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "skill"], name="mentors_skill_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="mentors_skill_level_range",
            ),
            models.CheckConstraint(
                condition=Q(years__lte=60), name="mentors_skill_years_max"
            ),
        ]
        indexes = [
            models.Index(fields=["skill", "level"], name="mentors_skill_level_idx")
        ]

    def __str__(self) -> str:
        return f"{self.skill.code} {self.level}"


class LearnerProfile(models.Model):
    """What a person wants to learn. Private: only they (and staff) see it."""

    # What the person edits (form and API), besides the wanted skills.
    EDITABLE_FIELDS = (
        "goals",
        "situation",
        "target_occupation",
        "occupation_code",
        "languages",
        "region",
        "modes",
        "time_windows",
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="learner_profile",
    )
    goals = models.TextField(_("what I want to achieve"), max_length=3000, blank=True)
    situation = models.CharField(
        _("my situation"), max_length=20, choices=Situation.choices, blank=True
    )
    target_occupation = models.CharField(
        _("job I am aiming for"), max_length=150, blank=True
    )
    occupation_code = models.CharField(
        _("ROME or ESCO code"), max_length=200, blank=True
    )
    languages = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    region = models.CharField(
        _("region"), max_length=6, choices=Region.choices, blank=True
    )
    modes = ArrayField(
        models.CharField(max_length=10, choices=Mode.choices), default=list, blank=True
    )
    # Hours of the week that suit the person, in their own time zone:
    # 0 = Monday 00:00–01:00 … 167 = Sunday 23:00–24:00.
    time_windows = ArrayField(
        models.PositiveSmallIntegerField(), default=list, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")

    def __str__(self) -> str:
        return str(self.user)


class LearnerSkill(models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="skills"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    current_level = models.PositiveSmallIntegerField(
        _("my level today"), validators=[MaxValueValidator(LEVEL_MAX - 1)]
    )
    target_level = _level_field(_("the level I want"))

    class Meta:
        ordering = ["skill__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "skill"], name="learner_skill_unique"
            ),
            models.CheckConstraint(
                condition=Q(current_level__gte=0, current_level__lt=LEVEL_MAX),
                name="learner_skill_current_range",
            ),
            models.CheckConstraint(
                condition=Q(target_level__gte=LEVEL_MIN, target_level__lte=LEVEL_MAX),
                name="learner_skill_target_range",
            ),
            models.CheckConstraint(
                condition=Q(target_level__gt=models.F("current_level")),
                name="learner_skill_target_above_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill.code} {self.current_level}→{self.target_level}"


class Report(models.Model):
    """Someone reports a profile (later: a message) to staff."""

    class Reason(models.TextChoices):
        INAPPROPRIATE = "inappropriate", _("Inappropriate or offensive content")
        FAKE = "fake", _("Fake profile or false information")
        SPAM = "spam", _("Advertising or spam")
        HARASSMENT = "harassment", _("Harassment or unwanted behaviour")
        OTHER = "other", _("Something else")
        # Filed by the platform, never chosen by a person: a block that ended
        # an active mentorship is a safeguarding signal for staff.
        BLOCK_ENDED_MENTORSHIP = (
            "block_ended",
            _("A block ended a mentorship (automatic)"),
        )

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_REVIEW = "in_review", _("In review")
        CLOSED = "closed", _("Closed")

    class Action(models.TextChoices):
        NONE = "none", _("No action")
        WARN = "warn", _("Warning sent")
        HIDE = "hide", _("Profile hidden")
        DEACTIVATE = "deactivate", _("Account deactivated")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_filed",
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_received",
    )
    # What a person may choose when they report someone.
    PERSON_REASONS = (
        Reason.INAPPROPRIATE,
        Reason.FAKE,
        Reason.SPAM,
        Reason.HARASSMENT,
        Reason.OTHER,
    )

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("what happened"), max_length=3000, blank=True)
    # The message reported, if any. A plain id and a copy of its text, not a
    # foreign key: messages belong to a higher app (matching), and staff must
    # still read what was reported after the author erased it.
    message_id = models.PositiveBigIntegerField(
        _("message reported"), null=True, blank=True, editable=False
    )
    message_text = models.TextField(
        _("text of the message reported"), blank=True, editable=False
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    action = models.CharField(
        max_length=12, choices=Action.choices, default=Action.NONE
    )
    decision = models.TextField(_("decision"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reporter=models.F("reported_user")),
                name="mentors_report_not_self",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="mentors_report_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.reported_user_id}"


PersonRef = int | models.F  # OuterRef is an F


class BlockQuerySet(models.QuerySet["Block"]):
    """The one block rule: a block in either direction separates two people."""

    def between(self, a: PersonRef, b: PersonRef) -> BlockQuerySet:
        """Blocks between ``a`` and ``b``, whoever made them (user ids, or
        expressions such as ``OuterRef("user_id")`` inside a subquery)."""
        return self.filter(
            Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
        )

    def involving(self, user_ids: list[int]) -> BlockQuerySet:
        """Blocks made or received by any of these people."""
        return self.filter(Q(blocker_id__in=user_ids) | Q(blocked_id__in=user_ids))


class Block(models.Model):
    """``blocker`` no longer wants contact with ``blocked``: neither sees the
    other's profile, nor can request, accept, message or book the other
    (``Block.objects.between(a, b)`` is the rule every check calls)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_received",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["blocker", "blocked"], name="mentors_block_unique"
            ),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="mentors_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"
