"""Mail backends for the outbox tests, plugged in through `settings.EMAIL_BACKEND` like a real one."""

import smtplib
import threading
import time

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """An SMTP server that cannot be reached: opening the connection fails."""

    def open(self):
        raise smtplib.SMTPConnectError(421, "Service not available")

    def send_messages(self, email_messages):
        self.open()


class RefusingBackend(BaseEmailBackend):
    """A server that accepts the connection, then refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(451, "Requested action aborted: local error in processing")


class SlowRecordingBackend(BaseEmailBackend):
    """A slow server shared by several threads: it records each subject it delivers."""

    delivered: list[str] = []
    lock = threading.Lock()

    def send_messages(self, email_messages):
        for message in email_messages:
            time.sleep(0.02)
            with self.lock:
                self.delivered.append(message.subject)
        return len(email_messages)
