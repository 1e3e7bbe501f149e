"""Add a person to an organization with a role (and unit), or update an existing member;
prints one JSON object. Safe to re-run."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cxalign.orgs.management.commands.create_org import validation_text
from cxalign.orgs.models import Organization
from cxalign.orgs.roles import Role
from cxalign.orgs.services import membership_add


class Command(BaseCommand):
    help = "Add USERNAME to an organization with a role and optional unit (updates if present)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="An existing user's username.")
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--role", required=True, help=f"One of {', '.join(Role.values)}.")
        parser.add_argument("--unit", default="", help="The name of one of its org units.")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"There is no organization “{options['org']}”.")
        try:
            membership, created = membership_add(
                organization=organization,
                username=options["username"],
                role=options["role"],
                unit_name=options["unit"].strip(),
            )
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from exc
        self.stdout.write(
            json.dumps(
                {
                    "status": "added" if created else "updated",
                    "organization": organization.slug,
                    "username": membership.user.username,
                    "role": membership.role,
                    "unit": membership.unit.name if membership.unit else None,
                },
                ensure_ascii=False,
            )
        )
