"""The unit channel's admin: paper entry and replacement, the Annex 4 import, scans, grassroots unions."""

from applications.unit_channel.admin import annex4, grassroots, paper_entry


def urls():
    return [*paper_entry.paper_entry_urls(), *annex4.annex4_urls(), *grassroots.grassroots_urls()]


menu_items = (
    paper_entry.paper_entry_menu_item,
    paper_entry.replace_menu_item,
    annex4.annex4_menu_item,
    annex4.scans_menu_item,
    grassroots.accounts_menu_item,
)
modeladmins = ()
viewsets = ()
