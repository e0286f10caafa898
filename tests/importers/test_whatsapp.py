"""WhatsApp: Export chat files (Android and iOS, date orders, 12/24-hour clocks, zips) and wacli stores."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import LiveSource, save_settings
from kithkin.demo.cast import make_cast
from kithkin.demo.whatsapp import write as write_demo
from kithkin.importers.whatsapp import WhatsAppImporter
from kithkin.ingest import import_paths
from kithkin.models import KithkinError
from kithkin.store import sources
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

WALKERS = ["Bram", "Dr. Halvorsen", "Ines", "Kit", "Mara Quinlan", "Oskar", "Rosa & Luis", "Teo"]


def names(workspace) -> list[str]:
    return sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people"))


@pytest.mark.parametrize("name", ["android-dotted-24h.txt", "android-iso-12h.txt"])
def test_the_real_exports_import_with_their_people(workspace, realdata, name):
    summary = import_paths(workspace, "whatsapp", [realdata / "whatsapp" / name])
    assert (summary.interactions, summary.people_created, summary.errors) == (18, 8, [])
    assert names(workspace) == WALKERS
    first = workspace.conn.execute(
        "SELECT occurred_at, context, participant_count, snippet FROM interactions ORDER BY occurred_at LIMIT 1"
    ).fetchone()
    assert tuple(first) == (
        datetime(2017, 5, 20, 8, 5).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Ridge Walkers",
        8,
        "Morning all, Saturday's walk still on?",
    )
    again = import_paths(workspace, "whatsapp", [realdata / "whatsapp" / name])
    assert again.interactions == 0


def test_both_real_files_describe_the_same_chat_in_two_locales(realdata):
    dotted = list(WhatsAppImporter().read(realdata / "whatsapp" / "android-dotted-24h.txt", None))
    iso = list(WhatsAppImporter().read(realdata / "whatsapp" / "android-iso-12h.txt", None))
    assert [o.occurred_at for o in dotted] == [o.occurred_at for o in iso]
    assert [o.snippet for o in dotted] == [o.snippet for o in iso]


IOS = (
    "[03/02/2024, 21:04:07] Dinner Club: \u200eMessages and calls are end-to-end encrypted.\n"
    "[03/02/2024, 21:04:09] Dinner Club: \u200eAna Silva added Owner Person\n"
    "[03/02/2024, 21:05:10] Ana Silva: Dinner on Friday?\n"
    "It's at the usual place\n"
    "[03/02/2024, 21:06:00] Owner Person: Sure!\n"
    "[13/02/2024, 9:15:00] +1 (415) 555-0123: \u200e<attached: 00000012-PHOTO-2024-02-13.jpg>\n"
)


def test_ios_export_day_first_multiline_owner_and_phone_senders(workspace, tmp_path):
    path = tmp_path / "WhatsApp Chat with Dinner Club.txt"
    path.write_text(IOS, encoding="utf-8")
    summary = import_paths(workspace, "whatsapp", [path])
    assert summary.interactions == 3  # the notices iOS writes under the chat's name are not messages
    rows = workspace.conn.execute(
        "SELECT occurred_at, direction, snippet, metadata, context FROM interactions ORDER BY occurred_at"
    ).fetchall()
    assert rows[0]["snippet"] == "Dinner on Friday?\nIt's at the usual place"
    assert [r["direction"] for r in rows] == ["in", "out", "in"]
    assert rows[2]["occurred_at"] == datetime(2024, 2, 13, 9, 15).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert json.loads(rows[2]["metadata"]) == {"media": "image"}
    assert {r["context"] for r in rows} == {"Dinner Club"}  # three people wrote: a group, named by the file
    assert names(workspace) == ["+14155550123", "Ana Silva"]
    phones = workspace.conn.execute("SELECT phone_numbers FROM people WHERE canonical_name = '+14155550123'")
    assert json.loads(phones.fetchone()[0]) == ["+14155550123"]
    # The same chat shared from an iPhone as a zip (`_chat.txt` inside, the chat named by the zip) is the same chat.
    shared = tmp_path / "WhatsApp Chat - Dinner Club.zip"
    with zipfile.ZipFile(shared, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", IOS)
        archive.writestr("00000012-PHOTO-2024-02-13.jpg", b"\xff\xd8\xff")
    assert import_paths(workspace, "whatsapp", [shared]).interactions == 0


def test_us_twelve_hour_export_in_a_zip(workspace, tmp_path):
    text = (
        "1/15/24, 9:41\u202fPM - Ben Okafor: see you at 10\n"
        "1/15/24, 10:02 p.m. - Ben Okafor: here\n"
        "1/16/24, 7:00 AM - Ana Silva: morning!\n"
        "1/16/24, 7:01 AM - Ben Okafor added Chloe\n"
    )
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("WhatsApp Chat with Ben Okafor.txt", text)
        archive.writestr("IMG-0001.jpg", b"\xff\xd8\xff")
    summary = import_paths(workspace, "whatsapp", [path])
    assert summary.interactions == 3
    contexts = {r[0] for r in workspace.conn.execute("SELECT context FROM interactions")}
    assert contexts == {None}  # two people: a one-to-one chat
    threads = {r[0] for r in workspace.conn.execute("SELECT thread_id FROM interactions")}
    assert threads == {"export:Ben Okafor"}  # named by the .txt inside, not by the zip's own name
    times = [r[0] for r in workspace.conn.execute("SELECT occurred_at FROM interactions ORDER BY occurred_at")]
    expected = [datetime(2024, 1, 15, 21, 41), datetime(2024, 1, 15, 22, 2), datetime(2024, 1, 16, 7, 0)]
    assert times == [t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in expected]


def test_unsafe_zip_and_wrong_files_are_refused_with_nothing_written(workspace, tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/_chat.txt", "01.01.2020, 10:00 - A: b\n")
    with pytest.raises(KithkinError, match=r"evil\.zip: holds an unsafe path"):
        import_paths(workspace, "whatsapp", [evil])
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\nnothing else\n")
    with pytest.raises(KithkinError, match=r"notes\.txt: holds no WhatsApp messages"):
        import_paths(workspace, "whatsapp", [notes])
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0")
    with pytest.raises(KithkinError, match="is not a WhatsApp export"):
        import_paths(workspace, "whatsapp", [image])
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


# wacli's schema exactly as its internal/store/store.go creates it (WAL mode, FTS5 index and triggers included).
WACLI_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE chats (jid TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, last_message_ts INTEGER);
CREATE TABLE contacts (jid TEXT PRIMARY KEY, phone TEXT, push_name TEXT, full_name TEXT, first_name TEXT,
    business_name TEXT, updated_at INTEGER NOT NULL);
CREATE TABLE groups (jid TEXT PRIMARY KEY, name TEXT, owner_jid TEXT, created_ts INTEGER,
    updated_at INTEGER NOT NULL);
CREATE TABLE group_participants (group_jid TEXT NOT NULL, user_jid TEXT NOT NULL, role TEXT,
    updated_at INTEGER NOT NULL, PRIMARY KEY (group_jid, user_jid),
    FOREIGN KEY (group_jid) REFERENCES groups(jid) ON DELETE CASCADE);
CREATE TABLE contact_aliases (jid TEXT PRIMARY KEY, alias TEXT NOT NULL, notes TEXT, updated_at INTEGER NOT NULL);
CREATE TABLE contact_tags (jid TEXT NOT NULL, tag TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (jid, tag));
CREATE TABLE messages (rowid INTEGER PRIMARY KEY AUTOINCREMENT, chat_jid TEXT NOT NULL, chat_name TEXT,
    msg_id TEXT NOT NULL, sender_jid TEXT, sender_name TEXT, ts INTEGER NOT NULL, from_me INTEGER NOT NULL,
    text TEXT, media_type TEXT, media_caption TEXT, filename TEXT, mime_type TEXT, direct_path TEXT,
    media_key BLOB, file_sha256 BLOB, file_enc_sha256 BLOB, file_length INTEGER, local_path TEXT,
    downloaded_at INTEGER, UNIQUE(chat_jid, msg_id),
    FOREIGN KEY (chat_jid) REFERENCES chats(jid) ON DELETE CASCADE);
CREATE INDEX idx_messages_chat_ts ON messages(chat_jid, ts);
CREATE INDEX idx_messages_ts ON messages(ts);
CREATE VIRTUAL TABLE messages_fts USING fts5(text, media_caption, filename, chat_name, sender_name);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, text, media_caption, filename, chat_name, sender_name)
    VALUES (new.rowid, COALESCE(new.text,''), COALESCE(new.media_caption,''), COALESCE(new.filename,''),
            COALESCE(new.chat_name,''), COALESCE(new.sender_name,''));
END;
"""
ANA = "14155550111@s.whatsapp.net"
BEN = "14155550122@s.whatsapp.net"
LID = "99887766@lid"
GROUP = "120363040000000000@g.us"


def wacli_store(folder, messages):
    folder.mkdir(exist_ok=True)
    conn = sqlite3.connect(folder / "wacli.db")
    conn.executescript(WACLI_SCHEMA)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executemany(
        "INSERT INTO chats VALUES (?, ?, ?, ?)",
        [
            (ANA, "dm", "Ana Silva", 0),
            (GROUP, "group", "Climbing", 0),
            (LID, "unknown", None, 0),
            ("status@broadcast", "broadcast", None, 0),
        ],
    )
    conn.executemany(
        "INSERT INTO contacts (jid, phone, push_name, full_name, business_name, updated_at) VALUES (?, ?, ?, ?, ?, 1)",
        [
            (ANA, "14155550111", "Ana", "Ana Silva", None),
            (BEN, "14155550122", "Benny", None, None),
            (LID, "14155550133", None, None, "Chloe's Bakery"),
        ],
    )
    conn.execute("INSERT INTO contact_aliases VALUES (?, 'Benjamin Okafor', 'climbing', 1)", (BEN,))
    conn.execute("INSERT INTO groups VALUES (?, 'Climbing', ?, 1690000000, 1)", (GROUP, ANA))
    conn.executemany(
        "INSERT INTO group_participants (group_jid, user_jid, role, updated_at) VALUES (?, ?, ?, 1)",
        [(GROUP, ANA, "admin"), (GROUP, BEN, "member"), (GROUP, "5550001@lid", "member")],
    )
    conn.executemany(
        "INSERT INTO messages (chat_jid, msg_id, sender_jid, sender_name, ts, from_me, text, media_type)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        messages,
    )
    conn.commit()
    return conn


def test_wacli_store_read_in_place_and_incrementally(workspace, tmp_path):
    folder = tmp_path / ".wacli"
    conn = wacli_store(
        folder,
        [
            (ANA, "A1", ANA, "Ana", 1_700_000_000, 0, "hi", None),
            (ANA, "A2", None, None, 1_700_000_060, 1, "hello back", None),
            (GROUP, "G1", BEN, "Benny", 1_700_000_100, 0, None, "image"),
            (LID, "L1", LID, None, 1_700_000_150, 0, "your cake is ready", None),
            ("status@broadcast", "S1", None, None, 1_700_000_160, 1, "at the crag", None),
        ],
    )
    conn.close()  # the last connection checkpoints the WAL into wacli.db
    before = (folder / "wacli.db").read_bytes()
    result = CliRunner().invoke(app, ["import", "whatsapp", str(folder), "--home", str(workspace.home), "--json"])
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["interactions"] == 4  # a status post is no conversation, and is said to be left out
    assert (printed["messages"], printed["status_and_broadcast_posts_left_out"]) == (4, 1)
    assert (folder / "wacli.db").read_bytes() == before
    rows = workspace.conn.execute(
        "SELECT source_id, direction, participant_count, context, snippet FROM interactions ORDER BY occurred_at"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (f"{ANA}:A1", "in", 1, None, "hi"),
        (f"{ANA}:A2", "out", 1, None, "hello back"),
        (f"{GROUP}:G1", "in", 2, "Climbing", "<image>"),  # the hidden @lid member is left out
        (f"{LID}:L1", "in", 1, None, "your cake is ready"),
    ]
    found = workspace.conn.execute("SELECT canonical_name, phone_numbers FROM people ORDER BY canonical_name")
    assert [(r[0], json.loads(r[1])) for r in found] == [
        ("Ana Silva", ["+14155550111"]),
        ("Benjamin Okafor", ["+14155550122"]),  # the user's alias in wacli wins
        ("Chloe's Bakery", ["+14155550133"]),  # an @lid contact known by the phone wacli kept
    ]
    live = sqlite3.connect(folder / "wacli.db")  # wacli is syncing: the new message is still in the WAL
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute(
        "INSERT INTO messages (chat_jid, msg_id, sender_jid, ts, from_me, text) VALUES (?, 'G2', ?, 1700000200, 0, ?)",
        (GROUP, ANA, "new"),
    )
    live.commit()
    try:
        assert (folder / "wacli.db-wal").stat().st_size > 0
        again = import_paths(workspace, "whatsapp", [folder])
    finally:
        live.close()
    assert again.interactions == 1
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 5


def test_demo_exports_import_with_the_owner_by_name(workspace, tmp_path):
    cast = make_cast(120, seed=5)
    workspace.settings.owner.name = cast.owner["name"]
    summary = import_paths(workspace, "whatsapp", write_demo(cast, tmp_path))
    assert summary.errors == [] and summary.interactions > 0
    contexts = {r[0] for r in workspace.conn.execute("SELECT DISTINCT context FROM interactions")}
    assert contexts == {None, "Climbing Club"}
    assert cast.owner["name"] not in names(workspace)  # the owner's own lines are outgoing, not a person
    directions = {r[0] for r in workspace.conn.execute("SELECT DISTINCT direction FROM interactions")}
    assert directions == {"in", "out"}


def test_a_configured_wacli_store_syncs_from_its_last_rowid(tmp_path, home):
    folder = tmp_path / ".wacli"
    wacli_store(
        folder,
        [
            (ANA, "A1", ANA, "Ana", 1_700_000_000, 0, "hi", None),
            (GROUP, "G1", BEN, "Benny", 1_700_000_100, 0, "climb?", None),
            ("status@broadcast", "S1", None, None, 1_700_000_160, 1, "at the crag", None),
        ],
    ).close()
    with Workspace.open(home) as workspace:
        source = LiveSource(type="wacli", account="phone", path=str(folder))
        save_settings(home, workspace.settings.model_copy(update={"sources": [source]}))
    with Workspace.open(home) as workspace:
        source = workspace.settings.sources[0]
        first, second = sync_source(workspace, source), sync_source(workspace, source)
        assert (first.interactions, second.interactions) == (2, 0)
        assert sources.get_cursor(workspace.conn, "whatsapp", "phone") == "3"  # past the status post too
    absent = LiveSource(type="wacli", account="x", path=str(tmp_path / "nowhere"))
    with Workspace.open(home) as workspace, pytest.raises(KithkinError, match=r"nowhere: has no wacli\.db"):
        sync_source(workspace, absent)


# WhatsApp's own lines in each language, as the app writes them (iOS Localizable.strings, Android strings.xml,
# and real exports quoted by other parsers): typed here, not read from the importer's table.
# (image omitted, sticker omitted, <attached: …> word, deleted, voice call, its duration, missed voice call,
#  poll, Android's media left out, Android's "(file attached)", encryption notice, security code changed)
LINES = {
    "en": ("image omitted", "sticker omitted", "attached", "This message was deleted.", "Voice call", "5 min",
           "Missed voice call", "POLL", "<Media omitted>", "file attached",
           "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read "
           "or listen to them.", "Your security code with Ana Silva changed. Tap to learn more."),
    "es": ("imagen omitida", "sticker omitido", "adjunto", "Se eliminó este mensaje.", "Llamada de voz", "5 min",
           "Llamada perdida", "ENCUESTA", "<Multimedia omitido>", "archivo adjunto",
           "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera "
           "WhatsApp, puede leerlos ni escucharlos.",
           "Cambió tu código de seguridad con Ana Silva. Pulsa para obtener más información."),
    "pt": ("imagem ocultada", "figurinha omitida", "anexado", "Esta mensagem foi apagada", "Chamada de voz", "5 min",
           "Chamada de voz perdida", "ENQUETE", "<Mídia oculta>", "arquivo anexado",
           "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente entre "
           "você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las.",
           "Seu código de segurança com Ana Silva mudou. Toque para saber mais."),
    "de": ("Bild weggelassen", "Sticker weggelassen", "Anhang", "Diese Nachricht wurde gelöscht.", "Sprachanruf",
           "2 Min.", "Verpasster Sprachanruf", "UMFRAGE", "<Medien ausgeschlossen>", "Datei angehängt",
           "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen "
           "oder anhören, nicht einmal WhatsApp.",
           "Deine Sicherheitsnummer für Ana Silva hat sich geändert. Tippe, um mehr zu erfahren."),
    "fr": ("image absente", "sticker omis", "pièce jointe", "Ce message a été supprimé", "Appel vocal", "5 min",
           "Appel vocal manqué", "SONDAGE", "<Médias omis>", "fichier joint",
           "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même WhatsApp, ne peut les "
           "lire ou les écouter.", "Votre code de sécurité avec Ana Silva a changé. Appuyez pour en savoir plus."),
    "it": ("immagine omessa", "sticker non incluso", "allegato", "Questo messaggio è stato eliminato",
           "Chiamata vocale", "5 min", "Chiamata vocale persa", "SONDAGGIO", "<Media omessi>", "file allegato",
           "I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno "
           "WhatsApp, può leggerne o ascoltarne il contenuto.",
           "Il tuo codice di sicurezza con Ana Silva è cambiato. Tocca per saperne di più."),
    "nl": ("afbeelding weggelaten", "sticker weggelaten", "bijgevoegd", "Dit bericht is verwijderd",
           "Spraakgesprek", "5 min", "Gemist spraakgesprek", "PEILING", "<Media weggelaten>", "bestand bijgevoegd",
           "Berichten en gesprekken worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of "
           "beluisteren, zelfs WhatsApp niet.",
           "Uw beveiligingscode voor Ana Silva is gewijzigd. Tik voor meer informatie."),
    "tr": ("görüntü dahil edilmedi", "Çıkartma dahil edilmedi", "eklendi", "Bu mesaj silindi", "Sesli arama", "5 dk",
           "Cevapsız sesli arama", "ANKET", "<Medya dahil edilmedi>", "dosya ekli",
           "Mesajlar ve aramalar uçtan uca şifrelidir. WhatsApp da dahil olmak üzere bu sohbetin dışında bulunan hiç "
           "kimse mesaj ve aramalarınızı okuyamaz ve dinleyemez.",
           "Ana Silva ile aranızdaki güvenlik kodu değişti. Daha fazla bilgi edinmek için dokunun."),
    "ru": ("изображение отсутствует", "стикер не добавлен", "прикреплено", "Данное сообщение удалено.",
           "Аудиозвонок", "5 мин", "Пропущенный аудиозвонок", "ОПРОС", "<Без медиафайлов>", "файл добавлен",
           "Сообщения и звонки защищены сквозным шифрованием. Третьи лица, включая WhatsApp, не могут прочитать "
           "ваши сообщения или прослушать звонки.", "Ваш код безопасности с контактом Ana Silva изменился. Подробнее."),
    "id": ("gambar tidak disertakan", "stiker tidak disertakan", "terlampir", "Pesan ini dihapus", "Panggilan suara",
           "5 mnt", "Panggilan suara tak terjawab", "POLLING", "<Media tidak disertakan>", "file terlampir",
           "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, "
           "yang dapat membaca atau mendengarkannya.",
           "Kode keamanan Anda dengan Ana Silva telah berubah. Ketuk untuk info selengkapnya."),
    "hi": ("फ़ोटो हटाई गई", "स्टिकर छोड़ा गया", "अटैच किया गया", "यह मैसेज डिलीट कर दिया गया है", "वॉइस कॉल", "5 मिनट",
           "मिस्ड वॉइस कॉल", "पोल", "<मीडिया के बिना>", "फाइल संलग्न",
           "मैसेजेस और कॉल्स एंड-टू-एंड एन्क्रिप्टेड हैं. इस चैट में शामिल लोगों के अलावा कोई भी इन्हें पढ़ या सुन नहीं "
           "सकता, WhatsApp भी नहीं.", "Ana Silva के लिए आपका सुरक्षा कोड बदल गया है. ज़्यादा जानने के लिए टैप करें."),
}  # fmt: skip
LRM, NNBSP = "\u200e", "\u202f"


def ios_export(lang: str) -> str:
    image, sticker, attached, deleted, call, duration, missed, poll, _, _, encrypted, security = LINES[lang]
    return (
        f"[03/02/2024, 21:04:07] Trip: {LRM}{encrypted}\n"
        "[03/02/2024, 21:05:10] Ana Silva: hello, see you at 8: the usual place?\n"
        f"{LRM}[03/02/2024, 21:06:00] ~{NNBSP}Ben: {LRM}{image}\n"
        f"{LRM}[03/02/2024, 21:06:30] Ana Silva: {LRM}{sticker}\n"
        f"[03/02/2024, 21:07:00] ~{NNBSP}Ben: {LRM}{poll}:\n{LRM}8 or 9?\n{LRM}OPTION: 8 (1)\n{LRM}OPTION: 9 (0)\n"
        f"[03/02/2024, 21:08:00] Ana Silva: {LRM}{deleted}\n"
        f"[03/02/2024, 21:09:00] Ana Silva: {LRM}{call}, {LRM}{duration}\n"
        f"[03/02/2024, 21:10:00] ~{NNBSP}Ben: {LRM}{missed}\n"
        f"{LRM}[03/02/2024, 21:11:00] Ana Silva: look {LRM}<{attached}: 00000012-PHOTO-2024-02-03-21-11-00.jpg>\n"
        f"[03/02/2024, 21:12:00] Trip: {LRM}{security}\n"
    )


def android_export(lang: str) -> str:
    _, _, _, deleted, _, _, _, _, omitted, file_attached, encrypted, security = LINES[lang]
    return (
        f"03/02/2024, 21:04 - {encrypted}\n"
        "03/02/2024, 21:05 - Ana Silva: hello, see you at 8: the usual place?\n"
        f"03/02/2024, 21:06 - Ben: {omitted}\n"
        f"03/02/2024, 21:07 - Ana Silva: IMG-20240203-WA0001.jpg ({file_attached})\nthe view\n"
        f"03/02/2024, 21:08 - Ana Silva: {deleted}\n"
        f"03/02/2024, 21:09 - {security}\n"
    )


def kinds(workspace) -> list[tuple]:
    rows = workspace.conn.execute("SELECT kind, snippet, metadata FROM interactions ORDER BY occurred_at")
    return [(r[0], r[1], json.loads(r[2]) if r[2] else {}) for r in rows]


@pytest.mark.parametrize("lang", sorted(LINES))
def test_ios_media_calls_polls_deleted_and_notices_in_every_language(workspace, tmp_path, lang):
    path = tmp_path / "WhatsApp Chat - Trip.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", ios_export(lang))
    summary = import_paths(workspace, "whatsapp", [path])
    assert (summary.interactions, summary.errors) == (8, [])
    assert summary.details == {"messages": 1, "media": 4, "deleted": 1, "calls": 2, "system_lines": 2}
    assert kinds(workspace) == [
        ("message", "hello, see you at 8: the usual place?", {}),
        ("message", None, {"media": "image"}),
        ("message", None, {"media": "sticker"}),
        ("message", "8 or 9?\nOPTION: 8 (1)\nOPTION: 9 (0)", {"media": "poll"}),
        ("message", None, {"deleted": True}),
        ("call", None, {"call_type": "voice", "duration": 120 if lang == "de" else 300, "answered": True,
                        "missed": False}),
        ("call", None, {"call_type": "voice", "duration": 0, "answered": False, "missed": True}),
        ("message", "look", {"media": "image"}),
    ]  # fmt: skip
    # iOS's `~ ` before a name not saved in contacts is no part of it; the group is named by its notices.
    assert names(workspace) == ["Ana Silva", "Ben"]
    assert {r[0] for r in workspace.conn.execute("SELECT context FROM interactions")} == {"Trip"}


@pytest.mark.parametrize("lang", sorted(LINES))
def test_android_media_deleted_and_notices_in_every_language(workspace, tmp_path, lang):
    path = tmp_path / "WhatsApp Chat with Ben.txt"
    path.write_text(android_export(lang), encoding="utf-8")
    summary = import_paths(workspace, "whatsapp", [path])
    assert (summary.interactions, summary.errors) == (4, [])
    assert summary.details == {"messages": 1, "media": 2, "deleted": 1, "system_lines": 2}
    assert kinds(workspace) == [
        ("message", "hello, see you at 8: the usual place?", {}),
        ("message", None, {"media": "media"}),
        ("message", "the view", {"media": "image"}),
        ("message", None, {"deleted": True}),
    ]
    assert names(workspace) == ["Ana Silva", "Ben"]


def test_older_ios_export_without_brackets(workspace, tmp_path):
    path = tmp_path / "_chat.txt"
    path.write_text(
        "15-04-16 15:04:07: Ana Silva: Are we still on for Sunday?\n"
        "15-04-16 15:06:41: Ben Okafor: Yes! 10:30 at the station\n"
        "bring boots\n"
        f"16-04-16 09:00:00: Ana Silva: {LRM}image omitted\n",
        encoding="utf-8",
    )
    summary = import_paths(workspace, "whatsapp", [path])
    assert (summary.interactions, summary.details) == (3, {"messages": 2, "media": 1})
    rows = workspace.conn.execute("SELECT occurred_at, snippet FROM interactions ORDER BY occurred_at").fetchall()
    stamp = [datetime(2016, 4, 15, 15, 4, 7), datetime(2016, 4, 15, 15, 6, 41), datetime(2016, 4, 16, 9, 0)]
    assert [tuple(r) for r in rows] == [
        (stamp[0].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Are we still on for Sunday?"),
        (stamp[1].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Yes! 10:30 at the station\nbring boots"),
        (stamp[2].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), None),
    ]
    assert names(workspace) == ["Ana Silva", "Ben Okafor"]


@pytest.mark.parametrize(
    "notice",
    [
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read them.",
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen.",
        "As mensagens e as chamadas são criptografadas de ponta a ponta.",
        "Сообщения и звонки защищены сквозным шифрованием.",
    ],
)
def test_the_encryption_notice_under_the_group_name_is_no_message(workspace, tmp_path, notice):
    # Older iOS versions wrote the notice under the group's name without the U+200E mark (whatstk's
    # pokemon.txt has it in this Android-dated shape).
    path = tmp_path / "chat.txt"
    path.write_text(
        f"15.04.2016, 15:04 - Hiking Club: {notice}\n"
        "06.08.2016, 13:23 - Ana Silva: Hey all!\n"
        "06.08.2016, 13:25 - Ben Okafor: Hey Ana\n",
        encoding="utf-8",
    )
    summary = import_paths(workspace, "whatsapp", [path])
    assert (summary.interactions, summary.details) == (2, {"system_lines": 1, "messages": 2})
    rows = workspace.conn.execute("SELECT DISTINCT context FROM interactions").fetchall()
    assert [r[0] for r in rows] == ["Hiking Club"]
    assert names(workspace) == ["Ana Silva", "Ben Okafor"]


def test_android_notices_that_quote_a_colon_are_no_sender(workspace, tmp_path):
    path = tmp_path / "WhatsApp Chat with Hikers.txt"
    path.write_text(
        "1/15/24, 9:41 PM - Ana Silva created group \"Hikers\"\n"
        "1/15/24, 9:42 PM - Ana Silva changed the subject from \"Hikers\" to \"Hikers: Alps 2024\"\n"
        "1/15/24, 9:43 PM - Ana Silva: who's in?\n"
        "1/15/24, 9:44 PM - Ben Okafor: me\n"
        "1/15/24, 9:45 PM - Chloe Durand: me too\n"
        "1/15/24, 9:46 PM - Chloe Durand left\n",
        encoding="utf-8",
    )
    summary = import_paths(workspace, "whatsapp", [path])
    assert (summary.interactions, summary.details) == (3, {"messages": 3, "system_lines": 3})
    assert names(workspace) == ["Ana Silva", "Ben Okafor", "Chloe Durand"]
    assert {r[0] for r in workspace.conn.execute("SELECT context FROM interactions")} == {"Hikers"}


def test_an_english_export_keeps_its_calls_and_deleted_messages(workspace, tmp_path):
    path = tmp_path / "_chat.txt"
    path.write_text(
        f"[1/15/24, 9:41:02 PM] Ana Silva: call you in 5 {LRM}<This message was edited>\n"
        f"[1/15/24, 9:47:10 PM] Ana Silva: {LRM}Voice call, {LRM}1 hr 5 min\n"
        f"[1/16/24, 8:02:55 AM] Owner Person: {LRM}Video call, {LRM}No answer\n"
        f"[1/16/24, 8:03:30 AM] Ana Silva: {LRM}Missed video call, {LRM}Tap to call back\n"
        f"[1/16/24, 8:05:00 AM] Owner Person: {LRM}You deleted this message.\n"
        f"[1/16/24, 8:06:00 AM] Ana Silva: {LRM}Location: https://maps.google.com/?q=47.37,8.54\n"
        f"[1/16/24, 8:07:00 AM] Ana Silva: {LRM}Contact card omitted\n",
        encoding="utf-8",
    )
    workspace.settings.owner.name = "Owner Person"
    summary = import_paths(workspace, "whatsapp", [path])
    assert summary.details == {"messages": 1, "calls": 3, "deleted": 1, "media": 2}
    rows = workspace.conn.execute("SELECT kind, direction, metadata FROM interactions ORDER BY occurred_at")
    assert [(r[0], r[1], json.loads(r[2]) if r[2] else {}) for r in rows] == [
        ("message", "in", {}),
        ("call", "in", {"call_type": "voice", "duration": 3900, "answered": True, "missed": False}),
        ("call", "out", {"call_type": "video", "duration": 0, "answered": False, "missed": False}),
        ("call", "in", {"call_type": "video", "duration": 0, "answered": False, "missed": True}),
        ("message", "out", {"deleted": True}),
        ("message", "in", {"media": "location"}),
        ("message", "in", {"media": "contact"}),
    ]
    edited = workspace.conn.execute("SELECT snippet FROM interactions ORDER BY occurred_at LIMIT 1").fetchone()[0]
    assert edited == "call you in 5"  # the mark of an edit is no part of what was said
    assert names(workspace) == ["Ana Silva"]


def test_a_chat_of_two_where_only_the_owner_wrote_is_no_group(workspace, tmp_path):
    path = tmp_path / "_chat.txt"
    path.write_text(
        f"[03/02/2024, 21:04:07] Ana Silva: {LRM}Messages and calls are end-to-end encrypted. No one outside of "
        "this chat, not even WhatsApp, can read or listen to them.\n"
        "[03/02/2024, 21:05:10] Owner Person: happy birthday!\n",
        encoding="utf-8",
    )
    workspace.settings.owner.name = "Owner Person"
    summary = import_paths(workspace, "whatsapp", [path])
    assert summary.details == {"messages": 1, "system_lines": 1}
    assert [tuple(r) for r in workspace.conn.execute("SELECT direction, context FROM interactions")] == [("out", None)]
