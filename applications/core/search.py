"""Admin search that finds people by exact ID number without storing it in clear."""

from wagtail_modeladmin.helpers.search import DjangoORMSearchHandler

from applications.core.crypto import keyed_hash


def looks_like_id_number(term):
    return len(term) == 18 and term[:17].isdigit() and (term[17].isdigit() or term[17] in "xX")


class KeyedIdSearchHandler(DjangoORMSearchHandler):
    """Searches the model's search_fields as usual; an 18-character ID number matches its keyed hash."""

    def search_queryset(self, queryset, search_term, **kwargs):
        term = "".join((search_term or "").split())
        if looks_like_id_number(term):
            return queryset.filter(id_hash=keyed_hash(term))
        return super().search_queryset(queryset, search_term, **kwargs)
