"""The programme's admin: campaign settings (campaigns, quotas, units, skill levels, change log) and the rollover."""

from applications.programme.admin import campaigns, history, rollover


def urls():
    return rollover.rollover_urls() + history.history_urls()


menu_items = ()
modeladmins = (campaigns.CampaignSettingsGroup, history.HistoryGroup)
viewsets = ()
