"""Priority audiences, their journeys, stages, touchpoints, pain points and opportunities.

Board items (stages, touchpoints, pain points) are soft-deleted so that a delete can be
undone, and each carries `rev`: the journey's `revision` at its last change, which lets the
editor ask cheaply for "what changed since revision N".
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from cxalign.orgs.models import OrgOwned
from cxalign.orgs.querysets import OrgQuerySet

NAME_MAX = 200
TEXT_MAX = 4000
DATA_FIELDS_MAX = 30
DATA_FIELD_MAX = 60


def long_text(**kwargs) -> models.TextField:
    """A free-text field with a bounded length (a clear 400 instead of a 10 MB note)."""
    return models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)], **kwargs)


def normalize_data_field(value: str) -> str:
    """'  E-mail  Address ' -> 'e-mail address': how two touchpoints asking the same thing match."""
    return " ".join(str(value).split()).lower()


class Audience(OrgOwned):
    """A priority audience: customers or employees, ranked, with why they matter."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        EMPLOYEE = "employee", "Employee"

    name = models.CharField(max_length=NAME_MAX)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOMER)
    rank = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text="1 is the most important audience.",
    )
    segment_key = models.SlugField(
        max_length=80,
        blank=True,
        help_text="The key that ties this audience to customers and feedback, e.g. smb-retail.",
    )
    why_it_matters = long_text(help_text="Why this audience matters to the strategy.")
    value_note = models.CharField(
        max_length=NAME_MAX, blank=True, help_text="Value, e.g. '38% of revenue, CLV €42k'."
    )
    size_note = models.CharField(
        max_length=NAME_MAX, blank=True, help_text="Size, e.g. '1,200 accounts'."
    )

    class Meta:
        ordering = ["kind", "rank", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="audience_unique_name_per_org"
            ),
            models.UniqueConstraint(
                fields=["organization", "segment_key"],
                condition=~models.Q(segment_key=""),
                name="audience_unique_segment_key_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.name is not None and not self.name.strip():
            raise ValidationError({"name": "Give the audience a name."})


class Journey(OrgOwned):
    """An audience's path before, during and after being a customer."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CURRENT = "current", "Current state"
        FUTURE = "future", "Future state"
        ARCHIVED = "archived", "Archived"

    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="journeys")
    name = models.CharField(max_length=NAME_MAX)
    description = long_text()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CURRENT)
    template_key = models.CharField(max_length=40, blank=True, editable=False)
    # Bumped by every change on the board; see JourneyItem.rev.
    revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["audience__kind", "audience__rank", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "audience", "name"],
                name="journey_unique_name_per_audience",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.name is not None and not self.name.strip():
            raise ValidationError({"name": "Give the journey a name."})
        if (
            self.audience_id
            and self.organization_id
            and self.audience.organization_id != self.organization_id
        ):
            raise ValidationError({"audience": "Choose an audience of this organization."})


class AliveQuerySet(OrgQuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):
    """The default manager hides soft-deleted rows; `all_objects` sees them (for undo)."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class JourneyItem(OrgOwned):
    """Something on a journey's board: soft-deletable, stamped with the journey revision."""

    rev = models.PositiveBigIntegerField(default=0, editable=False, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = AliveQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"


class Stage(JourneyItem):
    class Phase(models.TextChoices):
        BEFORE = "before", "Before (becoming a customer)"
        DURING = "during", "During (being a customer)"
        AFTER = "after", "After (leaving or renewing)"

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=NAME_MAX)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DURING)
    position = models.BigIntegerField(default=0)
    customer_goal = long_text(help_text="What the audience wants to achieve in this stage.")
    customer_actions = long_text(help_text="What the audience does in this stage.")
    emotion = models.SmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-2), MaxValueValidator(2)],
        help_text="-2 (very negative) to +2 (very positive).",
    )
    emotion_note = models.CharField(max_length=NAME_MAX, blank=True)

    class Meta:
        ordering = ["journey", "position", "id"]
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["journey", "position"], name="stage_journey_pos")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.name is not None and not self.name.strip():
            raise ValidationError({"name": "Give the stage a name."})


# Words that name a channel, matched as whole words in a touchpoint's name (lower case). Only
# words that say the channel: "text" or "post" alone name other things too often.
CHANNEL_WORDS = {
    "sms": ("sms", "text message", "text messages"),
    "email": ("email", "e-mail", "emails", "newsletter"),
    "phone": ("phone", "telephone", "call", "calls", "hotline", "call centre", "call center"),
    "chat": ("chat", "live chat", "chatbot", "whatsapp"),
    "app": ("app", "mobile app"),
    "web": ("website", "web", "web shop", "webshop", "web form", "portal"),
    "store": ("store", "shop", "branch", "showroom"),
    "mail": ("letter", "parcel"),
    "social": ("social media", "facebook", "instagram", "linkedin"),
    "in_person": ("in person", "in-person", "face to face", "face-to-face", "on site", "on-site"),
}
_CHANNEL_OF = {word: channel for channel, words in CHANNEL_WORDS.items() for word in words}
# Longest words first, so "web shop" is read as one word and not as "web" and "shop".
_CHANNEL_PATTERN = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w) for w in sorted(_CHANNEL_OF, key=len, reverse=True))
    + r")(?![\w-])"
)


def channel_from_name(name: str) -> str:
    """The channel a touchpoint's name names ("SMS reminder" is sms, "Call back" phone), or ""
    when it names none or more than one ("Email or phone support"): no guess is better than a
    wrong one."""
    text = " ".join(str(name or "").lower().split())
    found = {_CHANNEL_OF[m.group(1)] for m in _CHANNEL_PATTERN.finditer(text)}
    return found.pop() if len(found) == 1 else ""


class Touchpoint(JourneyItem):
    class Channel(models.TextChoices):
        WEB = "web", "Website"
        APP = "app", "Mobile app"
        EMAIL = "email", "Email"
        SMS = "sms", "SMS / text message"
        PHONE = "phone", "Phone"
        CHAT = "chat", "Chat"
        STORE = "store", "Store / branch"
        IN_PERSON = "in_person", "In person"
        MAIL = "mail", "Letter / parcel"
        SOCIAL = "social", "Social media"
        PARTNER = "partner", "Partner"
        PRODUCT = "product", "Product"
        OTHER = "other", "Other"

    # The journey is denormalised from the stage: the board loads in one query and a move
    # to a stage of another journey is refused by comparing two integers.
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="touchpoints")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    position = models.BigIntegerField(default=0)
    name = models.CharField(max_length=NAME_MAX)
    # Empty until someone says: a new card's channel is guessed from its name where the name
    # says so (`channel_from_name`), never a default that is wrong for most cards.
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, default="")
    owner = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="touchpoints",
        help_text="The org unit that owns this touchpoint.",
    )
    moment_that_matters = models.BooleanField(default=False)
    customer_action = models.CharField(
        max_length=NAME_MAX, blank=True, help_text="What the customer does here."
    )
    data_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="The data this touchpoint asks the customer for, e.g. ['email', 'vat number'].",
    )
    notes = long_text()
    goals = models.ManyToManyField("strategy.Goal", blank=True, related_name="touchpoints")
    initiatives = models.ManyToManyField(
        "strategy.Initiative", blank=True, related_name="touchpoints"
    )

    class Meta:
        ordering = ["stage", "position", "id"]
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["stage", "position"], name="touchpoint_stage_pos")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.name is not None and not self.name.strip():
            errors["name"] = "Give the touchpoint a name."
        if self.stage_id and self.journey_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "Choose a stage of the same journey."
        if (
            self.owner_id
            and self.organization_id
            and self.owner.organization_id != self.organization_id
        ):
            errors["owner"] = "Choose a unit of this organization."
        fields = self.data_fields
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            errors["data_fields"] = "Send a list of field names, e.g. ['email', 'phone']."
        elif len(fields) > DATA_FIELDS_MAX:
            errors["data_fields"] = f"At most {DATA_FIELDS_MAX} data fields per touchpoint."
        elif any(len(f) > DATA_FIELD_MAX for f in fields):
            errors["data_fields"] = f"Each data field name has at most {DATA_FIELD_MAX} characters."
        else:
            seen = []
            for f in fields:
                key = normalize_data_field(f)
                if key and key not in seen:
                    seen.append(key)
            self.data_fields = seen
        if errors:
            raise ValidationError(errors)


class PainPoint(JourneyItem):
    """A pain point or an opportunity, on a stage or on one of its touchpoints."""

    class Kind(models.TextChoices):
        PAIN = "pain", "Pain point"
        OPPORTUNITY = "opportunity", "Opportunity"

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="pain_points")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="pain_points")
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="pain_points"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PAIN)
    text = models.CharField(max_length=NAME_MAX)
    detail = long_text()
    severity = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="1 low, 2 medium, 3 high.",
    )

    class Meta:
        ordering = ["stage", "-severity", "id"]
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        errors = {}
        if self.text is not None and not self.text.strip():
            errors["text"] = "Describe the pain point or opportunity."
        if self.stage_id and self.journey_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "Choose a stage of the same journey."
        if self.touchpoint_id and self.stage_id and self.touchpoint.stage_id != self.stage_id:
            errors["touchpoint"] = "Choose a touchpoint of the same stage."
        if errors:
            raise ValidationError(errors)
