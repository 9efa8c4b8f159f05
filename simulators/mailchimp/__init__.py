"""The Mailchimp Marketing API v3 simulator (audience members, campaigns, reports, member
activity, OAuth, the 10-connection limit, form-post webhooks), mounted at `/mailchimp`."""

from __future__ import annotations

from simulators.mailchimp.platform import MailchimpPlatform

__all__ = ["MailchimpPlatform"]
