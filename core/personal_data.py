"""The personal-data registry: each app says how to export and erase what it
holds about a person, from its ``AppConfig.ready()``.

``export(user)`` returns JSON-serialisable data; ``erase(user)`` removes or
anonymises it (keeping the other people's side readable). Erasure runs every
provider in reverse order of registration (higher apps first), in one
transaction; each provider gets its own copy of the user as it was before the
erasure began, so it can still find what names the person.
"""

from __future__ import annotations

import copy
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Replace
from django.utils import timezone

from .models import DataExport, EmailOptOut, Notification, OutboxMessage
from .outbox import outbox_enqueue

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]
# The person's files a provider adds to the archive: (name, content) pairs,
# written under a folder named for the provider.
FileExporter = Callable[[Any], list[tuple[str, bytes]]]


@dataclass(frozen=True)
class Provider:
    name: str
    export: Exporter
    erase: Eraser
    files: FileExporter | None = None


_providers: dict[str, Provider] = {}


def register_provider(
    name: str,
    *,
    export: Exporter,
    erase: Eraser,
    files: FileExporter | None = None,
) -> None:
    _providers[name] = Provider(name, export, erase, files)


def providers() -> list[Provider]:
    return list(_providers.values())


def private_storage() -> FileSystemStorage:
    """Files never served from a public URL: only through permission-checked views."""
    return FileSystemStorage(location=settings.PRIVATE_ROOT, base_url=None)


EXPORT_TASK = "core.tasks.build_data_export_task"


def data_export_request(*, user: Any) -> DataExport:
    """Start building an archive of the person's data (or return the one being
    built). The build runs in a worker, through the outbox."""
    with transaction.atomic():
        open_export = DataExport.objects.filter(
            user=user, status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING]
        ).first()
        if open_export is not None:
            return open_export
        try:
            with transaction.atomic():
                export = DataExport.objects.create(user=user)
        except IntegrityError:
            return DataExport.objects.get(
                user=user,
                status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING],
            )
        outbox_enqueue(task=EXPORT_TASK, payload={"export_id": export.pk})
        return export


def data_export_build(*, export_id: int) -> str:
    """Build the ZIP (one JSON file per provider), recording progress as it goes.

    Idempotent: an archive already built is left alone.
    """
    claimed = DataExport.objects.filter(
        pk=export_id, status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING]
    ).update(status=DataExport.Status.RUNNING, progress=1)
    if not claimed:
        return "nothing-to-do"
    export = DataExport.objects.select_related("user").get(pk=export_id)
    buffer = io.BytesIO()
    all_providers = providers()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for position, provider in enumerate(all_providers, start=1):
            data = provider.export(export.user)
            archive.writestr(
                f"{provider.name}.json",
                json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            for filename, content in (
                provider.files(export.user) if provider.files else []
            ):
                archive.writestr(f"{provider.name}/{filename}", content)
            progress = max(1, min(99, int(100 * position / len(all_providers))))
            DataExport.objects.filter(pk=export_id).update(progress=progress)
        archive.writestr("README.txt", _readme())
    name = f"exports/{secrets.token_urlsafe(24)}.zip"
    stored = private_storage().save(name, ContentFile(buffer.getvalue()))
    now = timezone.now()
    DataExport.objects.filter(pk=export_id).update(
        status=DataExport.Status.READY,
        progress=100,
        file_name=stored,
        finished_at=now,
        expires_at=now + timedelta(days=settings.DATA_EXPORT_DAYS),
    )
    return "ready"


def _readme() -> str:
    return (
        "Compagnonnage: your personal data / vos données personnelles.\n"
        "One JSON file per part of the platform. / Un fichier JSON par partie.\n"
    )


def data_export_delete_expired() -> int:
    """Remove archives past their expiry date (beat, daily)."""
    count = 0
    for export in DataExport.objects.filter(expires_at__lt=timezone.now()):
        _delete_export(export)
        count += 1
    return count


def _delete_export(export: DataExport) -> None:
    if export.file_name:
        private_storage().delete(export.file_name)
    export.delete()


@transaction.atomic
def personal_data_erase(*, user: Any) -> None:
    """Erase a person through every provider (account last). Irreversible."""
    for provider in reversed(providers()):
        provider.erase(copy.copy(user))


# --- core's own providers -------------------------------------------------


def _export_notifications(user: Any) -> dict[str, Any]:
    return {
        "notifications": list(
            Notification.objects.filter(recipient=user).values(
                "kind", "text", "link", "created_at", "read_at"
            )
        ),
        "email_opt_outs": list(
            EmailOptOut.objects.filter(user=user).values("kind", "created_at")
        ),
    }


def _erase_notifications(user: Any) -> None:
    Notification.objects.filter(recipient=user).delete()
    EmailOptOut.objects.filter(user=user).delete()
    # Other people's notices that name the person ("Ada asks you…") keep their
    # sense without the name.
    for value in _mentions(user):
        Notification.objects.filter(text__contains=value).update(
            text=Replace(F("text"), Value(value), Value("…"))
        )


def _mentions(user: Any) -> list[str]:
    return [value for value in (user.email, getattr(user, "full_name", "")) if value]


def _erase_outbox(user: Any) -> None:
    """Mails to the person (sent or not) and any queued work naming them."""
    rows = OutboxMessage.objects.annotate(text=Cast("payload", TextField()))
    for value in _mentions(user):
        rows.filter(text__icontains=json.dumps(value)[1:-1]).delete()
        rows.filter(text__icontains=value).delete()


def _export_exports(user: Any) -> list[Any]:
    return list(
        DataExport.objects.filter(user=user).values(
            "status", "created_at", "finished_at"
        )
    )


def _erase_exports(user: Any) -> None:
    for export in DataExport.objects.filter(user=user):
        _delete_export(export)


def register_core_providers() -> None:
    register_provider(
        "notifications", export=_export_notifications, erase=_erase_notifications
    )
    register_provider("outbox", export=lambda user: [], erase=_erase_outbox)
    register_provider("exports", export=_export_exports, erase=_erase_exports)
