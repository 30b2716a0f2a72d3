"""Safeguarding: nothing a report publishes should identify a child.

``identifiability`` finds the passages a person should look at before a report is signed off
(names, ages, places, contact details, small groups); ``manage.py check_identifiability`` runs
it over plain text and measures it against the labelled sentences in
``tests/reports/safeguarding/``.
"""

import logging

# Presidio logs at INFO when it is imported ("Using device of type: cpu") and for every text it
# analyses ("Skipping context extraction ..."): noise in our logs. Set before it is imported.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
