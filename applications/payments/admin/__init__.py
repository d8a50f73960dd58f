"""The payments' admin: batches (create, approve, transfer file, results, void) and bank card corrections."""

from applications.payments.admin import batches, corrections


def urls():
    return [*batches.payment_urls(), *corrections.card_correction_urls()]


menu_items = (batches.payment_menu_item, corrections.card_correction_menu_item)
modeladmins = ()
viewsets = ()
