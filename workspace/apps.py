"""The planner workspace: clusters, hotspots, duplicates and exports of an authority's spatial feedback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = _("Arbeitsbereich")
