"""Sign in as people do: through the sign-in page (django-axes counts every attempt, so the test
client's ``login()``, which skips the request, is not how anyone signs in)."""

from django.urls import reverse


def sign_in(client, email, password="demo", **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )
