from __future__ import annotations

from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "jalon.commitments.tests.probe"
    label = "commitments_probe"

    def ready(self) -> None:
        from jalon.commitments.tests.probe import registration

        registration.register()
