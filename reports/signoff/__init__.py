"""The report's life after drafting: review, sign-off, countersignature, publication, withdrawal,
re-opening, sign-off links and the e-mails that tell people what to do next."""
