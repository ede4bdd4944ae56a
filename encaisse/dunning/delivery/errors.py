"""Which delivery failures are worth retrying (SPEC §4.3)."""

from __future__ import annotations

import smtplib


class PermanentFailure(Exception):
    """Retrying cannot help (no contact, address refused): a person must act."""


# Refusals of our side (credentials, sender address, greeting) say nothing about the
# customer's contact: fixing it cannot help, an administrator fixing the settings can.
# Failing every message at once with a "fix the contact" task would be wrong twice.
OUR_SIDE = (
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPHeloError,
    smtplib.SMTPConnectError,
)


def is_permanent(error: BaseException) -> bool:
    """SMTP 5xx replies about the recipients or the message are permanent; a
    connection that fails, times out or gets a 4xx reply is transient, and so
    is a refusal of our own credentials or sender (retried with backoff).

    A ValueError is permanent too: Django's mail refuses a header with a line
    break (BadHeaderError, a ValueError) and an address with one (ValueError
    from sanitize_address), e.g. a customer or contact name stored before the
    import refused them. The same message would be refused on every retry; a
    person must fix the name or the address.
    """
    if isinstance(error, PermanentFailure | ValueError):
        return True
    if isinstance(error, OUR_SIDE):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPServerDisconnected
    ):
        return error.smtp_code >= 500
    return False
