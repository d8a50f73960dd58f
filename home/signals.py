"""Clear the public page cache (and with it each process's remembered routes, home/routes.py) whenever
something a public page shows, or who may see it, changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from applications.models import Campaign, Quota, ReviewUnit, RewardLevel, SkillLevel
from home import page_cache


@receiver(page_published)
@receiver(page_unpublished)
@receiver(page_slug_changed)
@receiver(post_page_move)
def purge_on_page_change(sender, **kwargs):
    page_cache.purge()


def purge_on_data_change(sender, **kwargs):
    page_cache.purge()


# A view restriction is set in the admin's privacy dialog without publishing; a Site decides which
# pages a host serves.
for model in (Campaign, Quota, ReviewUnit, RewardLevel, SkillLevel, PageViewRestriction, Site):
    post_save.connect(purge_on_data_change, sender=model, dispatch_uid=f"purge-pages-save-{model.__name__}")
    post_delete.connect(purge_on_data_change, sender=model, dispatch_uid=f"purge-pages-delete-{model.__name__}")


@receiver(post_delete)
def purge_on_page_delete(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        page_cache.purge()


m2m_changed.connect(
    purge_on_data_change, sender=PageViewRestriction.groups.through, dispatch_uid="purge-pages-restriction-groups"
)
