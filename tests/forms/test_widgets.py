"""Inputs that scripts enhance hold their current values in the HTML: a tag
input's tags are selected options after a presence marker, and what a browser
posts back is read as it was shown."""

import re

from starlette.datastructures import FormData
from wtforms import Form

from admin_app.forms.widgets import MultiplePickerField, TagsField


class _Tagged(Form):
    tags = TagsField("Tags")


def test_a_tag_input_shows_its_tags_as_selected_options_escaped() -> None:
    form = _Tagged(data={"tags": ["alpha", '<b>"&']})
    html = str(form.tags())
    assert html.startswith('<input type="hidden" name="tags" value="">')
    assert re.search(r'<select[^>]*data-role="select2-tags"[^>]*multiple', html)
    assert '<option value="alpha" selected>alpha</option>' in html
    assert (
        '<option value="&lt;b&gt;&#34;&amp;" selected>&lt;b&gt;&#34;&amp;</option>'
        in html
    )
    assert "data-json" not in html


def test_a_tag_input_posted_back_keeps_its_tags_and_reads_the_marker_as_none() -> None:
    posted = FormData([("tags", ""), ("tags", "alpha"), ("tags", "beta")])
    assert _Tagged(posted).tags.data == ["alpha", "beta"]
    cleared = FormData([("tags", "")])
    assert _Tagged(cleared).tags.data == []


def test_a_multiple_picker_reads_each_option_as_one_key() -> None:
    class Picks(Form):
        picks = MultiplePickerField(loader=None)  # type: ignore[arg-type]

    posted = FormData([("picks", ""), ("picks", "a,b"), ("picks", "c"), ("picks", "c")])
    # A string key may hold a comma; repeats are one pick; the marker is none.
    assert Picks(posted).picks.data == ["a,b", "c"]
