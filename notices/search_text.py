"""Plain text of a page for substring search.

Chinese is written without spaces, so word-based full-text indexes see a whole sentence
as one token, and StreamField JSON may store Chinese as \\uXXXX escapes. Each content page
therefore keeps its readable text in `search_text`, refreshed on every save (publishing
saves the page), and the search backend matches substrings in it.
"""

from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField


class SearchTextMixin(models.Model):
    search_text = models.TextField(_("检索文本"), blank=True, default="", editable=False)

    search_text_sources: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.extract_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def extract_search_text(self):
        parts = []
        for name in self.search_text_sources:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if isinstance(field, StreamField):
                parts.extend(field.stream_block.get_searchable_content(value))
            elif value:
                parts.append(strip_tags(str(value)))
        return "\n".join(part.strip() for part in parts if part and str(part).strip())
