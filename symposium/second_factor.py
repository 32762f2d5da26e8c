"""A second factor for staff: codes from an authenticator app, and recovery codes.

Ministry staff see delegates' personal data, so with ``STAFF_TWO_FACTOR_REQUIRED``
on (the default in production) a password alone opens nothing in the admin.
django-otp keeps the devices and checks the codes (time-based one-time
passwords, RFC 6238, with throttling after wrong codes and no code accepted
twice); this module is the admin's side of it:

- after the password, a staff member without a device sets one up: a QR code
  for the app, then one code from it to prove it works, then ten recovery
  codes to keep, each good once, for a day without the phone;
- everyone else enters a code from the app, or a recovery code;
- ``reset_second_factor USER`` (a management command) removes a lost device,
  and the next sign-in sets up a new one.

A staff member who has signed in with a password only is signed in but not
verified: the admin site (``symposium.admin``) refuses every page except these.
"""

import functools
from base64 import b32encode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# The recovery codes just made, shown once on the next page and then gone.
NEW_CODES_SESSION_KEY = "second_factor_new_recovery_codes"


def required() -> bool:
    return settings.STAFF_TWO_FACTOR_REQUIRED


def satisfied(request: HttpRequest) -> bool:
    """Return whether the signed-in user has given the second factor, if needed."""
    return not required() or request.user.is_verified()


def enrolled(user: AbstractBaseUser) -> bool:
    """Return whether ``user`` has an authenticator app set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def safe_next(request: HttpRequest) -> str:
    """Return where to go afterwards: the ``next`` asked for if it is ours."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
        REDIRECT_FIELD_NAME, ""
    )
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def with_next(url: str, request: HttpRequest) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: safe_next(request)})}"


def next_step_url(request: HttpRequest) -> str:
    """Return the page that asks a signed-in staff member for the second factor."""
    name = "verify" if enrolled(request.user) else "setup"
    return with_next(reverse(f"admin:second_factor_{name}"), request)


def replace_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Give ``user`` a new set of recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_CODES_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in codes
        )
    return codes


def second_factor_reset(*, user: AbstractBaseUser) -> int:
    """Remove ``user``'s authenticator app and recovery codes; return how many.

    Sessions verified with them stop being verified (django-otp finds the
    device gone), and the next sign-in sets up a new app.
    """
    removed = 0
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
    return removed


def grouped(secret: str) -> str:
    """Return a secret in groups of four, as an app's manual entry shows it."""
    return " ".join(secret[place : place + 4] for place in range(0, len(secret), 4))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 12}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def staff_signed_in(view):
    """Let through a staff member who has given a password, verified or not."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect(with_next(reverse("admin:login"), request))
        if not required():
            return redirect(safe_next(request))
        return view(request, *args, **kwargs)

    return never_cache(guarded)


def _context(request: HttpRequest, title: str, **extra) -> dict:
    from django.contrib import admin

    return {
        **admin.site.each_context(request),
        "title": title,
        "next": safe_next(request),
        **extra,
    }


def _matching_device(devices: list, code: str) -> tuple[object | None, bool]:
    """Return the device that accepts ``code``, and whether all were too busy.

    After a wrong code django-otp makes each device wait before it checks
    another one (a second, then two, four…); that is told apart from a wrong
    code, so that the message says which it was.
    """
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        return None, True
    return next(
        (device for device in devices if device.verify_token(code)), None
    ), False


TOO_MANY = gettext_lazy(
    "Too many wrong codes in a row. Please wait a moment before trying again."
)


@require_http_methods(["GET", "POST"])
@staff_signed_in
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(safe_next(request))
    if not enrolled(user):
        return redirect(with_next(reverse("admin:second_factor_setup"), request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        # The app gives digits; a recovery code has letters too.
        model = TOTPDevice if code.isdigit() else StaticDevice
        devices = list(model.objects.filter(user=user, confirmed=True))
        device, waiting = _matching_device(devices, code)
        if waiting:
            form.add_error("code", TOO_MANY)
        elif device is not None:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(count)d is left. "
                        "Make new ones under “Recovery codes”.",
                        "You signed in with a recovery code; %(count)d are left. "
                        "Make new ones under “Recovery codes”.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(safe_next(request))
        else:
            form.add_error(
                "code",
                _("That code is not right, or it has expired. Please try again."),
            )
    return render(
        request,
        "admin/second_factor/verify.html",
        _context(request, _("Two-step sign-in"), form=form),
    )


@require_http_methods(["GET", "POST"])
@staff_signed_in
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app at the first sign-in, proved by one code."""
    user = request.user
    if enrolled(user):
        return redirect(next_step_url(request))
    # Unconfirmed until a code from it is given; reloading the page keeps the
    # key, so that a QR code already scanned stays good.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, confirmed=False, name=AUTHENTICATOR_NAME
        )
    form = CodeForm(request.POST or None)
    if form.is_valid():
        matched, waiting = _matching_device([device], form.cleaned_data["code"])
        if waiting:
            form.add_error("code", TOO_MANY)
        elif matched:
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session[NEW_CODES_SESSION_KEY] = replace_recovery_codes(user)
            django_otp.login(request, device)
            return redirect(
                with_next(reverse("admin:second_factor_recovery_codes"), request)
            )
        else:
            form.add_error(
                "code",
                _(
                    "That code does not match. Check that the app shows this "
                    "account and that your phone's clock is right, then try the "
                    "newest code."
                ),
            )
    secret = b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "admin/second_factor/setup.html",
        _context(
            request,
            _("Set up two-step sign-in"),
            form=form,
            qr_code=segno.make(device.config_url, error="m").svg_data_uri(
                scale=5, border=2
            ),
            secret=grouped(secret),
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_signed_in
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show recovery codes just made, once, or make a new set."""
    user = request.user
    if not user.is_verified():
        return redirect(next_step_url(request))
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if request.method == "POST":
        codes = replace_recovery_codes(user)
    left = StaticToken.objects.filter(
        device__user=user, device__name=RECOVERY_CODES_NAME
    ).count()
    return render(
        request,
        "admin/second_factor/recovery_codes.html",
        _context(request, _("Recovery codes"), codes=codes, left=left),
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out from the second-factor pages, which the admin's own sign-out
    refuses to a user not yet verified."""
    logout(request)
    return redirect("admin:login")
