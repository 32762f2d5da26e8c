"""WSGI entry point, e.g. ``gunicorn symposium.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")

application = get_wsgi_application()

# What the process has built by now (Django, the apps, their modules and
# settings) lasts as long as the process: the garbage collector's passes
# leave it out, and walk only what requests make. Each full pass otherwise
# walked some hundred thousand objects, a tenth of a submission's work.
gc.collect()
gc.freeze()
