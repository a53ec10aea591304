"""SQL of the listings' fast path, compiled from the catalog's statements: do not edit.

Regenerate with `python -m takevault.catalog.compile_listings` (see there); a test fails when
this file and the catalog's statements differ. By dialect, then name, each entry: the SQL
(named parameters, `:x` or `%(x)s`; a list parameter `x` appears as `__[POSTCOMPILE_x]`), the
result columns with how SQLAlchemy would read each from that driver ("datetime", "json", "bool"
or "" for as handed over), the values of the parameters the statement binds itself, and how each
list parameter is written once per value (`{}` for the value's name).
"""

from __future__ import annotations

from typing import Any

Statement = tuple[str, tuple[tuple[str, str], ...], dict[str, Any], dict[str, str]]

STATEMENTS: dict[str, dict[str, Statement]] = {
    'sqlite': {
        'schema_revision': (
            'SELECT version_num FROM alembic_version',
            (
            ),
            {},
            {},
        ),
        'project_by_name': (
            'SELECT projects.id, projects.name, projects.created_at \n'
            'FROM projects \n'
            'WHERE projects.name = :name',
            (
                ('id', ''),
                ('name', ''),
                ('created_at', 'datetime'),
            ),
            {},
            {},
        ),
        'shots_by_code': (
            'SELECT shots.id, shots.project_id, shots.section_id, shots.code, shots.name, shots.description, '
            'shots.sort_order, shots.next_take_number, shots.starred_take_id, shots.created_at, sections.code'
            ' AS section_code, (SELECT count(*) AS count_1 \n'
            'FROM takes \n'
            'WHERE takes.shot_id = shots.id AND takes.deleted = 0) AS takes_count \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = :project_id AND shots.code = :code ORDER BY '
            'coalesce(sections.sort_order, :coalesce_1), sections.code, shots.sort_order, shots.code',
            (
                ('id', ''),
                ('project_id', ''),
                ('section_id', ''),
                ('code', ''),
                ('name', ''),
                ('description', ''),
                ('sort_order', ''),
                ('next_take_number', ''),
                ('starred_take_id', ''),
                ('created_at', 'datetime'),
                ('section_code', ''),
                ('takes_count', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'shots_by_section_code': (
            'SELECT shots.id, shots.project_id, shots.section_id, shots.code, shots.name, shots.description, '
            'shots.sort_order, shots.next_take_number, shots.starred_take_id, shots.created_at, sections.code'
            ' AS section_code, (SELECT count(*) AS count_1 \n'
            'FROM takes \n'
            'WHERE takes.shot_id = shots.id AND takes.deleted = 0) AS takes_count \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = :project_id AND shots.code = :code AND sections.code = :section ORDER '
            'BY coalesce(sections.sort_order, :coalesce_1), sections.code, shots.sort_order, shots.code',
            (
                ('id', ''),
                ('project_id', ''),
                ('section_id', ''),
                ('code', ''),
                ('name', ''),
                ('description', ''),
                ('sort_order', ''),
                ('next_take_number', ''),
                ('starred_take_id', ''),
                ('created_at', 'datetime'),
                ('section_code', ''),
                ('takes_count', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'takes_by_id': (
            'SELECT takes.id, takes.shot_id, takes.number, takes.name, takes."key", takes.kind, takes.note, '
            'takes.rating, takes.status, takes.tags AS tags, takes.created_at AS created_at, '
            'takes.created_by, takes.deleted, takes.deleted_at AS deleted_at, shots.code AS shot_code, '
            'shots.sort_order AS shot_order, shots.starred_take_id, sections.code AS section_code, (SELECT '
            'count(*) AS count_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) AS versions_count, current.id AS v_id, current.take_id '
            'AS v_take_id, current.number AS v_number, current."key" AS v_key, current.version_id AS '
            'v_version_id, current.sha256 AS v_sha256, current.size AS v_size, current.original_name AS '
            'v_original_name, current.source AS v_source, current.source_version AS v_source_version, '
            'current.created_at AS v_created_at, current.created_by AS v_created_by, current.container AS '
            'v_container, current.codec AS v_codec, current.width AS v_width, current.height AS v_height, '
            'current.fps_num AS v_fps_num, current.fps_den AS v_fps_den, current.frames AS v_frames, '
            'current.duration AS v_duration, current.bit_rate AS v_bit_rate, current.pix_fmt AS v_pix_fmt, '
            'current.audio AS v_audio, current.media AS v_media, current.png_key AS v_png_key, '
            'current.png_version_id AS v_png_version_id, current.png_sha256 AS v_png_sha256, current.png_size'
            ' AS v_png_size, current.png_status AS v_png_status, current.png_reason AS v_png_reason, '
            'current.params AS v_params, (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.take_id = takes.id)) OR (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.other_id = takes.id)) AS has_links \n'
            'FROM takes JOIN shots ON takes.shot_id = shots.id LEFT OUTER JOIN sections ON shots.section_id ='
            ' sections.id JOIN take_versions AS current ON current.take_id = takes.id AND current.number = '
            '(SELECT max(take_versions.number) AS max_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) \n'
            'WHERE shots.project_id + :project_id_1 = :project_id AND takes.id IN (__[POSTCOMPILE_ids]) ORDER'
            ' BY coalesce(sections.sort_order, :coalesce_1), sections.code, shots.sort_order, shots.code, '
            'takes.number',
            (
                ('id', ''),
                ('shot_id', ''),
                ('number', ''),
                ('name', ''),
                ('key', ''),
                ('kind', ''),
                ('note', ''),
                ('rating', ''),
                ('status', ''),
                ('tags', 'json'),
                ('created_at', 'datetime'),
                ('created_by', ''),
                ('deleted', 'bool'),
                ('deleted_at', 'datetime'),
                ('shot_code', ''),
                ('shot_order', ''),
                ('starred_take_id', ''),
                ('section_code', ''),
                ('versions_count', ''),
                ('v_id', ''),
                ('v_take_id', ''),
                ('v_number', ''),
                ('v_key', ''),
                ('v_version_id', ''),
                ('v_sha256', ''),
                ('v_size', ''),
                ('v_original_name', ''),
                ('v_source', ''),
                ('v_source_version', ''),
                ('v_created_at', 'datetime'),
                ('v_created_by', ''),
                ('v_container', ''),
                ('v_codec', ''),
                ('v_width', ''),
                ('v_height', ''),
                ('v_fps_num', ''),
                ('v_fps_den', ''),
                ('v_frames', ''),
                ('v_duration', ''),
                ('v_bit_rate', ''),
                ('v_pix_fmt', ''),
                ('v_audio', 'json'),
                ('v_media', 'json'),
                ('v_png_key', ''),
                ('v_png_version_id', ''),
                ('v_png_sha256', ''),
                ('v_png_size', ''),
                ('v_png_status', ''),
                ('v_png_reason', ''),
                ('v_params', 'json'),
                ('has_links', 'bool'),
            ),
            {'project_id_1': 0, 'coalesce_1': -1},
            {'ids': ':{}'},
        ),
        'takes_by_shot_number': (
            'SELECT takes.id, takes.shot_id, takes.number, takes.name, takes."key", takes.kind, takes.note, '
            'takes.rating, takes.status, takes.tags AS tags, takes.created_at AS created_at, '
            'takes.created_by, takes.deleted, takes.deleted_at AS deleted_at, shots.code AS shot_code, '
            'shots.sort_order AS shot_order, shots.starred_take_id, sections.code AS section_code, (SELECT '
            'count(*) AS count_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) AS versions_count, current.id AS v_id, current.take_id '
            'AS v_take_id, current.number AS v_number, current."key" AS v_key, current.version_id AS '
            'v_version_id, current.sha256 AS v_sha256, current.size AS v_size, current.original_name AS '
            'v_original_name, current.source AS v_source, current.source_version AS v_source_version, '
            'current.created_at AS v_created_at, current.created_by AS v_created_by, current.container AS '
            'v_container, current.codec AS v_codec, current.width AS v_width, current.height AS v_height, '
            'current.fps_num AS v_fps_num, current.fps_den AS v_fps_den, current.frames AS v_frames, '
            'current.duration AS v_duration, current.bit_rate AS v_bit_rate, current.pix_fmt AS v_pix_fmt, '
            'current.audio AS v_audio, current.media AS v_media, current.png_key AS v_png_key, '
            'current.png_version_id AS v_png_version_id, current.png_sha256 AS v_png_sha256, current.png_size'
            ' AS v_png_size, current.png_status AS v_png_status, current.png_reason AS v_png_reason, '
            'current.params AS v_params, (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.take_id = takes.id)) OR (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.other_id = takes.id)) AS has_links \n'
            'FROM takes JOIN shots ON takes.shot_id = shots.id LEFT OUTER JOIN sections ON shots.section_id ='
            ' sections.id JOIN take_versions AS current ON current.take_id = takes.id AND current.number = '
            '(SELECT max(take_versions.number) AS max_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) \n'
            'WHERE shots.project_id = :project_id AND takes.shot_id IN (__[POSTCOMPILE_shot_ids]) AND '
            'takes.number = :number ORDER BY coalesce(sections.sort_order, :coalesce_1), sections.code, '
            'shots.sort_order, shots.code, takes.number',
            (
                ('id', ''),
                ('shot_id', ''),
                ('number', ''),
                ('name', ''),
                ('key', ''),
                ('kind', ''),
                ('note', ''),
                ('rating', ''),
                ('status', ''),
                ('tags', 'json'),
                ('created_at', 'datetime'),
                ('created_by', ''),
                ('deleted', 'bool'),
                ('deleted_at', 'datetime'),
                ('shot_code', ''),
                ('shot_order', ''),
                ('starred_take_id', ''),
                ('section_code', ''),
                ('versions_count', ''),
                ('v_id', ''),
                ('v_take_id', ''),
                ('v_number', ''),
                ('v_key', ''),
                ('v_version_id', ''),
                ('v_sha256', ''),
                ('v_size', ''),
                ('v_original_name', ''),
                ('v_source', ''),
                ('v_source_version', ''),
                ('v_created_at', 'datetime'),
                ('v_created_by', ''),
                ('v_container', ''),
                ('v_codec', ''),
                ('v_width', ''),
                ('v_height', ''),
                ('v_fps_num', ''),
                ('v_fps_den', ''),
                ('v_frames', ''),
                ('v_duration', ''),
                ('v_bit_rate', ''),
                ('v_pix_fmt', ''),
                ('v_audio', 'json'),
                ('v_media', 'json'),
                ('v_png_key', ''),
                ('v_png_version_id', ''),
                ('v_png_sha256', ''),
                ('v_png_size', ''),
                ('v_png_status', ''),
                ('v_png_reason', ''),
                ('v_params', 'json'),
                ('has_links', 'bool'),
            ),
            {'coalesce_1': -1},
            {'shot_ids': ':{}'},
        ),
        'listing_shots': (
            'SELECT shots.id, shots.next_take_number \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = :project_id ORDER BY coalesce(sections.sort_order, :coalesce_1), '
            'sections.code, shots.sort_order, shots.code',
            (
                ('id', ''),
                ('next_take_number', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'listing_shots_of_shot': (
            'SELECT shots.id, shots.next_take_number \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = :project_id AND shots.id IN (:shot_id) ORDER BY '
            'coalesce(sections.sort_order, :coalesce_1), sections.code, shots.sort_order, shots.code',
            (
                ('id', ''),
                ('next_take_number', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'listing_group': (
            'SELECT takes.id, takes.shot_id, takes.number, takes.name, takes."key", takes.kind, takes.note, '
            'takes.rating, takes.status, takes.tags AS tags, takes.created_at AS created_at, '
            'takes.created_by, takes.deleted AS deleted, shots.code AS shot_code, shots.starred_take_id, '
            'sections.code AS section_code, (SELECT count(*) AS count_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) AS versions_count, current.number AS v_number, '
            'current.sha256 AS v_sha256, current.size AS v_size, current.width AS v_width, current.height AS '
            'v_height, current.fps_num AS v_fps_num, current.fps_den AS v_fps_den, current.duration AS '
            'v_duration, current.frames AS v_frames, current.codec AS v_codec, current.container AS '
            'v_container, current.png_status AS v_png_status \n'
            'FROM takes JOIN shots ON takes.shot_id = shots.id LEFT OUTER JOIN sections ON shots.section_id ='
            ' sections.id JOIN take_versions AS current ON current.id = (SELECT take_versions.id \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id ORDER BY take_versions.number DESC\n'
            ' LIMIT :param_1 OFFSET :param_2) \n'
            'WHERE shots.project_id = :project_id AND takes.deleted = 0 AND takes.shot_id IN '
            '(__[POSTCOMPILE_listing_shot_ids]) ORDER BY takes.number',
            (
                ('id', ''),
                ('shot_id', ''),
                ('number', ''),
                ('name', ''),
                ('key', ''),
                ('kind', ''),
                ('note', ''),
                ('rating', ''),
                ('status', ''),
                ('tags', ''),
                ('created_at', ''),
                ('created_by', ''),
                ('deleted', ''),
                ('shot_code', ''),
                ('starred_take_id', ''),
                ('section_code', ''),
                ('versions_count', ''),
                ('v_number', ''),
                ('v_sha256', ''),
                ('v_size', ''),
                ('v_width', ''),
                ('v_height', ''),
                ('v_fps_num', ''),
                ('v_fps_den', ''),
                ('v_duration', ''),
                ('v_frames', ''),
                ('v_codec', ''),
                ('v_container', ''),
                ('v_png_status', ''),
            ),
            {'param_1': 1, 'param_2': 0},
            {'listing_shot_ids': ':{}'},
        ),
        'any_link': (
            'SELECT take_links.id \n'
            'FROM take_links\n'
            ' LIMIT :param_1 OFFSET :param_2',
            (
                ('id', ''),
            ),
            {'param_1': 1, 'param_2': 0},
            {},
        ),
        'links_from_take': (
            'SELECT take_links.id, take_links.take_id, take_links.other_id, take_links.kind, other.name, '
            'other_shot.code AS shot_code, other_section.code AS section_code \n'
            'FROM take_links JOIN takes AS other ON other.id = take_links.other_id JOIN shots AS other_shot '
            'ON other_shot.id = other.shot_id LEFT OUTER JOIN sections AS other_section ON other_section.id ='
            ' other_shot.section_id \n'
            'WHERE take_links.take_id IN (__[POSTCOMPILE_ids]) ORDER BY take_links.id',
            (
                ('id', ''),
                ('take_id', ''),
                ('other_id', ''),
                ('kind', ''),
                ('name', ''),
                ('shot_code', ''),
                ('section_code', ''),
            ),
            {},
            {'ids': ':{}'},
        ),
        'links_to_take': (
            'SELECT take_links.id, take_links.take_id, take_links.other_id, take_links.kind, other.name, '
            'other_shot.code AS shot_code, other_section.code AS section_code \n'
            'FROM take_links JOIN takes AS other ON other.id = take_links.take_id JOIN shots AS other_shot ON'
            ' other_shot.id = other.shot_id LEFT OUTER JOIN sections AS other_section ON other_section.id = '
            'other_shot.section_id \n'
            'WHERE take_links.other_id IN (__[POSTCOMPILE_ids]) ORDER BY take_links.id',
            (
                ('id', ''),
                ('take_id', ''),
                ('other_id', ''),
                ('kind', ''),
                ('name', ''),
                ('shot_code', ''),
                ('section_code', ''),
            ),
            {},
            {'ids': ':{}'},
        ),
        'versions_of_take': (
            'SELECT take_versions.id, take_versions.take_id, take_versions.number, take_versions."key", '
            'take_versions.version_id, take_versions.sha256, take_versions.size, take_versions.original_name,'
            ' take_versions.source, take_versions.source_version, take_versions.created_at, '
            'take_versions.created_by, take_versions.container, take_versions.codec, take_versions.width, '
            'take_versions.height, take_versions.fps_num, take_versions.fps_den, take_versions.frames, '
            'take_versions.duration, take_versions.bit_rate, take_versions.pix_fmt, take_versions.audio, '
            'take_versions.media, take_versions.png_key, take_versions.png_version_id, '
            'take_versions.png_sha256, take_versions.png_size, take_versions.png_status, '
            'take_versions.png_reason, take_versions.params \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = :take_id ORDER BY take_versions.number DESC',
            (
                ('id', ''),
                ('take_id', ''),
                ('number', ''),
                ('key', ''),
                ('version_id', ''),
                ('sha256', ''),
                ('size', ''),
                ('original_name', ''),
                ('source', ''),
                ('source_version', ''),
                ('created_at', 'datetime'),
                ('created_by', ''),
                ('container', ''),
                ('codec', ''),
                ('width', ''),
                ('height', ''),
                ('fps_num', ''),
                ('fps_den', ''),
                ('frames', ''),
                ('duration', ''),
                ('bit_rate', ''),
                ('pix_fmt', ''),
                ('audio', 'json'),
                ('media', 'json'),
                ('png_key', ''),
                ('png_version_id', ''),
                ('png_sha256', ''),
                ('png_size', ''),
                ('png_status', ''),
                ('png_reason', ''),
                ('params', 'json'),
            ),
            {},
            {},
        ),
        'events': (
            'SELECT events.id, events.project_id, events.at AS at, events.user, events.action, '
            'events.take_id, events.shot, events.details AS details \n'
            'FROM events \n'
            'WHERE events.project_id = :project_id ORDER BY events.at, events.id',
            (
                ('id', ''),
                ('project_id', ''),
                ('at', 'datetime'),
                ('user', ''),
                ('action', ''),
                ('take_id', ''),
                ('shot', ''),
                ('details', 'json'),
            ),
            {},
            {},
        ),
        'events_of_take': (
            'SELECT events.id, events.project_id, events.at AS at, events.user, events.action, '
            'events.take_id, events.shot, events.details AS details \n'
            'FROM events \n'
            'WHERE events.project_id = :project_id AND events.take_id = :take_id ORDER BY events.at, '
            'events.id',
            (
                ('id', ''),
                ('project_id', ''),
                ('at', 'datetime'),
                ('user', ''),
                ('action', ''),
                ('take_id', ''),
                ('shot', ''),
                ('details', 'json'),
            ),
            {},
            {},
        ),
    },
    'postgresql': {
        'schema_revision': (
            'SELECT version_num FROM alembic_version',
            (
            ),
            {},
            {},
        ),
        'project_by_name': (
            'SELECT projects.id, projects.name, projects.created_at \n'
            'FROM projects \n'
            'WHERE projects.name = %(name)s::VARCHAR',
            (
                ('id', ''),
                ('name', ''),
                ('created_at', ''),
            ),
            {},
            {},
        ),
        'shots_by_code': (
            'SELECT shots.id, shots.project_id, shots.section_id, shots.code, shots.name, shots.description, '
            'shots.sort_order, shots.next_take_number, shots.starred_take_id, shots.created_at, sections.code'
            ' AS section_code, (SELECT count(*) AS count_1 \n'
            'FROM takes \n'
            'WHERE takes.shot_id = shots.id AND takes.deleted = false) AS takes_count \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = %(project_id)s::INTEGER AND shots.code = %(code)s::VARCHAR ORDER BY '
            'coalesce(sections.sort_order, %(coalesce_1)s::INTEGER), sections.code, shots.sort_order, '
            'shots.code',
            (
                ('id', ''),
                ('project_id', ''),
                ('section_id', ''),
                ('code', ''),
                ('name', ''),
                ('description', ''),
                ('sort_order', ''),
                ('next_take_number', ''),
                ('starred_take_id', ''),
                ('created_at', ''),
                ('section_code', ''),
                ('takes_count', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'shots_by_section_code': (
            'SELECT shots.id, shots.project_id, shots.section_id, shots.code, shots.name, shots.description, '
            'shots.sort_order, shots.next_take_number, shots.starred_take_id, shots.created_at, sections.code'
            ' AS section_code, (SELECT count(*) AS count_1 \n'
            'FROM takes \n'
            'WHERE takes.shot_id = shots.id AND takes.deleted = false) AS takes_count \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = %(project_id)s::INTEGER AND shots.code = %(code)s::VARCHAR AND '
            'sections.code = %(section)s::VARCHAR ORDER BY coalesce(sections.sort_order, '
            '%(coalesce_1)s::INTEGER), sections.code, shots.sort_order, shots.code',
            (
                ('id', ''),
                ('project_id', ''),
                ('section_id', ''),
                ('code', ''),
                ('name', ''),
                ('description', ''),
                ('sort_order', ''),
                ('next_take_number', ''),
                ('starred_take_id', ''),
                ('created_at', ''),
                ('section_code', ''),
                ('takes_count', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'takes_by_id': (
            'SELECT takes.id, takes.shot_id, takes.number, takes.name, takes.key, takes.kind, takes.note, '
            'takes.rating, takes.status, takes.tags AS tags, takes.created_at AS created_at, '
            'takes.created_by, takes.deleted, takes.deleted_at AS deleted_at, shots.code AS shot_code, '
            'shots.sort_order AS shot_order, shots.starred_take_id, sections.code AS section_code, (SELECT '
            'count(*) AS count_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) AS versions_count, current.id AS v_id, current.take_id '
            'AS v_take_id, current.number AS v_number, current.key AS v_key, current.version_id AS '
            'v_version_id, current.sha256 AS v_sha256, current.size AS v_size, current.original_name AS '
            'v_original_name, current.source AS v_source, current.source_version AS v_source_version, '
            'current.created_at AS v_created_at, current.created_by AS v_created_by, current.container AS '
            'v_container, current.codec AS v_codec, current.width AS v_width, current.height AS v_height, '
            'current.fps_num AS v_fps_num, current.fps_den AS v_fps_den, current.frames AS v_frames, '
            'current.duration AS v_duration, current.bit_rate AS v_bit_rate, current.pix_fmt AS v_pix_fmt, '
            'current.audio AS v_audio, current.media AS v_media, current.png_key AS v_png_key, '
            'current.png_version_id AS v_png_version_id, current.png_sha256 AS v_png_sha256, current.png_size'
            ' AS v_png_size, current.png_status AS v_png_status, current.png_reason AS v_png_reason, '
            'current.params AS v_params, (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.take_id = takes.id)) OR (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.other_id = takes.id)) AS has_links \n'
            'FROM takes JOIN shots ON takes.shot_id = shots.id LEFT OUTER JOIN sections ON shots.section_id ='
            ' sections.id JOIN take_versions AS current ON current.take_id = takes.id AND current.number = '
            '(SELECT max(take_versions.number) AS max_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) \n'
            'WHERE shots.project_id + %(project_id_1)s::INTEGER = %(project_id)s::INTEGER AND takes.id IN '
            '(__[POSTCOMPILE_ids]) ORDER BY coalesce(sections.sort_order, %(coalesce_1)s::INTEGER), '
            'sections.code, shots.sort_order, shots.code, takes.number',
            (
                ('id', ''),
                ('shot_id', ''),
                ('number', ''),
                ('name', ''),
                ('key', ''),
                ('kind', ''),
                ('note', ''),
                ('rating', ''),
                ('status', ''),
                ('tags', 'json'),
                ('created_at', 'datetime'),
                ('created_by', ''),
                ('deleted', ''),
                ('deleted_at', 'datetime'),
                ('shot_code', ''),
                ('shot_order', ''),
                ('starred_take_id', ''),
                ('section_code', ''),
                ('versions_count', ''),
                ('v_id', ''),
                ('v_take_id', ''),
                ('v_number', ''),
                ('v_key', ''),
                ('v_version_id', ''),
                ('v_sha256', ''),
                ('v_size', ''),
                ('v_original_name', ''),
                ('v_source', ''),
                ('v_source_version', ''),
                ('v_created_at', 'datetime'),
                ('v_created_by', ''),
                ('v_container', ''),
                ('v_codec', ''),
                ('v_width', ''),
                ('v_height', ''),
                ('v_fps_num', ''),
                ('v_fps_den', ''),
                ('v_frames', ''),
                ('v_duration', ''),
                ('v_bit_rate', ''),
                ('v_pix_fmt', ''),
                ('v_audio', 'json'),
                ('v_media', 'json'),
                ('v_png_key', ''),
                ('v_png_version_id', ''),
                ('v_png_sha256', ''),
                ('v_png_size', ''),
                ('v_png_status', ''),
                ('v_png_reason', ''),
                ('v_params', 'json'),
                ('has_links', ''),
            ),
            {'project_id_1': 0, 'coalesce_1': -1},
            {'ids': '%({})s::VARCHAR'},
        ),
        'takes_by_shot_number': (
            'SELECT takes.id, takes.shot_id, takes.number, takes.name, takes.key, takes.kind, takes.note, '
            'takes.rating, takes.status, takes.tags AS tags, takes.created_at AS created_at, '
            'takes.created_by, takes.deleted, takes.deleted_at AS deleted_at, shots.code AS shot_code, '
            'shots.sort_order AS shot_order, shots.starred_take_id, sections.code AS section_code, (SELECT '
            'count(*) AS count_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) AS versions_count, current.id AS v_id, current.take_id '
            'AS v_take_id, current.number AS v_number, current.key AS v_key, current.version_id AS '
            'v_version_id, current.sha256 AS v_sha256, current.size AS v_size, current.original_name AS '
            'v_original_name, current.source AS v_source, current.source_version AS v_source_version, '
            'current.created_at AS v_created_at, current.created_by AS v_created_by, current.container AS '
            'v_container, current.codec AS v_codec, current.width AS v_width, current.height AS v_height, '
            'current.fps_num AS v_fps_num, current.fps_den AS v_fps_den, current.frames AS v_frames, '
            'current.duration AS v_duration, current.bit_rate AS v_bit_rate, current.pix_fmt AS v_pix_fmt, '
            'current.audio AS v_audio, current.media AS v_media, current.png_key AS v_png_key, '
            'current.png_version_id AS v_png_version_id, current.png_sha256 AS v_png_sha256, current.png_size'
            ' AS v_png_size, current.png_status AS v_png_status, current.png_reason AS v_png_reason, '
            'current.params AS v_params, (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.take_id = takes.id)) OR (EXISTS (SELECT * \n'
            'FROM take_links \n'
            'WHERE take_links.other_id = takes.id)) AS has_links \n'
            'FROM takes JOIN shots ON takes.shot_id = shots.id LEFT OUTER JOIN sections ON shots.section_id ='
            ' sections.id JOIN take_versions AS current ON current.take_id = takes.id AND current.number = '
            '(SELECT max(take_versions.number) AS max_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) \n'
            'WHERE shots.project_id = %(project_id)s::INTEGER AND takes.shot_id IN (__[POSTCOMPILE_shot_ids])'
            ' AND takes.number = %(number)s::INTEGER ORDER BY coalesce(sections.sort_order, '
            '%(coalesce_1)s::INTEGER), sections.code, shots.sort_order, shots.code, takes.number',
            (
                ('id', ''),
                ('shot_id', ''),
                ('number', ''),
                ('name', ''),
                ('key', ''),
                ('kind', ''),
                ('note', ''),
                ('rating', ''),
                ('status', ''),
                ('tags', 'json'),
                ('created_at', 'datetime'),
                ('created_by', ''),
                ('deleted', ''),
                ('deleted_at', 'datetime'),
                ('shot_code', ''),
                ('shot_order', ''),
                ('starred_take_id', ''),
                ('section_code', ''),
                ('versions_count', ''),
                ('v_id', ''),
                ('v_take_id', ''),
                ('v_number', ''),
                ('v_key', ''),
                ('v_version_id', ''),
                ('v_sha256', ''),
                ('v_size', ''),
                ('v_original_name', ''),
                ('v_source', ''),
                ('v_source_version', ''),
                ('v_created_at', 'datetime'),
                ('v_created_by', ''),
                ('v_container', ''),
                ('v_codec', ''),
                ('v_width', ''),
                ('v_height', ''),
                ('v_fps_num', ''),
                ('v_fps_den', ''),
                ('v_frames', ''),
                ('v_duration', ''),
                ('v_bit_rate', ''),
                ('v_pix_fmt', ''),
                ('v_audio', 'json'),
                ('v_media', 'json'),
                ('v_png_key', ''),
                ('v_png_version_id', ''),
                ('v_png_sha256', ''),
                ('v_png_size', ''),
                ('v_png_status', ''),
                ('v_png_reason', ''),
                ('v_params', 'json'),
                ('has_links', ''),
            ),
            {'coalesce_1': -1},
            {'shot_ids': '%({})s::INTEGER'},
        ),
        'listing_shots': (
            'SELECT shots.id, shots.next_take_number \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = %(project_id)s::INTEGER ORDER BY coalesce(sections.sort_order, '
            '%(coalesce_1)s::INTEGER), sections.code, shots.sort_order, shots.code',
            (
                ('id', ''),
                ('next_take_number', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'listing_shots_of_shot': (
            'SELECT shots.id, shots.next_take_number \n'
            'FROM shots LEFT OUTER JOIN sections ON shots.section_id = sections.id \n'
            'WHERE shots.project_id = %(project_id)s::INTEGER AND shots.id IN (%(shot_id)s) ORDER BY '
            'coalesce(sections.sort_order, %(coalesce_1)s::INTEGER), sections.code, shots.sort_order, '
            'shots.code',
            (
                ('id', ''),
                ('next_take_number', ''),
            ),
            {'coalesce_1': -1},
            {},
        ),
        'listing_group': (
            'SELECT takes.id, takes.shot_id, takes.number, takes.name, takes.key, takes.kind, takes.note, '
            'takes.rating, takes.status, takes.tags AS tags, takes.created_at AS created_at, '
            'takes.created_by, takes.deleted AS deleted, shots.code AS shot_code, shots.starred_take_id, '
            'sections.code AS section_code, (SELECT count(*) AS count_1 \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id) AS versions_count, current.number AS v_number, '
            'current.sha256 AS v_sha256, current.size AS v_size, current.width AS v_width, current.height AS '
            'v_height, current.fps_num AS v_fps_num, current.fps_den AS v_fps_den, current.duration AS '
            'v_duration, current.frames AS v_frames, current.codec AS v_codec, current.container AS '
            'v_container, current.png_status AS v_png_status \n'
            'FROM takes JOIN shots ON takes.shot_id = shots.id LEFT OUTER JOIN sections ON shots.section_id ='
            ' sections.id JOIN LATERAL (SELECT take_versions.number AS number, take_versions.sha256 AS '
            'sha256, take_versions.size AS size, take_versions.width AS width, take_versions.height AS '
            'height, take_versions.fps_num AS fps_num, take_versions.fps_den AS fps_den, '
            'take_versions.duration AS duration, take_versions.frames AS frames, take_versions.codec AS '
            'codec, take_versions.container AS container, take_versions.png_status AS png_status \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = takes.id ORDER BY take_versions.number DESC \n'
            ' LIMIT %(param_1)s::INTEGER) AS current ON true \n'
            'WHERE shots.project_id = %(project_id)s::INTEGER AND takes.deleted = false AND takes.shot_id IN '
            '(__[POSTCOMPILE_listing_shot_ids]) ORDER BY takes.number',
            (
                ('id', ''),
                ('shot_id', ''),
                ('number', ''),
                ('name', ''),
                ('key', ''),
                ('kind', ''),
                ('note', ''),
                ('rating', ''),
                ('status', ''),
                ('tags', ''),
                ('created_at', ''),
                ('created_by', ''),
                ('deleted', ''),
                ('shot_code', ''),
                ('starred_take_id', ''),
                ('section_code', ''),
                ('versions_count', ''),
                ('v_number', ''),
                ('v_sha256', ''),
                ('v_size', ''),
                ('v_width', ''),
                ('v_height', ''),
                ('v_fps_num', ''),
                ('v_fps_den', ''),
                ('v_duration', ''),
                ('v_frames', ''),
                ('v_codec', ''),
                ('v_container', ''),
                ('v_png_status', ''),
            ),
            {'param_1': 1},
            {'listing_shot_ids': '%({})s::INTEGER'},
        ),
        'any_link': (
            'SELECT take_links.id \n'
            'FROM take_links \n'
            ' LIMIT %(param_1)s::INTEGER',
            (
                ('id', ''),
            ),
            {'param_1': 1},
            {},
        ),
        'links_from_take': (
            'SELECT take_links.id, take_links.take_id, take_links.other_id, take_links.kind, other.name, '
            'other_shot.code AS shot_code, other_section.code AS section_code \n'
            'FROM take_links JOIN takes AS other ON other.id = take_links.other_id JOIN shots AS other_shot '
            'ON other_shot.id = other.shot_id LEFT OUTER JOIN sections AS other_section ON other_section.id ='
            ' other_shot.section_id \n'
            'WHERE take_links.take_id IN (__[POSTCOMPILE_ids]) ORDER BY take_links.id',
            (
                ('id', ''),
                ('take_id', ''),
                ('other_id', ''),
                ('kind', ''),
                ('name', ''),
                ('shot_code', ''),
                ('section_code', ''),
            ),
            {},
            {'ids': '%({})s::VARCHAR'},
        ),
        'links_to_take': (
            'SELECT take_links.id, take_links.take_id, take_links.other_id, take_links.kind, other.name, '
            'other_shot.code AS shot_code, other_section.code AS section_code \n'
            'FROM take_links JOIN takes AS other ON other.id = take_links.take_id JOIN shots AS other_shot ON'
            ' other_shot.id = other.shot_id LEFT OUTER JOIN sections AS other_section ON other_section.id = '
            'other_shot.section_id \n'
            'WHERE take_links.other_id IN (__[POSTCOMPILE_ids]) ORDER BY take_links.id',
            (
                ('id', ''),
                ('take_id', ''),
                ('other_id', ''),
                ('kind', ''),
                ('name', ''),
                ('shot_code', ''),
                ('section_code', ''),
            ),
            {},
            {'ids': '%({})s::VARCHAR'},
        ),
        'versions_of_take': (
            'SELECT take_versions.id, take_versions.take_id, take_versions.number, take_versions.key, '
            'take_versions.version_id, take_versions.sha256, take_versions.size, take_versions.original_name,'
            ' take_versions.source, take_versions.source_version, take_versions.created_at, '
            'take_versions.created_by, take_versions.container, take_versions.codec, take_versions.width, '
            'take_versions.height, take_versions.fps_num, take_versions.fps_den, take_versions.frames, '
            'take_versions.duration, take_versions.bit_rate, take_versions.pix_fmt, take_versions.audio, '
            'take_versions.media, take_versions.png_key, take_versions.png_version_id, '
            'take_versions.png_sha256, take_versions.png_size, take_versions.png_status, '
            'take_versions.png_reason, take_versions.params \n'
            'FROM take_versions \n'
            'WHERE take_versions.take_id = %(take_id)s::VARCHAR ORDER BY take_versions.number DESC',
            (
                ('id', ''),
                ('take_id', ''),
                ('number', ''),
                ('key', ''),
                ('version_id', ''),
                ('sha256', ''),
                ('size', ''),
                ('original_name', ''),
                ('source', ''),
                ('source_version', ''),
                ('created_at', ''),
                ('created_by', ''),
                ('container', ''),
                ('codec', ''),
                ('width', ''),
                ('height', ''),
                ('fps_num', ''),
                ('fps_den', ''),
                ('frames', ''),
                ('duration', ''),
                ('bit_rate', ''),
                ('pix_fmt', ''),
                ('audio', ''),
                ('media', ''),
                ('png_key', ''),
                ('png_version_id', ''),
                ('png_sha256', ''),
                ('png_size', ''),
                ('png_status', ''),
                ('png_reason', ''),
                ('params', ''),
            ),
            {},
            {},
        ),
        'events': (
            'SELECT events.id, events.project_id, events.at AS at, events."user", events.action, '
            'events.take_id, events.shot, events.details AS details \n'
            'FROM events \n'
            'WHERE events.project_id = %(project_id)s::INTEGER ORDER BY events.at, events.id',
            (
                ('id', ''),
                ('project_id', ''),
                ('at', 'datetime'),
                ('user', ''),
                ('action', ''),
                ('take_id', ''),
                ('shot', ''),
                ('details', 'json'),
            ),
            {},
            {},
        ),
        'events_of_take': (
            'SELECT events.id, events.project_id, events.at AS at, events."user", events.action, '
            'events.take_id, events.shot, events.details AS details \n'
            'FROM events \n'
            'WHERE events.project_id = %(project_id)s::INTEGER AND events.take_id = %(take_id)s::VARCHAR '
            'ORDER BY events.at, events.id',
            (
                ('id', ''),
                ('project_id', ''),
                ('at', 'datetime'),
                ('user', ''),
                ('action', ''),
                ('take_id', ''),
                ('shot', ''),
                ('details', 'json'),
            ),
            {},
            {},
        ),
    },
}
