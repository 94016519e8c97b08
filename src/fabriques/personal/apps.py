from django.apps import AppConfig


class PersonalConfig(AppConfig):
    """The person's space and personal data: the dashboard, the download of one's data, the erasure of one's account,
    the agents' invitations, and the retention of personal data (apply-retention). A top layer: it reads and erases
    the rows of many apps, and no app imports it."""

    name = "fabriques.personal"
    label = "personal"
    verbose_name = "Espace personnel et données personnelles"
