"""The programme's admin: campaign settings (campaigns, quotas, units, skill levels, change log) and the rollover."""

from applications.programme.admin import campaigns, rollover


def urls():
    return rollover.rollover_urls()


menu_items = ()
modeladmins = (campaigns.CampaignSettingsGroup,)
viewsets = ()
