from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def pending(self) -> OutboxMessageQuerySet:
        return self.filter(done_at__isnull=True, failed_at__isnull=True)

    def due(self, now: datetime | None = None) -> OutboxMessageQuerySet:
        """Pending rows whose time has come and that no worker holds a lease on."""
        now = now or timezone.now()
        return self.pending().filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            available_at__lte=now,
        )

    def stuck(self, now: datetime | None = None) -> OutboxMessageQuerySet:
        """Rows given up on, or pending well past their time (the admin's view)."""
        late = (now or timezone.now()) - settings.OUTBOX_STUCK_AFTER
        return self.filter(
            Q(failed_at__isnull=False) | Q(done_at__isnull=True, available_at__lt=late)
        )


class OutboxMessage(models.Model):
    """Work to do after a change, written in the same transaction as the change.

    ``task_name`` names a Celery task (so ``core`` imports no higher app), called
    with ``payload`` as keyword arguments. Published after commit and again by the
    relay until done: delivery is at-least-once, tasks must be idempotent.
    """

    task_name = models.CharField(_("task"), max_length=200)
    payload = models.JSONField(_("arguments"), default=dict, blank=True)
    available_at = models.DateTimeField(_("available at"), default=timezone.now)
    dedupe_key = models.CharField(
        _("dedupe key"), max_length=200, null=True, blank=True
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["available_at", "id"]
        constraints = [
            # Repeats of pending work merge into one row (debounce, grouped mails).
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(
                    done_at__isnull=True,
                    failed_at__isnull=True,
                    dedupe_key__isnull=False,
                ),
                name="core_outbox_pending_dedupe_key_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=Q(done_at__isnull=True, failed_at__isnull=True),
                name="core_outbox_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"

    @property
    def state(self) -> str:
        if self.done_at:
            return "done"
        if self.failed_at:
            return "failed"
        return "pending"


class Notification(models.Model):
    """An in-app notice for one person, written in their language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=80)
    text = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="core_notification_unread_idx",
            ),
            models.Index(
                fields=["recipient", "-created_at"], name="core_notif_recent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class EmailOptOut(models.Model):
    """A person does not want e-mails of one (non-essential) kind."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_opt_outs",
    )
    kind = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="core_optout_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ✕ {self.kind}"


class DataExport(models.Model):
    """A person's "download my data" archive, built by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("in progress")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="core_dataexport_progress_max_100"
            ),
            # One archive in the making per person at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "running"]),
                name="core_dataexport_one_open_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"export #{self.pk} ({self.status})"
