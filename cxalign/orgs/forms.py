from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import User

from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgScopedFormMixin


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class InvitationForm(OrgScopedFormMixin, forms.Form):
    email = forms.EmailField(help_text="We mail a link that works once and expires in 7 days.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False)


class MembershipForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Membership
        fields = ["role", "title", "unit", "reports_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].queryset = (
            self.fields["reports_to"].queryset.filter(is_active=True).select_related("user")
        )
        self.fields["reports_to"].label_from_instance = lambda m: m.display_name


class OrgUnitForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "parent", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            self.fields["leader"].queryset.filter(is_active=True).select_related("user")
        )
        self.fields["leader"].label_from_instance = lambda m: m.display_name
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk=self.instance.pk
            )

    def validate_unique(self):
        # The organization is not a form field; the service validates the whole row.
        pass


class AcceptInvitationForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+$",
        max_length=150,
        error_messages={"invalid": "Use letters, digits and @ . + - _ only."},
    )
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Repeat password", widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken; choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(username=cleaned.get("username", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class OrganizationSettingsForm(OrgScopedFormMixin, forms.ModelForm):
    """The settings the engine and the pages read; the slug (the URL) never changes here."""

    class Meta:
        model = Organization
        fields = list(Organization.SETTINGS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(available_timezones() | {self.instance.time_zone})  # the saved one stays
        self.fields["time_zone"].widget = forms.Select(choices=[(z, z) for z in zones])

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone", "")
        if zone != self.instance.time_zone and zone not in available_timezones():
            raise forms.ValidationError(f"“{zone}” is not in the list of time zones.")
        return zone

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()
