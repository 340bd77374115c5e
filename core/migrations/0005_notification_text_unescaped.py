"""In-app notices were stored HTML-escaped ("N&#x27;Diaye") and escaped again on
display; they are now stored as plain text. Rows written before are unescaped
once (they were escaped exactly once)."""

import html

from django.db import migrations


def unescape_texts(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    rows = Notification.objects.filter(text__contains="&").only("pk", "text")
    for row in rows.iterator(chunk_size=2000):
        plain = html.unescape(row.text)
        if plain != row.text:
            Notification.objects.filter(pk=row.pk).update(text=plain)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_data_export")]

    operations = [
        migrations.RunPython(unescape_texts, migrations.RunPython.noop, elidable=True)
    ]
