"""The private file storage (``STORAGES["private"]``): files that have no web address of their
own, served only by a view that checks who asks (a draft's PDF)."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside ``MEDIA_ROOT`` (``PRIVATE_ROOT``); asking for a file's URL is an error,
    so no template or admin page can link to one by mistake."""

    def url(self, name):
        raise ValueError(f"{name} is private: serve it through a view that checks access.")
