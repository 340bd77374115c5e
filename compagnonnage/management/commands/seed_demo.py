import time
from typing import Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    OutputWrapper,
)
from django.db import transaction

from accounts.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    demo_accounts_ensure,
    demo_password_hash,
)
from certification.demo import demo_attestations_ensure
from matching.demo import demo_story_ensure
from mentors.demo import demo_population_ensure
from mentors.models import MentorProfile
from sessions.demo import (
    demo_attendance_ensure,
    demo_availability_ensure,
    demo_bookings_ensure,
    demo_mentor_availability_ensure,
    demo_notes_ensure,
    demo_venues_ensure,
)


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class ProgressBar:
    """One line redrawn in place on a terminal; a line per tenth elsewhere."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last: tuple[str, int] | None = None

    def __call__(self, label: str, done: int, total: int) -> None:
        percent = done * 100 // total
        step = (label, percent if self.tty else percent // 10)
        if step == self.last:
            return
        self.last = step
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        start = "\r" if self.tty else ""
        self.out.write(
            f"{start}{label:<9}[{bar}] {percent:3d}% {done}/{total}",
            style_func=lambda text: text,
            ending="\n" if done == total or not self.tty else "",
        )
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Create the demo logins and a demo population of mentors and learners "
        "(deterministic for a seed; a second run adds only what is missing). "
        "Refused under production settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentors", type=_count, default=60)
        parser.add_argument("--learners", type=_count, default=200)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("seed_demo never runs under production settings.")
        started = time.perf_counter()
        password_hash = demo_password_hash()
        with transaction.atomic():
            results = demo_accounts_ensure(password_hash=password_hash)
            by_role = {
                account.role: user
                for account, (user, _created) in zip(
                    DEMO_ACCOUNTS, results, strict=True
                )
            }
            reviewer = by_role["staff"]
            population = demo_population_ensure(
                mentors=options["mentors"],
                learners=options["learners"],
                seed=options["seed"],
                password_hash=password_hash,
                reviewer_id=reviewer.pk,
                progress=ProgressBar(self.stderr) if options["verbosity"] else None,
            )
            with population.time("availability"):
                demo_venues_ensure()
                availabilities = demo_availability_ensure(seed=options["seed"])
            with population.time("story"):
                demo_story_ensure(
                    learner=by_role["learner"],
                    mentor=by_role["mentor"],
                    reviewer=reviewer,
                )
            # The demo mentor's profile is made by the story.
            mentor_profile = MentorProfile.objects.filter(
                user=by_role["mentor"]
            ).first()
            bookings = 0
            if mentor_profile is not None and mentor_profile.ever_approved:
                with population.time("availability"):
                    demo_mentor_availability_ensure(profile=mentor_profile)
                with population.time("bookings"):
                    bookings = demo_bookings_ensure(
                        learner=by_role["learner"], mentor=by_role["mentor"]
                    )
                with population.time("attendance"):
                    demo_attendance_ensure(
                        learner=by_role["learner"], mentor=by_role["mentor"]
                    )
                with population.time("notes"):
                    demo_notes_ensure(
                        learner=by_role["learner"], mentor=by_role["mentor"]
                    )
            with population.time("attestations"):
                demo_attestations_ensure(staff=reviewer)
            committing = time.perf_counter()
        timings = population.timings
        timings["commit"] = time.perf_counter() - committing
        created = sum(1 for _user, was_created in results if was_created)
        self.stdout.write(
            f"demo accounts: {created} created, {len(results) - created} kept"
        )
        self.stdout.write(
            f"demo population (seed {options['seed']}): "
            f"mentors {population.mentors_created} created, "
            f"{population.mentors_kept} kept; "
            f"learners {population.learners_created} created, "
            f"{population.learners_kept} kept"
        )
        self.stdout.write(f"demo availability: {availabilities} mentors given one")
        self.stdout.write(f"demo bookings of the demo logins: {bookings} made")
        phases = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in timings.items()
        )
        self.stdout.write(f"took {time.perf_counter() - started:.1f} s ({phases})")


def demo_logins_text() -> str:
    lines = [f"  {a.role:<9} {a.email:<24} {DEMO_PASSWORD}" for a in DEMO_ACCOUNTS]
    return "\n".join(lines)
