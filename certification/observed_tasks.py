"""The practical tasks seeded for the 21 DigComp competences, one per band.

Written by the project in plain words, in English (the msgid stored in
``ObservedTask.title``) with the French shown to people in the catalogue
(``locale/fr/LC_MESSAGES/django.po``). The loader is idempotent: the data
migration calls it, and so do tests after a flush. Staff add or retire tasks
in the admin; a seeded task edited there is not overwritten (matched by title).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as _

# (skill code, band, task). Foundation, intermediate, advanced for each.
TASKS: tuple[tuple[str, str, str], ...] = (
    ("1.1", "foundation", _("Find the opening hours of the town hall on its website")),
    (
        "1.1",
        "intermediate",
        _("Find a job offer with filters (place, contract, date) and save the search"),
    ),
    (
        "1.1",
        "advanced",
        _("Set up an alert that sends new job offers matching several words by e-mail"),
    ),
    (
        "1.2",
        "foundation",
        _("Say whether a web page is an advertisement or information, and why"),
    ),
    (
        "1.2",
        "intermediate",
        _("Check a piece of news against two other sources and say which one to trust"),
    ),
    (
        "1.2",
        "advanced",
        _("Spot a fake message (phishing) among five and explain the clues"),
    ),
    (
        "1.3",
        "foundation",
        _("Save a photo from the phone into a folder with a clear name"),
    ),
    (
        "1.3",
        "intermediate",
        _("Sort documents into folders and find one again with the search"),
    ),
    (
        "1.3",
        "advanced",
        _("Make a spreadsheet table of expenses with a total and a chart"),
    ),
    ("2.1", "foundation", _("Send an e-mail with an attachment to a given address")),
    (
        "2.1",
        "intermediate",
        _("Join a video call from a link, turn the microphone and camera on and off"),
    ),
    (
        "2.1",
        "advanced",
        _("Organise a video meeting for three people and send them the invitation"),
    ),
    ("2.2", "foundation", _("Share a photo with a relative through a messaging app")),
    (
        "2.2",
        "intermediate",
        _("Share a document by a link that can only be read, not changed"),
    ),
    (
        "2.2",
        "advanced",
        _("Share a folder with a group and give each person the right access"),
    ),
    (
        "2.3",
        "foundation",
        _("Create an account on a public service website (e.g. ameli, CAF)"),
    ),
    (
        "2.3",
        "intermediate",
        _("Make an online appointment or claim on a public service website"),
    ),
    (
        "2.3",
        "advanced",
        _("Sign a form online with FranceConnect and download the receipt"),
    ),
    ("2.4", "foundation", _("Reply to a message in a group conversation")),
    (
        "2.4",
        "intermediate",
        _("Write in a shared document at the same time as someone else"),
    ),
    ("2.4", "advanced", _("Plan a group task with a shared calendar or to-do list")),
    (
        "2.5",
        "foundation",
        _("Write a polite e-mail with a subject, a greeting and a signature"),
    ),
    ("2.5", "intermediate", _("Answer a rude message calmly, or report it")),
    ("2.5", "advanced", _("Write short rules of conduct for an online group")),
    ("2.6", "foundation", _("Change the profile photo and name on an account")),
    (
        "2.6",
        "intermediate",
        _("Check what a search engine shows about oneself and hide a post"),
    ),
    (
        "2.6",
        "advanced",
        _("Make a professional profile (e.g. LinkedIn) with a clear headline"),
    ),
    (
        "3.1",
        "foundation",
        _("Write a short letter in a word processor and save it as PDF"),
    ),
    (
        "3.1",
        "intermediate",
        _("Make a CV with titles, a list and a photo, and export it as PDF"),
    ),
    ("3.1", "advanced", _("Make a short slide show with pictures for a presentation")),
    ("3.2", "foundation", _("Copy a text from a web page into a document")),
    (
        "3.2",
        "intermediate",
        _("Update a CV template with one's own information and layout"),
    ),
    (
        "3.2",
        "advanced",
        _("Combine text, a table and a picture from several files into one document"),
    ),
    ("3.3", "foundation", _("Say whether a picture found online may be reused")),
    ("3.3", "intermediate", _("Find a free-to-use picture and credit its author")),
    ("3.3", "advanced", _("Choose a licence for one's own work and explain it")),
    (
        "3.4",
        "foundation",
        _("Follow step-by-step instructions to set up an app's settings"),
    ),
    ("3.4", "intermediate", _("Write a spreadsheet formula that adds up a column")),
    ("3.4", "advanced", _("Write a small program or automation that repeats a task")),
    ("4.1", "foundation", _("Lock a phone with a code and update an app")),
    (
        "4.1",
        "intermediate",
        _("Install the system updates and check that an antivirus runs"),
    ),
    (
        "4.1",
        "advanced",
        _("Make a backup of a computer or phone and restore a file from it"),
    ),
    ("4.2", "foundation", _("Create a strong password and keep it safe")),
    ("4.2", "intermediate", _("Turn on two-step sign-in on an e-mail account")),
    (
        "4.2",
        "advanced",
        _("Check and change an app's privacy settings and permissions"),
    ),
    ("4.3", "foundation", _("Set a screen time limit or a quiet time on a phone")),
    ("4.3", "intermediate", _("Block and report someone who sends unwanted messages")),
    ("4.3", "advanced", _("Set up parental controls on a device")),
    ("4.4", "foundation", _("Turn on the energy saving mode of a phone or computer")),
    ("4.4", "intermediate", _("Delete old e-mails and files to free up space")),
    ("4.4", "advanced", _("Find where to repair, resell or recycle an old device")),
    ("5.1", "foundation", _("Restart a device that no longer responds")),
    ("5.1", "intermediate", _("Connect a device to a Wi-Fi network and to a printer")),
    (
        "5.1",
        "advanced",
        _("Find and fix why a device no longer connects, with help pages"),
    ),
    ("5.2", "foundation", _("Install an app from the official store")),
    ("5.2", "intermediate", _("Compare two apps for the same need and choose one")),
    (
        "5.2",
        "advanced",
        _("Advise someone on the device or service that fits their need"),
    ),
    ("5.3", "foundation", _("Use a phone's camera to scan a document")),
    (
        "5.3",
        "intermediate",
        _("Use an online tool to fill in and send an official form"),
    ),
    ("5.3", "advanced", _("Use digital tools to plan a project from start to finish")),
    ("5.4", "foundation", _("Find a free online course or tutorial on a topic")),
    ("5.4", "intermediate", _("Follow an online tutorial and do what it shows")),
    (
        "5.4",
        "advanced",
        _("Make a learning plan with online resources and follow it for a month"),
    ),
)


def load_observed_tasks(apps: Any = None) -> int:
    """Create the seeded tasks that are missing; returns how many exist."""
    if apps is None:
        from django.apps import apps as current_apps

        apps = current_apps
    skill_model = apps.get_model("mentors", "Skill")
    task_model = apps.get_model("certification", "ObservedTask")
    skills = {s.code: s for s in skill_model.objects.filter(area__framework="digcomp")}
    for position, (code, band, title) in enumerate(TASKS):
        if code in skills:
            task_model.objects.get_or_create(
                skill=skills[code],
                band=band,
                title=title,
                defaults={"position": position},
            )
    return int(task_model.objects.count())
