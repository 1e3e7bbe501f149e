"""How the OpenAPI schema describes our authentication (imported once, in AppConfig.ready)
and groups the operations by app (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "cxalign.orgs.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )


# One tag per app, so the API docs group the operations as the product does (the default was
# one "v1" group). Descriptions are listed in SPECTACULAR_SETTINGS["TAGS"], in this order.
TAG_OF_APP = {
    "strategy": "strategy",
    "journeys": "journeys",
    "feedback": "feedback",
    "kpis": "KPIs",
    "alignment": "alignment",
    "cxalign": "people",
}


class TaggedAutoSchema(AutoSchema):
    """Tags each operation with the app whose view answers it; an explicit
    `extend_schema(tags=...)` still wins. Operation ids do not depend on tags."""

    def get_tags(self) -> list[str]:
        app = type(self.view).__module__.split(".", 1)[0]
        return [TAG_OF_APP.get(app, "people")]
