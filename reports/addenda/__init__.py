"""Addenda: dated notes added to a published report ("Six months on"), signed by the local area
and the TCE project lead, without changing the published edition."""
