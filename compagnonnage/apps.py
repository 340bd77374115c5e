from django.contrib.admin.apps import AdminConfig


class CompagnonnageAdminConfig(AdminConfig):
    default_site = "compagnonnage.admin.CompagnonnageAdminSite"
