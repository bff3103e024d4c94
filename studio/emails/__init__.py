"""The studio's E-mails section: every message the shop sends, designed from e-mail blocks with a live
preview of the exact bytes (docs/mail.md "Designing e-mails")."""

from studio.emails.section import EmailsSection

__all__ = ["EmailsSection"]
