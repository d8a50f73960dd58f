"""Step 4 of the application: the four copies, each cleaned as it arrives."""

from django import forms

from applications.apply.copies import clean_upload
from applications.core.constants import AttachmentKind

ACCEPT = "image/jpeg,image/png,application/pdf"


class AttachmentsForm(forms.Form):
    """One file field per kind; a kind already uploaded in an earlier try may be left empty."""

    def __init__(self, *args, already=(), optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in AttachmentKind.choices:
            self.fields[kind] = forms.FileField(
                label=label,
                required=not optional and kind not in already,
                help_text="已上传，可重新选择文件替换。" if kind in already else "JPG、PNG或PDF，不超过10MB。",
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def clean(self):
        data = super().clean()
        for kind in AttachmentKind.values:
            upload = data.get(kind)
            if upload:
                try:
                    data[kind] = clean_upload(upload)
                except forms.ValidationError as error:
                    self.add_error(kind, error)
        return data
