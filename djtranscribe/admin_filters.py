"""Admin list filters that offer a fixed list of values instead of reading them from every row.

Django's AllValuesFieldListFilter (what `list_filter = ("source",)` gets on a field without choices)
lists its options with `SELECT DISTINCT` over the whole table: a scan per changelist, growing with
the rows. The values of a vendor's field are known in advance, so they are named here instead; the
query parameter stays the field's own (`source__exact`), so links and the strict lookups are unchanged.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _


class FixedValuesFilter(admin.ChoicesFieldListFilter):
    """A field's filter over `values` ((value, label) pairs), set on a subclass by fixed_values()."""

    values: tuple[tuple[object, str], ...] = ()

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, value)))
            for i, (value, _label) in enumerate(self.values)
        }

    def choices(self, changelist):
        facet_counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": _("All"),
        }
        for i, (value, label) in enumerate(self.values):
            yield {
                "selected": self.lookup_val is not None and str(value) in self.lookup_val,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: value}, [self.lookup_kwarg_isnull]
                ),
                "display": f"{label} ({facet_counts[f'{i}__c']})" if facet_counts else label,
            }


def fixed_values(*values: tuple[object, str]) -> type[FixedValuesFilter]:
    """A FixedValuesFilter offering `values`: use as `list_filter = (("source", fixed_values(...)),)`."""
    return type("FixedValues", (FixedValuesFilter,), {"values": tuple(values)})
