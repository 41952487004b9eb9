"""Participants found by any part of a name or a number through trigram indexes (search/people.py).

Run on PostgreSQL: make test-postgres PYTEST_ARGS='-q tests/test_people_search.py'
"""

import pytest
from django.db import connection

from audio.models import AudioAsset
from search import people
from tests.factories import make_transcript, make_user
from transcription.finding import people_condition
from transcription.models import Participant, Transcript

pytestmark = pytest.mark.django_db


def transcript(**fields):
    return make_transcript(status="completed", text="hello there", **fields)


def named(name, **fields):
    row = transcript(**fields)
    Participant.objects.create(transcript=row, key="1", name=name)
    return row


def found(who):
    return sorted(Transcript.objects.filter(people_condition(who)).values_list("pk", flat=True))


def listed(client, **params):
    response = client.get("/transcription/", params)
    assert response.status_code == 200, response.content.decode()[:500]
    return [row["transcript"].pk for row in response.context["rows"]]


def test_a_participant_is_found_by_a_part_of_the_name_in_any_case():
    hit = named("Grace Hopper")
    named("Ada Lovelace")
    assert found("HOPP") == [hit.pk]
    assert found("ce ho") == [hit.pk]


def test_a_non_ascii_name_is_found_whatever_its_case():
    hit = named("Jürgen MÜLLER")
    named("Jurgen Muller")
    assert found("müller") == [hit.pk]
    assert found("JÜRGEN") == [hit.pk]


def test_a_number_is_found_by_some_of_its_digits():
    lead = make_user("lead")
    asset = AudioAsset.objects.create(origin_kind="twilio_recording", owner=lead, label="+14155550123")
    hit = transcript(audio=asset, owner=lead)
    spoken = named("+1 415-555-0199", owner=lead)
    transcript(owner=lead)
    assert found("555-0123") == [hit.pk]
    assert found("415-555") == sorted([hit.pk, spoken.pk])


def test_a_renamed_participant_is_found_by_the_new_name_only():
    row = named("Grace Hopper")
    Participant.objects.filter(transcript=row).update(name="Radia Perlman")
    assert found("perlman") == [row.pk]
    assert found("hopper") == []


def test_a_removed_participant_is_no_longer_found():
    row = named("Grace Hopper")
    Participant.objects.filter(transcript=row).delete()
    assert found("hopper") == []


def test_a_deleted_transcripts_participants_are_gone_from_the_index():
    row = named("Grace Hopper")
    row.delete()
    assert found("hopper") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM search_participant_fts WHERE search_participant_fts MATCH 'hopper'"
            )
            assert cursor.fetchone()[0] == 0


def test_a_relabelled_audio_is_found_by_its_new_number_only():
    lead = make_user("lead")
    asset = AudioAsset.objects.create(origin_kind="twilio_recording", owner=lead, label="+14155550123")
    row = transcript(audio=asset, owner=lead)
    AudioAsset.objects.filter(pk=asset.pk).update(label="+442071234567")
    assert found("2071234") == [row.pk]
    assert found("5550123") == []


def test_another_users_participant_is_never_offered(client):
    alice, bob = make_user("alice"), make_user("bob")
    mine = named("Grace Hopper", owner=alice)
    named("Grace Hopper", owner=bob)
    named("Grace Hopperton", owner=bob)
    client.force_login(alice)
    response = client.get("/transcription/", {"q": "hopper"})
    assert response.context["people"] == 1
    assert listed(client, who="hopper") == [mine.pk]


def test_one_or_two_characters_are_not_offered_from_the_search_box(admin_client):
    named("Al Green")
    response = admin_client.get("/transcription/", {"q": "Al"})
    assert response.context["people"] == 0


def test_one_or_two_characters_still_filter_by_participant(admin_client):
    hit = named("Al Green")
    named("Grace Hopper")
    assert listed(admin_client, who="al") == [hit.pk]
    assert listed(admin_client, who="L") == [hit.pk]


def test_quotes_and_wildcards_in_a_name_are_plain_characters():
    hit = named('Grace "Amazing" 100%_Hopper')
    named("Grace Hopper")
    assert found('"amazing"') == [hit.pk]
    assert found("100%_") == [hit.pk]
    assert found("e%h") == []


def test_the_index_has_what_its_triggers_missed_once_ensured_again():
    people.drop_triggers(connection)
    row = named("Grace Hopper")
    people.ensure(connection)
    assert found("hopper") == [row.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tables")
def test_sqlite_answers_from_the_trigram_tables():
    sql, params = Transcript.objects.filter(people_condition("4155550123")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "search_participant_fts VIRTUAL TABLE INDEX" in plan
    assert "search_asset_label_fts VIRTUAL TABLE INDEX" in plan
    assert "SCAN transcription_participant" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_trgm indexes")
@pytest.mark.parametrize(
    "lookups, index",
    [
        (Participant.objects.filter(name__icontains="Müller"), "search_participant_name_trgm"),
        (AudioAsset.objects.filter(label__contains="4155550123"), "search_asset_label_trgm"),
    ],
    ids=["name icontains", "label contains"],
)
def test_postgresql_can_answer_the_lookups_from_the_trigram_indexes(lookups, index):
    sql, params = lookups.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            pytest.skip("pg_trgm is not available on this server")
        # A table of a few rows is read whole whatever the indexes: forbid that (and a walk of
        # another index) to see whether the lookup's own expression meets the trigram index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {index}" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's extensions")
def test_an_extension_the_server_lacks_does_not_stop_the_migration():
    with connection.cursor() as cursor:
        cursor.execute(people.PG_TRGM.replace("pg_trgm", "no_such_extension"))
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'no_such_extension'")
        assert cursor.fetchone()[0] == 0


def test_a_migrate_drops_these_triggers_only_for_a_migration_on_participants_or_audio_assets():
    from django.db import migrations, models

    from search.apps import touches_index

    def migration(app_label, operation):
        made = migrations.Migration("test", app_label)
        made.operations = [operation]
        return made

    field = models.CharField(max_length=120)
    assert touches_index(
        migration("transcription", migrations.AlterField("participant", "name", field)), people.MODELS
    )
    assert touches_index(migration("audio", migrations.AddField("audioasset", "x", field)), people.MODELS)
    assert not touches_index(
        migration("transcription", migrations.AddField("transcript", "x", field)), people.MODELS
    )
    assert not touches_index(migration("transcription", migrations.AlterField("participant", "name", field)))
