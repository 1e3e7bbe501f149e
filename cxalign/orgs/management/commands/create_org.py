"""Create an organization with its built-in KPIs and its first admin; prints one JSON object."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cxalign.orgs.services import organization_create


def validation_text(exc: ValidationError) -> str:
    """One line a person can read, naming the field where there is one."""
    if hasattr(exc, "error_dict"):
        return " ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create an organization (with the built-in KPIs) and make USERNAME its admin."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organization's slug, used in every URL.")
        parser.add_argument("--name", required=True, help="The organization's display name.")
        parser.add_argument("--admin", required=True, help="Username of its first admin.")

    def handle(self, *args, **options):
        try:
            admin = organization_create(
                slug=options["slug"], name=options["name"], admin_username=options["admin"]
            )
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from exc
        organization = admin.organization
        self.stdout.write(
            json.dumps(
                {
                    "status": "created",
                    "organization": organization.slug,
                    "name": organization.name,
                    "admin": admin.user.username,
                },
                ensure_ascii=False,
            )
        )
