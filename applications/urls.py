"""Public URLs of the reward programme (see DOMAIN.md's URL contract)."""

from django.urls import path

from . import api

urlpatterns = [
    path("api/v1/campaigns/<int:year>/eligibility", api.campaign_eligibility, name="eligibility_api"),
]
