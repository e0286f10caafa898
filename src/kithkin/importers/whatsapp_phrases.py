"""What the lines of a WhatsApp "Export chat" file are, in the phone's language.

WhatsApp writes its own lines (media left out of the export, attachments, calls, deleted messages,
polls, group notices) in the language of the phone that exported the chat. The strings below are
WhatsApp's own, as other parsers collected them from the app's iOS `Localizable.strings` and Android
`strings.xml` (e.g. the Dart whatsapp_parser's `WhatsAppPatterns`, whatstk, chat-miner) and as real
exports quoted in public code show them. iOS marks every line it writes itself with U+200E (`‎Bild
weggelassen`, `Dinner Club: ‎Ana added Ben`); Android writes no mark, and its group notices have no
`Name: ` at all.

`read_body` takes the text after `Name: ` and says what it is: text, media (with its kind), a call (with
its duration), a deleted message, or a system line that is no message at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

LRM = "\u200e"


@dataclass(frozen=True, slots=True)
class Phrases:
    """One language's strings. `omitted`: iOS "image omitted" lines by media kind."""

    omitted: dict[str, tuple[str, ...]]
    media_omitted: tuple[str, ...]  # Android, the whole text: `<Media omitted>`
    attached: tuple[str, ...]  # iOS `<attached: 00000012-PHOTO-….jpg>`
    file_attached: tuple[str, ...]  # Android `IMG-20240213-WA0001.jpg (file attached)`
    deleted: tuple[str, ...]  # "This message was deleted", "You deleted this message"
    voice_call: tuple[str, ...]
    video_call: tuple[str, ...]
    missed_voice_call: tuple[str, ...]
    missed_video_call: tuple[str, ...]
    poll: tuple[str, ...]  # the poll's first line, `POLL:`
    live_location: tuple[str, ...]
    # Android notices that quote what someone typed (`Ana changed the subject to "Trip: Rome"`) hold a
    # colon, so they look like `Name: text`; these phrases unmask them.
    renamed: tuple[str, ...] = field(default=())
    # The encryption notice at the top of a chat. iOS writes it under the chat's name, older versions
    # without the U+200E mark, so it reads like a message of someone named like the chat.
    encrypted: tuple[str, ...] = field(default=())


LANGUAGES: dict[str, Phrases] = {
    "en": Phrases(
        omitted={
            "image": ("image omitted",),
            "video": ("video omitted", "video note omitted"),
            "audio": ("audio omitted",),
            "sticker": ("sticker omitted",),
            "gif": ("GIF omitted",),
            "document": ("document omitted",),
            "contact": ("Contact card omitted",),
        },
        media_omitted=("<Media omitted>", "<Video note omitted>"),
        attached=("attached",),
        file_attached=("file attached",),
        deleted=("This message was deleted", "You deleted this message"),
        voice_call=("Voice call", "Group voice call"),
        video_call=("Video call", "Group video call"),
        missed_voice_call=("Missed voice call", "Missed group voice call"),
        missed_video_call=("Missed video call", "Missed group video call"),
        poll=("POLL",),
        live_location=("live location shared",),
        renamed=("changed the subject", "changed the group name", "created group"),
        encrypted=(
            "Messages and calls are end-to-end encrypted",
            "Messages to this group are now secured with end-to-end encryption",
            "Messages you send to this group are now secured with end-to-end encryption",
            "Messages you send to this chat and calls are now secured with end-to-end encryption",
        ),
    ),
    "es": Phrases(
        omitted={
            "image": ("imagen omitida",),
            "video": ("video omitido",),
            "audio": ("audio omitido",),
            "sticker": ("sticker omitido",),
            "gif": ("GIF omitido",),
            "document": ("documento omitido",),
            "contact": ("Tarjeta de contacto omitida",),
        },
        media_omitted=("<Multimedia omitido>", "<Archivo omitido>"),
        attached=("adjunto",),
        file_attached=("archivo adjunto", "archivo adjuntado"),
        deleted=("Se eliminó este mensaje", "Este mensaje fue eliminado", "Eliminaste este mensaje"),
        voice_call=("Llamada de voz", "Llamada de voz grupal"),
        video_call=("Videollamada", "Videollamada grupal"),
        missed_voice_call=("Llamada perdida", "Llamada de voz perdida"),
        missed_video_call=("Videollamada perdida",),
        poll=("ENCUESTA",),
        live_location=("ubicación en tiempo real compartida",),
        renamed=("cambió el asunto", "cambió el nombre del grupo", "creó el grupo"),
        encrypted=(
            "Los mensajes y las llamadas están cifrados de extremo a extremo",
            "Los mensajes y llamadas están cifrados de extremo a extremo",
        ),
    ),
    "pt": Phrases(
        omitted={
            "image": ("imagem ocultada", "imagem não revelada"),
            "video": ("vídeo omitido", "vídeo não revelado"),
            "audio": ("áudio ocultado", "ficheiro de áudio não revelado"),
            "sticker": ("figurinha omitida", "sticker não revelado"),
            "gif": ("GIF omitido", "GIF não revelada"),
            "document": ("documento omitido", "documento não revelado"),
            "contact": ("Cartão do contato omitido", "Contacto não revelado"),
        },
        media_omitted=("<Mídia oculta>", "<Arquivo de mídia oculto>", "<Mídia omitida>", "<Ficheiro não revelado>"),
        attached=("anexado", "anexo"),
        file_attached=("arquivo anexado", "ficheiro anexado"),
        deleted=("Esta mensagem foi apagada", "Mensagem apagada", "Você apagou esta mensagem", "Apagou esta mensagem"),
        voice_call=("Chamada de voz",),
        video_call=("Chamada de vídeo", "Videochamada"),
        missed_voice_call=("Chamada de voz perdida",),
        missed_video_call=("Chamada de vídeo perdida", "Videochamada perdida"),
        poll=("ENQUETE", "SONDAGEM"),
        live_location=("localização atual compartilhada", "Está a partilhar a sua localização"),
        renamed=("mudou o assunto", "alterou o assunto", "mudou o nome do grupo", "criou o grupo"),
        encrypted=(
            "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
            "As mensagens e chamadas são protegidas com a criptografia de ponta a ponta",
            "As mensagens e as chamadas são criptografadas de ponta a ponta",
        ),
    ),
    "de": Phrases(
        omitted={
            "image": ("Bild weggelassen",),
            "video": ("Video weggelassen",),
            "audio": ("Audio weggelassen",),
            "sticker": ("Sticker weggelassen",),
            "gif": ("GIF weggelassen",),
            "document": ("Dokument weggelassen",),
            "contact": ("Kontaktkarte ausgelassen",),
        },
        media_omitted=("<Medien ausgeschlossen>", "<Medien weggelassen>"),
        attached=("Anhang", "angehängt"),
        file_attached=("Datei angehängt",),
        deleted=("Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht"),
        voice_call=("Sprachanruf", "Gruppen-Sprachanruf"),
        video_call=("Videoanruf", "Gruppen-Videoanruf"),
        missed_voice_call=("Verpasster Sprachanruf", "Verpasster Gruppen-Sprachanruf"),
        missed_video_call=("Verpasster Videoanruf", "Verpasster Gruppen-Videoanruf"),
        poll=("UMFRAGE", "ABSTIMMUNG"),
        live_location=("Live-Standort wird geteilt",),
        renamed=("hat den Betreff", "hat den Gruppennamen", "hat die Gruppe"),
        encrypted=(
            "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
            "Nachrichten und Anrufe sind Ende-zu-Ende verschlüsselt",
        ),
    ),
    "fr": Phrases(
        omitted={
            "image": ("image absente",),
            "video": ("vidéo absente",),
            "audio": ("audio omis",),
            "sticker": ("sticker omis",),
            "gif": ("GIF retiré",),
            "document": ("document manquant",),
            "contact": ("Fiche contact manquante",),
        },
        media_omitted=("<Médias omis>", "<Média omis>", "<Fichier omis>"),
        attached=("pièce jointe",),
        file_attached=("fichier joint",),
        deleted=("Ce message a été supprimé", "Vous avez supprimé ce message"),
        voice_call=("Appel vocal",),
        video_call=("Appel vidéo",),
        missed_voice_call=("Appel vocal manqué",),
        missed_video_call=("Appel vidéo manqué",),
        poll=("SONDAGE",),
        live_location=("Localisation en direct partagée",),
        renamed=("a modifié le sujet", "a changé le sujet", "a modifié le nom du groupe", "a créé le groupe"),
        encrypted=("Les messages et les appels sont chiffrés de bout en bout",),
    ),
    "it": Phrases(
        omitted={
            "image": ("immagine omessa",),
            "video": ("video omesso",),
            "audio": ("audio omesso",),
            "sticker": ("sticker non incluso",),
            "gif": ("GIF esclusa",),
            "document": ("documento omesso",),
            "contact": ("Scheda contatto omessa",),
        },
        media_omitted=("<Media omessi>", "<Media omesso>"),
        attached=("allegato",),
        file_attached=("file allegato",),
        deleted=("Questo messaggio è stato eliminato", "Hai eliminato questo messaggio"),
        voice_call=("Chiamata vocale",),
        video_call=("Videochiamata",),
        missed_voice_call=("Chiamata vocale persa",),
        missed_video_call=("Videochiamata persa",),
        poll=("SONDAGGIO",),
        live_location=("posizione attuale condivisa",),
        renamed=("ha cambiato l'oggetto", "ha modificato il nome del gruppo", "ha creato il gruppo"),
        encrypted=("I messaggi e le chiamate sono crittografati end-to-end",),
    ),
    "nl": Phrases(
        omitted={
            "image": ("afbeelding weggelaten",),
            "video": ("video weggelaten",),
            "audio": ("audio weggelaten",),
            "sticker": ("sticker weggelaten",),
            "gif": ("GIF weggelaten",),
            "document": ("document weggelaten",),
            "contact": ("Visitekaartje weggelaten",),
        },
        media_omitted=("<Media weggelaten>",),
        attached=("bijgevoegd",),
        file_attached=("bestand bijgevoegd",),
        deleted=("Dit bericht is verwijderd", "U hebt dit bericht verwijderd", "Je hebt dit bericht verwijderd"),
        voice_call=("Spraakgesprek", "Spraakoproep"),
        video_call=("Videogesprek", "Video-oproep"),
        missed_voice_call=("Gemist spraakgesprek", "Gemiste spraakoproep"),
        missed_video_call=("Gemist videogesprek", "Gemiste video-oproep"),
        poll=("PEILING",),
        live_location=("live locatie gedeeld",),
        renamed=("heeft het onderwerp gewijzigd", "heeft de groepsnaam gewijzigd", "heeft groep"),
        encrypted=(
            "Berichten en oproepen zijn end-to-end versleuteld",
            "Berichten en oproepen worden end-to-end versleuteld",
        ),
    ),
    "tr": Phrases(
        omitted={
            "image": ("görüntü dahil edilmedi",),
            "video": ("video dahil edilmedi",),
            "audio": ("ses dahil edilmedi",),
            "sticker": ("Çıkartma dahil edilmedi",),
            "gif": ("GIF dahil edilmedi",),
            "document": ("belge dahil edilmedi",),
            "contact": ("Kişi kartı dahil edilmedi",),
        },
        media_omitted=("<Medya dahil edilmedi>", "<Medya atlanmış>"),
        attached=("eklendi",),
        file_attached=("dosya ekli",),
        deleted=("Bu mesaj silindi", "Bu mesajı sildiniz"),
        voice_call=("Sesli arama",),
        video_call=("Görüntülü arama",),
        missed_voice_call=("Cevapsız sesli arama",),
        missed_video_call=("Cevapsız görüntülü arama",),
        poll=("ANKET",),
        live_location=("Mevcut konum paylaşıldı",),
        renamed=("konuyu", "grup adını", "grubunu oluşturdu"),
        encrypted=("Mesajlar ve aramalar uçtan uca şifrelidir",),
    ),
    "ru": Phrases(
        omitted={
            "image": ("изображение отсутствует",),
            "video": ("видео отсутствует",),
            "audio": ("аудиофайл отсутствует", "аудио отсутствует"),
            "sticker": ("стикер не добавлен",),
            "gif": ("GIF отсутствует",),
            "document": ("документ отсутствует",),
            "contact": ("карточка контакта отсутствует",),
        },
        media_omitted=("<Без медиафайлов>", "<Файл пропущен>"),
        attached=("прикреплено",),
        file_attached=("файл добавлен",),
        deleted=("Данное сообщение удалено", "Вы удалили данное сообщение", "Вы удалили это сообщение"),
        voice_call=("Аудиозвонок", "Голосовой звонок"),
        video_call=("Видеозвонок",),
        missed_voice_call=("Пропущенный аудиозвонок",),
        missed_video_call=("Пропущенный видеозвонок",),
        poll=("ОПРОС",),
        live_location=("Геоданные отправлены",),
        renamed=("изменил", "создал"),
        encrypted=("Сообщения и звонки защищены сквозным шифрованием",),
    ),
    "id": Phrases(
        omitted={
            "image": ("gambar tidak disertakan",),
            "video": ("video tidak disertakan",),
            "audio": ("audio tidak disertakan",),
            "sticker": ("stiker tidak disertakan",),
            "gif": ("GIF tidak disertakan",),
            "document": ("dokumen tidak disertakan",),
            "contact": ("Kartu kontak tidak disertakan",),
        },
        media_omitted=("<Media tidak disertakan>",),
        attached=("terlampir", "dilampir"),
        file_attached=("file terlampir",),
        deleted=(
            "Pesan ini dihapus",
            "Pesan ini telah dihapus",
            "Anda menghapus pesan ini",
            "Anda telah menghapus pesan ini",
        ),
        voice_call=("Panggilan suara",),
        video_call=("Panggilan video",),
        missed_voice_call=("Panggilan suara tak terjawab",),
        missed_video_call=("Panggilan video tak terjawab",),
        poll=("POLLING", "JAJAK PENDAPAT"),
        live_location=("Lokasi terkini dibagikan",),
        renamed=("mengubah subjek", "mengubah nama grup", "membuat grup"),
        encrypted=("Pesan dan panggilan terenkripsi secara end-to-end",),
    ),
    "hi": Phrases(
        omitted={
            "image": ("फ़ोटो हटाई गई",),
            "video": ("वीडियो छोड़ा गया",),
            "audio": ("ऑडियो हटाई गयी",),
            "sticker": ("स्टिकर छोड़ा गया",),
            "gif": ("GIF छोड़ा गया",),
            "document": ("डॉक्यूमेंट छोड़ा गया",),
            "contact": ("कॉन्टैक्ट कार्ड छोड़ा गया",),
        },
        media_omitted=("<मीडिया के बिना>",),
        attached=("अटैच किया गया", "संलग्न"),
        file_attached=("फाइल संलग्न", "फाइल अटैच कर दी गई है"),
        deleted=("यह मैसेज डिलीट कर दिया गया है", "यह संदेश मिटाया गया", "आपने यह मैसेज डिलीट किया", "आपने यह संदेश मिटाया"),
        voice_call=("वॉइस कॉल",),
        video_call=("वीडियो कॉल",),
        missed_voice_call=("मिस्ड वॉइस कॉल", "वॉइस कॉल मिस हुई", "छूटी हुई ध्वनि कॉल"),
        missed_video_call=("मिस्ड वीडियो कॉल", "छूटी हुई विडियो कॉल"),
        poll=("पोल",),
        live_location=("लाइव स्थान साझा किया गया",),
        renamed=("ने विषय", "ने ग्रुप"),
        encrypted=("संदेश और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं",),
    ),
}

# Call durations as iOS writes them after the call line (`‎Voice call, ‎5 min`, `‎Sprachanruf. ‎2 Min.`,
# `‎Sesli arama, ‎1 sa 5 dk`): a number and a unit, in seconds per unit.
_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "secs", "seg", "sek", "sn", "сек", "с", "dtk", "detik", "सेकंड"), 1),
    **dict.fromkeys(("min", "mins", "minute", "minutes", "minuten", "minuto", "minutos", "minuti", "dk"), 60),
    **dict.fromkeys(("мин", "mnt", "menit", "मिनट"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden", "hora", "horas"), 3600),
    **dict.fromkeys(("heure", "heures", "ora", "ore", "u", "uur", "sa", "saat", "ч", "час", "jam", "j"), 3600),
    **dict.fromkeys(("घंटा", "घंटे"), 3600),
}
_DURATION_PART = re.compile(r"(\d+)\s*([^\s\d.,]+)")  # not \w: Devanagari's vowel signs are no \w
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b")
_EDITED = re.compile(r"\s*\u200e<[^<>:\n]+>\s*$")
_LOCATION = re.compile(r"^[^\n:]{1,40}:\s*https?://(?:maps\.google\.com|maps\.apple\.com|goo\.gl/maps|foursquare\.com)")
# A poll's first line: a word or two and a colon (`POLL:`, `SONDAGE :`, `JAJAK PENDAPAT:`); \S, not \w, so
# that Devanagari's vowel signs count as letters.
_POLL_HEAD = re.compile(r"^(?P<word>[^\s\d:]{2,24}(?: [^\s\d:]{2,24})?)\s?:\s*$")
_ANDROID_FILE_KINDS = {
    "IMG": "image", "VID": "video", "AUD": "audio", "PTT": "audio", "STK": "sticker", "DOC": "document"
}  # fmt: skip
_IOS_FILE_KINDS = {"PHOTO": "image", "VIDEO": "video", "AUDIO": "audio", "STICKER": "sticker", "GIF": "gif"}
_EXTENSION_KINDS = {
    **dict.fromkeys(("jpg", "jpeg", "png", "heic", "heif"), "image"),
    **dict.fromkeys(("mp4", "mov", "3gp", "m4v"), "video"),
    **dict.fromkeys(("opus", "m4a", "mp3", "aac", "ogg", "wav", "amr"), "audio"),
    "webp": "sticker",
    "gif": "gif",
    "vcf": "contact",
}


def _folded(phrases: Iterable[str]) -> tuple[str, ...]:
    """Case-folded phrases, the longest first so that `Missed voice call` wins over `Voice call`."""
    return tuple(sorted({p.casefold() for p in phrases}, key=len, reverse=True))


def _all(attribute: str) -> tuple[str, ...]:
    return _folded([p for language in LANGUAGES.values() for p in getattr(language, attribute)])


_DELETED = _all("deleted")
_MEDIA_OMITTED = frozenset(_all("media_omitted"))
_POLLS = frozenset(_all("poll"))
_LIVE_LOCATIONS = _all("live_location")
_RENAMED = _all("renamed")
_ENCRYPTED = _all("encrypted")
_OMITTED = tuple(
    sorted(
        (
            (phrase.casefold(), kind)
            for language in LANGUAGES.values()
            for kind, phrases in language.omitted.items()
            for phrase in phrases
        ),
        key=lambda item: len(item[0]),
        reverse=True,
    )
)
_OMITTED_ENDINGS = tuple(phrase for phrase, _ in _OMITTED)
_CALLS = tuple(
    sorted(
        (
            (phrase.casefold(), video, missed)
            for lang in LANGUAGES.values()
            for phrases, video, missed in (
                (lang.missed_voice_call, False, True),
                (lang.missed_video_call, True, True),
                (lang.voice_call, False, False),
                (lang.video_call, True, False),
            )
            for phrase in phrases
        ),
        key=lambda item: len(item[0]),
        reverse=True,
    )
)
_IOS_ATTACHED = re.compile(
    r"<(?:" + "|".join(re.escape(w) for w in _all("attached")) + r"): (?P<file>[^<>\n]+)>", re.IGNORECASE
)
_ANDROID_ATTACHED = re.compile(
    r"^(?P<file>[^\n]+?\.\w{1,5}) \((?:" + "|".join(re.escape(w) for w in _all("file_attached")) + r")\)",
    re.IGNORECASE,
)


class Reading(NamedTuple):
    """What a line after `Name: ` is. kind: text, media, call, deleted or system."""

    kind: str
    media: str | None = None  # image, video, audio, sticker, gif, document, contact, location, poll, media
    caption: str | None = None  # what the sender wrote with it (media), or the text itself
    video: bool = False
    missed: bool = False
    duration: int | None = None  # seconds, when the call line gives one


def file_kind(name: str) -> str:
    """The kind of an attached file from WhatsApp's own naming (`00000012-PHOTO-…`, `IMG-20240213-WA0001`),
    else from its extension."""
    upper = name.upper()
    for marker, kind in _IOS_FILE_KINDS.items():
        if f"-{marker}-" in upper:
            return kind
    prefix = upper.split("-", 1)[0]
    if prefix in _ANDROID_FILE_KINDS and "-WA" in upper:
        return _ANDROID_FILE_KINDS[prefix]
    return _EXTENSION_KINDS.get(name.rsplit(".", 1)[-1].lower(), "document") if "." in name else "document"


def duration_seconds(detail: str) -> int | None:
    """`5 min`, `1 hr 5 min`, `2 Min.`, `45 sec`, `1:05:30`: seconds, or None when no duration is given."""
    clock = _CLOCK.search(detail)
    if clock:
        a, b, c = clock.groups()
        return int(a) * 3600 + int(b) * 60 + int(c) if c else int(a) * 60 + int(b)
    total, found = 0, False
    for number, unit in _DURATION_PART.findall(detail):
        seconds = _UNIT_SECONDS.get(unit.casefold())
        if seconds:
            total, found = total + int(number) * seconds, True
    return total if found else None


@lru_cache(maxsize=4096)  # a chat has few senders and many lines
def is_notice_posing_as_sender(name: str) -> bool:
    """An Android group notice that quotes a colon (`Ana changed the subject to "Trip: Rome"`) splits like
    `Name: text`; its would-be name quotes something or says what changed. Nobody is named like that."""
    folded = name.casefold()
    return any(mark in name for mark in '"“”„«»') or any(phrase in folded for phrase in _RENAMED)


def read_body(text: str) -> Reading:
    """What the text after `Name: ` is (the module's docstring says which forms are known)."""
    written_by_app = text.startswith(LRM)
    clean = text.replace(LRM, "").strip()
    folded = clean.casefold()
    bare = folded.rstrip(".").strip()
    if bare in _DELETED or (written_by_app and bare.startswith(_DELETED)):
        return Reading("deleted")
    if folded.startswith(_ENCRYPTED):
        return Reading("system")
    attached = _IOS_ATTACHED.search(clean)
    if attached:
        caption = clean[: attached.start()].strip()
        return Reading("media", file_kind(attached["file"].strip()), caption or None)
    attached = _ANDROID_ATTACHED.match(clean)
    if attached:
        caption = clean[attached.end() :].strip()
        return Reading("media", file_kind(attached["file"].strip()), caption or None)
    if folded in _MEDIA_OMITTED:
        return Reading("media", "media")
    omitted = _omitted_kind(bare, written_by_app)
    if omitted is not None:
        return Reading("media", omitted)
    if written_by_app:
        for phrase, video, missed in _CALLS:
            if folded.startswith(phrase):
                duration = duration_seconds(clean[len(phrase) :])
                return Reading("call", video=video, missed=missed, duration=duration)
    first, _, rest = clean.partition("\n")
    head = _POLL_HEAD.match(first.strip())
    if head and rest and (head["word"].casefold() in _POLLS or (written_by_app and head["word"].isupper())):
        return Reading("media", "poll", rest.replace(LRM, "").strip() or None)
    if _LOCATION.match(clean) or bare in _LIVE_LOCATIONS:
        return Reading("media", "location")
    if written_by_app:
        return Reading("system")  # iOS writes its notices (added, left, security code…) under a name too
    # iOS ends an edited message with `‎<This message was edited>`, in the phone's language.
    edited = _EDITED.search(text) if text.rstrip().endswith(">") else None
    shown = text[: edited.start()].replace(LRM, "").strip() if edited else clean
    return Reading("text", caption=shown or None)


def _omitted_kind(bare: str, written_by_app: bool) -> str | None:
    """The media kind of an iOS `image omitted` line. A document's name and page count may stand before
    it (`report.pdf • 3 pages ‎document omitted`), only on a line the app marked as its own."""
    unwrapped = bare.removeprefix("<").removesuffix(">").strip()
    if not unwrapped.endswith(_OMITTED_ENDINGS):  # one C-level test for the common case, a text message
        return None
    for phrase, kind in _OMITTED:
        if unwrapped.endswith(phrase):
            before = unwrapped[: -len(phrase)]
            if not before or (written_by_app and before[-1].isspace()):
                return kind
    return None
