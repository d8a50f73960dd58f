"""The documents' admin: filled Annex 3 forms one by one and in bundles, the reviewers' Annex 4 export."""

from applications.documents.admin import bundles, exports, filled_forms


def urls():
    return [*filled_forms.form_pdf_url(), *bundles.bundle_urls(), *exports.export_urls()]


menu_items = (bundles.bundle_menu_item, exports.export_menu_item)
modeladmins = ()
viewsets = ()
