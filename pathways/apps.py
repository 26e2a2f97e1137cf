from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways, clocks and deadlines"

    def ready(self):
        from . import checks  # noqa: F401 - registers the contact numbers check
