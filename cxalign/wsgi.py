import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
application = get_wsgi_application()

# Only a web server loads this module (gunicorn, runserver): there, tasks that the embedded mode
# runs inline run in a thread instead, so a long import does not block the request.
from cxalign.background import resume_interrupted, use_threads  # noqa: E402

use_threads()
resume_interrupted()  # what a stopped server left running (embedded mode only)
