"""Public downloads (filled in by the pdf_views feature)."""

urlpatterns = []
