"""The leaf package every app may use and that uses none of them: upload checks, spreadsheet
cells written as text, streamed responses, paging, per cents and progress bars (`figures`), the
Jinja2 environment for the rows pages repeat (`jinja2`), the filter forms' widgets and the
template tags of `{% load cx %}`."""
