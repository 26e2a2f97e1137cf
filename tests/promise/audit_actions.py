"""The audit actions the promise machine expects: members of core.vocabulary.AuditAction only
(one enumerated list; a free-text action fails the machine)."""

from core.vocabulary import AuditAction

ENUMERATED = frozenset(AuditAction.values)
