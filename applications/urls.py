"""Public URLs of the reward programme (see DOMAIN.md's URL contract)."""

from django.urls import path

from applications.apply import api
from applications.apply import views as attachment_views

urlpatterns = [
    path("api/v1/campaigns/<int:year>/eligibility", api.campaign_eligibility, name="eligibility_api"),
    path("attachments/<int:pk>/", attachment_views.attachment, name="attachment"),
]
