import pytest

from conftest import needs_shared, shared_seed
from mtfix.langid import detect_language, detect_languages


@pytest.mark.parametrize(
    "text, lang",
    [
        ("研究团队宣布三位新成员将于下月加入。", "zh"),
        ("成立仅两个月,小扎「梦之队」MSL已痛失三位核心大脑。", "zh"),
        ("两位前OpenAI员工Avi Verma和Ethan Knight", "zh"),  # Latin names inside Chinese
        ("会社は来月、新しい研究者が加わると発表した。", "ja"),
        ("東京", "zh"),  # Han only, no kana: the script says Chinese
        ("회사는 다음 달 발표했다.", "ko"),
        ("Das Unternehmen gab bekannt, dass drei neue Forscher beitreten.", "de"),
        ("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.", "id"),
        ("The company announced that three new researchers will join.", "en"),
        ("Компания объявила о найме трёх исследователей.", "ru"),
    ],
)
def test_single_segments(text, lang):
    assert detect_language(text).lang == lang


def test_word_less_text_is_undetermined():
    assert detect_language("2024 — 12.5%").lang == "und"


def test_short_segment_takes_document_majority():
    texts = [
        "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.",
        "Tim riset di Zurich bekerja sama dengan laboratorium di London dan Paris.",
        "Juru bicara perusahaan menolak memberikan komentar lebih lanjut hari ini.",
        "Kata dia.",
    ]
    assert [guess.lang for guess in detect_languages(texts)] == ["id"] * 4


@needs_shared
def test_mixed_indonesian_english_seed_keeps_english_sentences_english():
    lines = [line for line in shared_seed("002").read_text(encoding="utf-8").splitlines() if line.strip()]
    guesses = detect_languages(lines)
    by_text = dict(zip(lines, (g.lang for g in guesses)))
    assert by_text["A Strategy Forged in Crisis"] == "en"
    assert sum(g.lang == "id" for g in guesses) >= len(lines) - 4


@needs_shared
def test_chinese_seed_is_all_chinese_except_bare_names():
    lines = [line for line in shared_seed("003").read_text(encoding="utf-8").splitlines() if line.strip()]
    for line, guess in zip(lines, detect_languages(lines)):
        if any("\u4e00" <= ch <= "\u9fff" for ch in line):
            assert guess.lang == "zh", line


def test_close_languages_take_the_documents_majority_and_say_so():
    from mtfix.langid import detect_languages

    texts = ["Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.",
             "Tim riset di Zurich bekerja sama dengan universitas setempat untuk proyek ini.",
             "Mereka juga membangun pusat data baru di Ohio tahun ini.",
             "Kerajaan telah mengumumkan dasar baharu untuk syarikat teknologi tempatan."]  # Malay words
    guesses = detect_languages(texts)
    assert [g.lang for g in guesses] == ["id"] * 4
    assert guesses[-1].reason in ("detector", "majority")


def test_capitals_placeholders_and_quotes_do_not_decide_the_language():
    from mtfix.langid import detect_language

    assert detect_language("Kami berasumsi TIDAK BERTANGGUNG JAWAB atas kerugian ini.").lang == "id"
    assert detect_language("「The Art of Computer Programming」").lang == "en"
    assert detect_language("«The Art of Computer Programming»").lang == "en"


def test_kanji_alone_is_japanese_in_a_japanese_document():
    from mtfix.langid import detect_languages

    guesses = detect_languages(["これは日本語の文です。", "それも日本語で書かれています。", "簡潔性尊重原則"])
    assert [g.lang for g in guesses] == ["ja", "ja", "ja"] and guesses[2].reason == "majority"
    assert [g.lang for g in detect_languages(["研究团队宣布三位新成员。", "报告称研究预算翻了一番。"])] == ["zh", "zh"]


@pytest.mark.parametrize("text, code", [
    ("dpkg --fsys-tarfile foo_VVV-RRR.deb | tar -xf - 'blurf*'", True), ("-c, --stdout", True), ("--brief", True),
    ("Use the -c option to write to standard output.", False), ("Llama 4", False),
    ("Perusahaan itu merekrut peneliti dari OpenAI.", False)])
def test_code_is_told_from_prose(text, code):
    from mtfix.langid import looks_like_code

    assert looks_like_code(text) is code


@pytest.mark.parametrize("text, names", [
    ("English | 简体中文 | 繁體中文 | 日本語 | 한국어 | Français | Русский | Español | العربية", True),
    ("Home · Docs · Blog · GitHub", True), ("A | B", False),
    ("Perusahaan itu merekrut peneliti | dan juga banyak orang lain yang bekerja | x | y", False)])
def test_lists_of_names_are_told_from_sentences(text, names):
    from mtfix.langid import is_list_of_names

    assert is_list_of_names(text) is names
