from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Skill attestations")

    def ready(self) -> None:
        from core.errors import constraint_message_register
        from core.notifications import NotificationKind, register_kind
        from core.personal_data import register_provider

        from .groups import reviewers_group_after_migrate
        from .personal_data import (
            erase_endorsements,
            erase_observations,
            erase_requests,
            export_endorsements,
            export_observations,
            export_request_files,
            export_requests,
        )

        register_provider(
            "endorsements", export=export_endorsements, erase=erase_endorsements
        )
        register_provider(
            "task_observations", export=export_observations, erase=erase_observations
        )
        register_provider(
            "attestation_requests",
            export=export_requests,
            erase=erase_requests,
            files=export_request_files,
        )
        # The answer to a request the person sent: always sent.
        register_kind(
            NotificationKind(
                "certification.decision",
                _("The team's answer to my attestation request"),
                essential=True,
            )
        )
        constraint_message_register(
            "certification_request_one_open",
            _("You already have a request open for this skill."),
        )
        constraint_message_register(
            "certification_endorsement_once",
            _("You have already endorsed this person for this skill."),
        )
        constraint_message_register(
            "certification_observation_once",
            _("This task was already observed during this session."),
        )
        # Issue 19: attestations (providers, notification kind).
        from .attestations_app import ready as attestations_ready

        attestations_ready()
        post_migrate.connect(
            reviewers_group_after_migrate,
            sender=self,
            dispatch_uid="certification.reviewers_group",
        )
