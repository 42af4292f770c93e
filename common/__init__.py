"""The leaf package every app may use and that uses none of them: upload checks, spreadsheet
cells written as text, streamed responses, paging, form widgets and the row markup with its
template tags (`{% load cx %}`)."""
