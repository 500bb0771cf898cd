"""Pluggable mail: the log in demo mode, SMTP in production."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from settings import Settings

log = logging.getLogger("beacon.mail")


class MailSender(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None: ...


class LogMailSender:
    """Writes the message to the log: demo mode has no mail server; the link shows there."""

    def send(self, *, to: str, subject: str, body: str) -> None:
        log.warning("Mail to %s: %s\n%s", to, subject, body)


class SmtpMailSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, *, to: str, subject: str, body: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.mail_from, to, subject
        message.set_content(body)
        with smtplib.SMTP(s.smtp_host or "localhost", s.smtp_port, timeout=10) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user and s.smtp_password:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
            smtp.send_message(message)


def mail_sender(settings: Settings) -> MailSender:
    return SmtpMailSender(settings) if settings.mail_backend == "smtp" else LogMailSender()
