from rest_framework import serializers

from accounts.models import User


class MeSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "time_zone", "date_joined"]
        read_only_fields = fields
