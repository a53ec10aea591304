"""Cut check: read an editor's timeline, identify each clip's take version, say which are out of date.

`timeline_io` reads and writes the timeline formats through OpenTimelineIO,
`identify` finds the take version behind each clip (metadata, sha256, name,
pictures), `changes` describes what changed between versions and what changed
in the cut since the previous check, `swap` hands back a timeline on the right
versions. None of them knows the catalog: the vault mixin passes plain data.
"""
