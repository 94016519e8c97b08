from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "fabriques.followup"
    verbose_name = "Suivi des lauréats"

    def ready(self) -> None:
        from fabriques.calls.calendar import event_source_register  # the app registry must be ready first
        from fabriques.calls.domain import ON_CALL_LOAD
        from fabriques.followup.domain import call_followup_sync
        from fabriques.followup.queries import report_calendar_events

        event_source_register(report_calendar_events)
        ON_CALL_LOAD.append(call_followup_sync)
