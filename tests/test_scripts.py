"""Korean, Chinese in Traditional characters and Word's East Asian languages, as an author
meets them: a block with a Korean paragraph and a Traditional Chinese one, read back from
the PDF (poppler's pdftotext lines, pypdf's fonts) and the DOCX (its w:lang)."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pypdf
import pytest
from author_kit import LETTER_CASE, body_kit

import letterkit

KOREAN = ("귀하의 요청을 검토한 결과 다음과 같이 결정하였습니다. 이 결정에 동의하지 않으시면 결정 통지를 받은 "
          "날로부터 육십 일 이내에 이의를 제기하실 수 있습니다. 도움이 필요하시면 고객 서비스 센터로 "
          "연락하십시오. 통역 서비스는 무료로 제공됩니다.")
TRADITIONAL = "如果您需要協助，請致電。骨科醫師的決定。"

BODY = f'''<div lang="ko" markdown>

{KOREAN}

</div>

<div lang="zh-Hant" markdown>

{TRADITIONAL}

</div>

<div lang="zh-Hans" markdown>

骨科医师的决定。

</div>
'''

@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    kit = body_kit(tmp_path_factory.mktemp("kit"), BODY)
    return letterkit.render(LETTER_CASE, kit=kit, formats=("pdf", "docx"))


def test_korean_lines_break_only_between_words_in_the_pdf(letter, tmp_path):
    (tmp_path / "letter.pdf").write_bytes(letter["pdf"])
    text = subprocess.run(["pdftotext", str(tmp_path / "letter.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [line for line in text.splitlines() if re.search("[\uac00-\ud7af]", line)]
    assert len(lines) >= 2  # the paragraph wraps
    words = set(KOREAN.split())
    assert [word for line in lines for word in line.split() if word not in words] == []


def _fonts_of(pdf: bytes) -> dict[str, str]:
    fonts: dict[str, str] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            fonts[text.strip()] = str(font.get("/BaseFont"))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return fonts


def test_traditional_chinese_is_drawn_in_traditional_glyphs(letter):
    fonts = _fonts_of(letter["pdf"])
    traditional = next(font for text, font in fonts.items() if "醫師" in text)
    simplified = next(font for text, font in fonts.items() if "医师" in text)
    assert "CJK-TC" in traditional
    assert "CJK-SC" in simplified


def test_word_reads_east_asian_languages_from_east_asia(letter):
    body = zipfile.ZipFile(io.BytesIO(letter["docx"])).read("word/document.xml").decode()
    languages = set(re.findall(r"<w:lang ([^/]*)/>", body))
    assert languages == {'w:eastAsia="ko"', 'w:eastAsia="zh-Hant"', 'w:eastAsia="zh-Hans"'}
