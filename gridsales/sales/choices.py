from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StageKind(models.TextChoices):
    """Where a stage leaves a deal: still open, won or lost. The labels carry a context
    because "Lost" is also a customer status (流失客户), which a lost deal is not."""

    OPEN = "open", pgettext_lazy("deal state", "Open")
    WON = "won", pgettext_lazy("deal state", "Won")
    LOST = "lost", pgettext_lazy("deal state", "Lost")


class OpportunitySource(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    INBOUND = "inbound", _("Inbound enquiry")
    OUTBOUND = "outbound", _("Cold call / visit")
    EVENT = "event", _("Event or exhibition")
    CAMPAIGN = "campaign", _("Marketing campaign")
    PARTNER = "partner", _("Partner / channel")
    EXISTING = "existing", _("Existing customer")
    OTHER = "other", _("Other")


class OrderLineStatus(models.TextChoices):
    """The contract's `status` column: a line is confirmed, cancelled or (partly) returned."""

    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class OrderSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")
