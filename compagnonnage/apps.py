from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class CompagnonnageAdminConfig(AdminConfig):
    default_site = "compagnonnage.admin.CompagnonnageAdminSite"


class CompagnonnageConfig(AppConfig):
    """The project package as an app: its management commands (seed_demo,
    run_banner) and the pages that span apps ("My space")."""

    name = "compagnonnage"
    verbose_name = "Compagnonnage"
