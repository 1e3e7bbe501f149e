"""How declarative pages and endpoints call a service: one convention for every app.

Services take keyword arguments only. An edit or delete service names the object it acts on
first (`kpi_update(*, kpi, data, version)`, `goal_delete(*, goal, by=None)`); a create
service takes the fields (`cycle_create(*, organization, **fields)`). `organization=` and
`by=` (the member who writes) are passed when the service declares them, so a service asks
for what its rules need and the base classes need no per-app glue.
"""

import functools
import inspect
from collections.abc import Callable

from cxalign.orgs.models import Membership


@functools.cache
def _keywords(service: Callable) -> tuple[str, ...]:
    parameters = inspect.signature(service).parameters.values()
    return tuple(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


def service_call(service: Callable, *, membership: Membership, instance=None, **kwargs):
    """Call `service` for `membership`: `instance` as its first keyword, plus `organization=`
    and `by=` when it declares them; `kwargs` (fields, or `data=` and `version=`) as given."""
    keywords = _keywords(service)
    if instance is not None:
        kwargs[keywords[0]] = instance
    if "organization" in keywords and "organization" not in kwargs:
        kwargs["organization"] = membership.organization
    if "by" in keywords and "by" not in kwargs:
        kwargs["by"] = membership
    return service(**kwargs)
