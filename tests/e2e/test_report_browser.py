"""The Mängelmelder in a real headless Chromium: by map, by keyboard alone, photo first, and its errors.

Every photo the browser is served is fetched back and checked to carry no EXIF or other metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational
from playwright.sync_api import Browser, Page, expect

from reports.models import Report, ReportStatus
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHOTO = FIXTURES / "photos" / "DSCN0010.jpg"  # EXIF GPS near Arezzo, Italy
# Köln, near the cathedral: the pin of the map path, and the place the rewritten photo claims.
PIN = (50.9375, 6.9603)  # lat, lon
PHOTO_PLACE = (50.9413, 6.9583)
NOT_PUBLIC = "Noch nicht veröffentlicht"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# Where the browser lands after submitting; a fragment of the form page (#id_…) may come along.
NEW_REPORT = re.compile(r"/meldungen/\d+/\?neu=1(#[\w-]*)?$")


# --- Helpers --------------------------------------------------------------------------------


def map_click_at(page: Page, lat: float, lon: float, zoom: int = 18) -> None:
    """Zoom the folium map in on a place, then click the map where that place is drawn."""
    find_map = 'window[Object.keys(window).find((name) => name.startsWith("map_"))]'
    # The initial fitBounds animates; when that animation ends, Leaflet resets the view to its target.
    page.wait_for_function(f"() => !{find_map}._animatingZoom")
    page.evaluate(f"([lat, lon, zoom]) => {find_map}.setView([lat, lon], zoom, {{animate: false}})", [lat, lon, zoom])
    page.wait_for_function(f"(zoom) => {find_map}.getZoom() === zoom && !{find_map}._animatingZoom", arg=zoom)
    x, y = page.evaluate(
        f"""([lat, lon]) => {{
            const point = {find_map}.latLngToContainerPoint([lat, lon]);
            return [point.x, point.y];
        }}""",
        [lat, lon],
    )
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def focused(page: Page) -> dict[str, str]:
    """Describe the element that has keyboard focus."""
    description: dict[str, str] = page.evaluate(
        """() => {
            const element = document.activeElement;
            return {
                tag: element.tagName.toLowerCase(),
                id: element.id,
                name: element.getAttribute("name") || "",
                type: element.getAttribute("type") || "",
                text: (element.innerText || element.value || "").trim(),
                href: element.getAttribute("href") || "",
            };
        }"""
    )
    return description


def tab_to(page: Page, wanted: Callable[[dict[str, str]], bool], *, key: str = "Tab", limit: int = 80) -> int:
    """Press Tab (or Shift+Tab) until `wanted(focused element)` holds; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if wanted(focused(page)):
            return presses
    pytest.fail(f"{key} never reached the element; focus is on {focused(page)}")


def assert_no_metadata(data: bytes) -> None:
    """Assert that JPEG bytes carry no EXIF, ICC profile, XMP or comment."""
    assert data.startswith(b"\xff\xd8"), "not a JPEG"
    assert b"Exif\x00\x00" not in data
    assert b"http://ns.adobe.com/xap/1.0/" not in data  # XMP
    assert b"ICC_PROFILE" not in data
    with Image.open(BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "adobe"):
            assert key not in image.info, f"{key} left in the served photo"
        image.load()  # the pixels decode
        assert min(image.size) > 0


def photo_in_koeln() -> bytes:
    """Return DSCN0010.jpg with its EXIF GPS position rewritten to Köln.

    Derived test data, built in memory and never stored: the real photo was taken in Italy; only
    the GPS IFD (0x8825) latitude and longitude are replaced, everything else in its EXIF stays.
    """

    def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
        return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 10000)

    with Image.open(PHOTO) as image:
        exif = image.getexif()
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert gps, "the fixture photo lost its GPS data"
        gps[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps[ExifTags.GPS.GPSLatitude] = dms(PHOTO_PLACE[0])
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = dms(PHOTO_PLACE[1])
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    data = buffer.getvalue()
    with Image.open(BytesIO(data)) as check:  # the copy really says Köln
        written = check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        lat = sum(float(part) / 60**i for i, part in enumerate(written[ExifTags.GPS.GPSLatitude]))
        lon = sum(float(part) / 60**i for i, part in enumerate(written[ExifTags.GPS.GPSLongitude]))
    assert (lat, lon) == pytest.approx(PHOTO_PLACE, abs=1e-5)
    return data


def report_id(page: Page) -> int:
    match = re.search(r"/meldungen/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))


def wait_for_thumbnails(page: Page, selector: str = "ul.photos img") -> list[str]:
    """Wait until every thumbnail of the list has loaded and return their src."""
    expect(page.locator(selector).first).to_be_visible()
    page.wait_for_function(
        """(selector) => {
            const images = [...document.querySelectorAll(selector)];
            return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);
        }""",
        arg=selector,
    )
    sources: list[str] = page.eval_on_selector_all(
        selector, "(images) => images.map((image) => image.getAttribute('src'))"
    )
    return sources


def confirmation_link(outbox: list[EmailMessage], report_pk: int, address: str) -> str:
    assert len(outbox) == 1, [message.subject for message in outbox]
    message = outbox[0]
    assert message.to == [address]
    assert f"#{report_pk}" in message.subject
    match = re.search(r"https?://\S+/bestaetigen/\S+/", str(message.body))
    assert match, message.body
    return match.group(0)


def assert_references_resolve(page: Page) -> None:
    """Assert that every id a label, ARIA attribute or in-page link of the page names exists."""
    missing = page.evaluate(
        r"""() => {
            const missing = [];
            const check = (element, ids) => ids.filter(Boolean).forEach((id) => {
                if (!document.getElementById(id)) { missing.push(`${element.outerHTML.slice(0, 80)} -> ${id}`); }
            });
            document.querySelectorAll("main [aria-describedby], main [aria-labelledby]").forEach((element) => {
                check(element, (element.getAttribute("aria-describedby") || "").split(/\s+/));
                check(element, (element.getAttribute("aria-labelledby") || "").split(/\s+/));
            });
            document.querySelectorAll("main label").forEach((label) => {
                if (!label.hasAttribute("for") || label.getAttribute("for") === "") {
                    if (!label.querySelector("input, select, textarea")) {
                        missing.push(`${label.outerHTML} -> (none)`);
                    }
                } else {
                    check(label, [label.getAttribute("for")]);
                }
            });
            document.querySelectorAll('main a[href^="#"]').forEach((link) => {
                check(link, [link.getAttribute("href").slice(1) || "(empty)"]);
            });
            return missing;
        }"""
    )
    assert missing == []


def clean_log(page: Page) -> None:
    log = page.request_log  # type: ignore[attr-defined]
    assert log.foreign == []
    assert log.failed == []
    assert log.http_errors == []


# --- 1. With the map -------------------------------------------------------------------------


def test_pin_on_map_with_photo_then_confirm_by_email(
    page: Page, browser: Browser, live_server: Any, settings: Any, mailoutbox: list[EmailMessage]
) -> None:
    # pytest-django switches to the locmem backend for the whole process; the live server's thread
    # sends into the same django.core.mail.outbox the test reads.
    assert settings.EMAIL_BACKEND == LOCMEM
    assert mailoutbox is mail.outbox
    settings.SITE_URL = live_server.url  # the link in the e-mail points at this server, not at :8000
    log = page.request_log  # type: ignore[attr-defined]

    # Step 1: the place, by a click on the map.
    page.goto(f"{live_server.url}/meldungen/neu/")
    page.wait_for_selector("path.leaflet-interactive")  # the Kreise have loaded from our API
    expect(page.locator("#id_lon")).to_have_value("")
    map_click_at(page, *PIN)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#map-status")).to_contain_text("Ort gesetzt")
    lon = float(page.input_value("#id_lon"))
    lat = float(page.input_value("#id_lat"))
    assert (lat, lon) == pytest.approx(PIN, abs=2e-5)
    page.get_by_role("button", name="Weiter").click()

    # Step 2: the category.
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Kategorie")
    expect(page.locator("main")).to_contain_text("Ort: Köln")
    page.get_by_role("radio", name=re.compile(r"^Straßenschaden")).check()
    page.get_by_role("button", name="Weiter").click()

    # Step 3: the details, with a real camera photo.
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Beschreibung und Fotos")
    assert parse_qs(urlsplit(page.url).query)["category"] == ["strassenschaden"]
    description = "Tiefes Schlagloch vor dem Domhotel, Radfahrer weichen auf die Fahrbahn aus."
    page.fill("#id_description", description)
    page.select_option("#id_q_groesse", "mittel")
    page.set_input_files("input[type=file][name=photos]", PHOTO)
    page.fill("#id_email", "melderin@example.org")
    page.get_by_role("button", name="Meldung absenden").click()

    # The report page, seen by its author before it is confirmed.
    page.wait_for_url(NEW_REPORT)
    pk = report_id(page)
    main = page.locator("main")
    expect(main).to_contain_text("Vielen Dank! Ihre Meldung ist eingegangen.")
    expect(main).to_contain_text(NOT_PUBLIC)
    expect(main.locator("h1")).to_have_text(f"Meldung #{pk}: Straßenschaden")
    expect(main.locator("p.description")).to_have_text(description)
    expect(main.locator("p.status strong")).to_have_text("Eingegangen")
    expect(main.locator("dl.answers")).to_contain_text("etwa so groß wie ein Gullydeckel")
    (thumbnail_src,) = wait_for_thumbnails(page)
    photo_href = page.locator("ul.photos a").get_attribute("href")
    assert photo_href

    # Every served photo file is free of metadata: the thumbnail and the display size.
    for path in (thumbnail_src, photo_href):
        response = page.request.get(f"{live_server.url}{path}")  # with this browser's session
        assert response.status == 200, path
        assert response.headers["content-type"] == "image/jpeg"
        assert_no_metadata(response.body())
    with Image.open(BytesIO(page.request.get(f"{live_server.url}{photo_href}").body())) as display:
        assert display.size == (640, 480)

    # Not public yet: a stranger sees neither the report nor its photo.
    stranger = browser.new_context(locale="de-DE")
    try:
        assert stranger.request.get(f"{live_server.url}/meldungen/{pk}/").status == 404
        assert stranger.request.get(f"{live_server.url}{photo_href}").status == 404
        assert stranger.request.get(f"{live_server.url}/api/v1/reports/{pk}/").status == 404
    finally:
        stranger.close()

    # Confirm through the link in the e-mail.
    link = confirmation_link(mailoutbox, pk, "melderin@example.org")
    assert link.startswith(f"{live_server.url}/meldungen/bestaetigen/")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Meldung bestätigen")
    page.get_by_role("button", name="Meldung jetzt bestätigen").click()
    page.wait_for_url(re.compile(rf"/meldungen/{pk}/\?bestaetigt=1$"))
    expect(page.locator("main")).to_contain_text("jetzt öffentlich")
    expect(page.locator("main")).not_to_contain_text(NOT_PUBLIC)
    report = Report.objects.get(pk=pk)
    assert report.is_public
    assert report.status == ReportStatus.SUBMITTED
    assert report.answers == {"groesse": "mittel"}
    assert report.photos.count() == 1

    # Public now: a fresh browser without the author's session sees the page, the photo and the API.
    public = browser.new_context(locale="de-DE")
    try:
        stranger_page = public.new_page()
        errors: list[str] = []
        stranger_page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        stranger_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page_response = stranger_page.goto(f"{live_server.url}/meldungen/{pk}/")
        assert page_response is not None
        assert page_response.status == 200
        expect(stranger_page.locator("p.description")).to_have_text(description)
        expect(stranger_page.locator("main")).not_to_contain_text(NOT_PUBLIC)
        wait_for_thumbnails(stranger_page)
        expect(stranger_page.locator(".leaflet-marker-icon")).to_have_count(1)  # the place, from the public API
        stranger_page.wait_for_load_state("networkidle")
        assert errors == []
        assert stranger_page.locator("#map-status").inner_text() == ""
        api = public.request.get(f"{live_server.url}/api/v1/reports/{pk}/")
        assert api.status == 200
        feature = api.json()
        api_lon, api_lat = feature["geometry"]["coordinates"]
        assert (api_lat, api_lon) == pytest.approx(PIN, abs=2e-5)  # where the pin was set
        assert_no_metadata(public.request.get(f"{live_server.url}{photo_href}").body())
    finally:
        public.close()

    # The list shows it too; no page of the whole flow loaded anything from another host.
    page.goto(f"{live_server.url}/meldungen/")
    expect(page.locator(".report-list")).to_contain_text(f"#{pk} Straßenschaden")
    page.wait_for_load_state("networkidle")
    assert log.foreign == []


# --- 2. By keyboard alone --------------------------------------------------------------------


def test_report_by_keyboard_alone_without_the_map(page: Page, live_server: Any) -> None:
    """From page load on only keys: no mouse, no .click(), the map never touched."""
    log = page.request_log  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/meldungen/neu/")
    page.wait_for_load_state("networkidle")  # the map and its areas are drawn: their tab stops exist

    # Step 1: search a street. The map is one stop, its areas none: the search is near.
    presses = tab_to(page, lambda element: element["id"] == "id_q")
    assert presses <= 20, f"{presses} presses of Tab to reach the place search"
    page.keyboard.type("Aachener Straße")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=Aachener"))
    expect(page.locator("ul.results li").first).to_have_text("Aachener Straße, Köln")
    presses = tab_to(page, lambda element: element["tag"] == "a" and element["text"] == "Aachener Straße, Köln")
    assert presses <= 25, f"{presses} presses of Tab to reach the first result"
    page.keyboard.press("Enter")

    # Step 2: the first category has focus; arrows move through the radio group, Space chooses.
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Kategorie")
    expect(page.locator("main")).to_contain_text("Ort: Köln")
    assert focused(page)["id"] == "category-strassenschaden"
    page.keyboard.press("ArrowDown")
    assert focused(page)["id"] == "category-strassenbeleuchtung"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect(page.locator("#category-strassenschaden")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Weiter"
    page.keyboard.press("Enter")

    # Step 3: type everything.
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Beschreibung und Fotos")
    presses = tab_to(page, lambda element: element["id"] == "id_description")
    assert presses <= 10, f"{presses} presses of Tab to reach the description"
    description = "Am Fahrbahnrand ist der Asphalt auf zwei Metern abgesackt."
    page.keyboard.type(description)
    # The category's questions follow the description.
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_q_groesse"
    page.keyboard.press("ArrowDown")  # "kleiner als ein Teller"
    page.keyboard.press("ArrowDown")  # "etwa so groß wie ein Gullydeckel"
    expect(page.locator("#id_q_groesse")).to_have_value("mittel")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_q_flaeche_0"
    page.keyboard.press("Space")
    expect(page.locator("#id_q_flaeche_0")).to_be_checked()
    tab_to(page, lambda element: element["name"] == "photos", limit=4)
    # Choosing a file opens the operating system's dialog, which no browser automation can drive;
    # the file is set on the file input while it has keyboard focus, as that dialog would.
    page.locator("input[type=file]:focus").set_input_files(PHOTO)
    assert focused(page)["name"] == "photos"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_name"
    page.keyboard.type("Erika Mustermann")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_email"
    page.keyboard.type("erika@example.org")
    tab_to(page, lambda element: element["tag"] == "button", limit=4)
    assert focused(page)["text"] == "Meldung absenden"
    steps_log = (list(log.foreign), list(log.failed), list(log.http_errors))
    page.keyboard.press("Enter")

    # The report page, with the photo.
    page.wait_for_url(NEW_REPORT)
    pk = report_id(page)
    expect(page.locator("p.description")).to_have_text(description)
    expect(page.locator("p.status strong")).to_have_text("Eingegangen")
    expect(page.locator("main")).to_contain_text(NOT_PUBLIC)
    expect(page.locator("dl.answers")).to_contain_text("etwa so groß wie ein Gullydeckel")
    expect(page.locator("dl.answers")).to_contain_text("Fahrbahn")
    (thumbnail_src,) = wait_for_thumbnails(page)
    assert_no_metadata(page.request.get(f"{live_server.url}{thumbnail_src}").body())
    report = Report.objects.get(pk=pk)
    assert report.reporter_name == "Erika Mustermann"
    assert report.answers == {"groesse": "mittel", "flaeche": ["fahrbahn"]}
    assert report.authority.key == "05315000"

    # Nothing came from another host, nothing failed, no response was an error on the way.
    assert steps_log == ([], [], [])
    page.wait_for_load_state("networkidle")
    assert log.foreign == []
    # The report page itself: see test_own_unconfirmed_report_page_loads_without_errors.


# --- 3. Photo first --------------------------------------------------------------------------


def hidden_photo_ids(page: Page, form: str) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        f"{form} input[type=hidden][name=photo]", "(inputs) => inputs.map((i) => i.value)"
    )
    return ids


def test_photo_first_takes_the_place_from_the_photo_only_inside_nrw(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/meldungen/neu/")
    photo_form = page.locator("form:has(button[name=photo-first])")

    # A real camera photo from near Arezzo: the place is refused, the photo stays attached.
    photo_form.locator("input[type=file]").set_input_files(PHOTO)
    with page.expect_response(lambda response: "lon=" in response.url) as outside:
        photo_form.get_by_role("button", name="Hochladen und Ort übernehmen").click()
    assert outside.value.status == 422
    query = parse_qs(urlsplit(page.url).query)
    assert (float(query["lat"][0]), float(query["lon"][0])) == pytest.approx((43.4674483, 11.8851267), abs=1e-6)
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Ort")
    expect(page.locator("#place-form [role=alert]")).to_have_text("Der Ort liegt außerhalb von Nordrhein-Westfalen.")
    # The pin the page came back with is not announced as a place to take over.
    page.wait_for_load_state("networkidle")
    expect(page.locator("#map-status")).not_to_contain_text("Ort gesetzt")
    (italy,) = query["photo"]
    for form in ("#place-form", "form[role=search]", "form:has(button[name=photo-first])"):
        assert hidden_photo_ids(page, form) == [italy], form
    expect(page.locator("main")).to_contain_text("1 Foto ist schon hochgeladen und wird angehängt.")

    # A copy whose GPS says Köln goes straight to the category, at the photo's place, with both photos.
    photo_form.locator("input[type=file]").set_input_files(
        {"name": "koeln.jpg", "mimeType": "image/jpeg", "buffer": photo_in_koeln()}
    )
    photo_form.get_by_role("button", name="Hochladen und Ort übernehmen").click()
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Kategorie")
    expect(page.locator("main")).to_contain_text("Ort: Köln (50,94130, 6,95830)")
    query = parse_qs(urlsplit(page.url).query)
    assert (float(query["lat"][0]), float(query["lon"][0])) == pytest.approx(PHOTO_PLACE, abs=1e-6)
    assert len(query["photo"]) == 2
    assert query["photo"][0] == italy
    assert hidden_photo_ids(page, "main form") == query["photo"]

    # On to the details: both photos are shown attached, and served without metadata.
    page.get_by_role("radio", name=re.compile(r"^Straßenschaden")).check()
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Beschreibung und Fotos")
    expect(page.locator("main")).to_contain_text("Angehängte Fotos:")
    sources = wait_for_thumbnails(page)
    assert len(sources) == 2
    for source in sources:
        assert_no_metadata(page.request.get(f"{live_server.url}{source}").body())
    # The form posts to this address, which names each photo once; no hidden copy names it again.
    assert parse_qs(urlsplit(page.url).query)["photo"] == query["photo"]
    assert hidden_photo_ids(page, "form[method=post][enctype]") == []
    page.fill("#id_description", "Gehweg aufgebrochen, siehe Fotos.")
    page.select_option("#id_q_groesse", "klein")
    page.fill("#id_email", "foto@example.org")
    page.get_by_role("button", name="Meldung absenden").click()
    page.wait_for_url(NEW_REPORT)
    assert len(wait_for_thumbnails(page)) == 2
    assert page.request_log.foreign == []  # type: ignore[attr-defined]


# --- 4. Errors shown to the citizen ----------------------------------------------------------


def test_missing_description_and_answer_are_explained_and_the_input_kept(page: Page, live_server: Any) -> None:
    lon, lat = PHOTO_PLACE[1], PHOTO_PLACE[0]
    page.goto(f"{live_server.url}/meldungen/neu/?lon={lon}&lat={lat}&category=strassenschaden")
    summary = page.locator("#error-summary")
    expect(summary).to_have_count(0)
    page.fill("#id_name", "Erika Mustermann")
    page.fill("#id_email", "erika@example.org")
    page.check("#id_q_flaeche_2")
    page.set_input_files("input[type=file][name=photos]", PHOTO)

    # Neither description nor the required answer.
    with page.expect_response(lambda response: response.request.method == "POST") as first:
        page.get_by_role("button", name="Meldung absenden").click()
    assert first.value.status == 422
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator("h2")).to_have_text("Bitte prüfen Sie Ihre Angaben")
    expect(summary.locator("li")).to_have_count(2)
    expect(summary.locator("a[href='#id_description']")).to_contain_text("Beschreibung")
    expect(summary.locator("a[href='#id_q_groesse']")).to_contain_text("Wie groß ist der Schaden?")
    assert focused(page)["id"] == "error-summary"  # a screen reader reads it at once
    expect(page.locator("#id_description")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name")).to_have_value("Erika Mustermann")
    expect(page.locator("#id_email")).to_have_value("erika@example.org")
    expect(page.locator("#id_q_flaeche_2")).to_be_checked()
    # A browser cannot keep a chosen file across pages; the summary says to choose it again.
    expect(summary).to_contain_text("Ihre ausgewählten Fotos wurden nicht übernommen.")
    assert page.locator("input[type=file][name=photos]").evaluate("(input) => input.files.length") == 0
    assert_references_resolve(page)
    # The summary's link takes the keyboard to the field.
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#id_description"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_description"

    # The description now, still no answer: the text stays, only the answer is asked for.
    description = "Ein Gullydeckel klappert laut, wenn Autos darüberfahren."
    page.keyboard.type(description)
    with page.expect_response(lambda response: response.request.method == "POST") as second:
        page.get_by_role("button", name="Meldung absenden").click()
    assert second.value.status == 422
    expect(summary.locator("li")).to_have_count(1)
    expect(summary).to_contain_text("Wie groß ist der Schaden?")
    expect(page.locator("#id_description")).to_have_value(description)
    expect(page.locator("#id_name")).to_have_value("Erika Mustermann")
    expect(summary).not_to_contain_text("Ihre ausgewählten Fotos")  # none was chosen this time
    assert_references_resolve(page)
    assert Report.objects.filter(description=description).count() == 0

    # Answered, the photo chosen again: the report is made.
    page.select_option("#id_q_groesse", "klein")
    page.set_input_files("input[type=file][name=photos]", PHOTO)
    page.get_by_role("button", name="Meldung absenden").click()
    page.wait_for_url(NEW_REPORT)
    expect(page.locator("p.description")).to_have_text(description)
    assert Report.objects.get(pk=report_id(page)).answers == {"groesse": "klein", "flaeche": ["gehweg"]}
    assert len(wait_for_thumbnails(page)) == 1


def test_a_group_of_checkboxes_and_hints_are_named_for_assistive_technology(page: Page, live_server: Any) -> None:
    lon, lat = PHOTO_PLACE[1], PHOTO_PLACE[0]
    # "Was liegt dort?" is a required group of checkboxes.
    page.goto(f"{live_server.url}/meldungen/neu/?lon={lon}&lat={lat}&category=muell")
    expect(page.get_by_role("group", name="Was liegt dort?")).to_be_visible()
    assert_references_resolve(page)
    page.fill("#id_description", "Sperrmüll am Straßenrand.")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Meldung absenden").click()
    assert answer.value.status == 422
    link = page.locator("#error-summary a")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("Was liegt dort?")
    assert_references_resolve(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_q_art_0"  # the first checkbox of the group
    # A hint belongs to its field: the lamp post number's hint is read with it.
    page.goto(f"{live_server.url}/meldungen/neu/?lon={lon}&lat={lat}&category=strassenbeleuchtung")
    expect(page.get_by_role("textbox", name="Nummer am Laternenmast")).to_have_accessible_description(
        "steht meist auf einem Schild in Augenhöhe"
    )
    assert_references_resolve(page)


# --- Further behaviour of the flow ----------------------------------------------------------


def submit_report_at(page: Page, live_server: Any, *, category: str = "strassenschaden") -> int:
    """Make a report through step 3 at PHOTO_PLACE and return its id (the browser is on its page)."""
    lon, lat = PHOTO_PLACE[1], PHOTO_PLACE[0]
    page.goto(f"{live_server.url}/meldungen/neu/?lon={lon}&lat={lat}&category={category}")
    page.fill("#id_description", "Bordstein lose.")
    page.select_option("#id_q_groesse", "klein")
    page.fill("#id_email", "melder@example.org")
    page.get_by_role("button", name="Meldung absenden").click()
    page.wait_for_url(NEW_REPORT)
    return report_id(page)


def test_own_unconfirmed_report_page_loads_without_errors(page: Page, live_server: Any) -> None:
    submit_report_at(page, live_server)
    expect(page.locator("main")).to_contain_text(NOT_PUBLIC)
    page.wait_for_load_state("networkidle")
    clean_log(page)
    assert page.locator("#map-status").inner_text() == ""
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)  # the place is on the map


def test_use_my_location_sets_the_pin(page: Page, live_server: Any) -> None:
    page.context.grant_permissions(["geolocation"], origin=str(live_server.url))
    page.context.set_geolocation({"latitude": PIN[0], "longitude": PIN[1], "accuracy": 10})
    page.goto(f"{live_server.url}/meldungen/neu/")
    button = page.get_by_role("button", name="Meinen Standort verwenden")
    expect(button).to_be_visible()  # shown only where the browser can locate
    button.click()
    expect(page.locator("#map-status")).to_contain_text("Ort gesetzt")
    assert float(page.input_value("#id_lon")) == pytest.approx(PIN[1], abs=1e-6)
    assert float(page.input_value("#id_lat")) == pytest.approx(PIN[0], abs=1e-6)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator("main")).to_contain_text("Ort: Köln (50,93750, 6,96030)")
    page.wait_for_load_state("networkidle")
    clean_log(page)


def test_whole_flow_works_without_javascript(browser: Browser, live_server: Any) -> None:
    """Every step is a plain form: coordinates typed, a category, the details, and the report page."""
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/meldungen/neu/")
        expect(page.get_by_role("button", name="Meinen Standort verwenden")).to_be_hidden()
        page.fill("#id_lon", str(PHOTO_PLACE[1]))
        page.fill("#id_lat", str(PHOTO_PLACE[0]))
        page.get_by_role("button", name="Weiter").click()
        expect(page.locator(".steps [aria-current=step]")).to_have_text("Kategorie")
        page.get_by_role("radio", name=re.compile(r"^Straßenschaden")).check()
        page.get_by_role("button", name="Weiter").click()
        page.fill("#id_description", "Schlagloch ohne JavaScript gemeldet.")
        page.select_option("#id_q_groesse", "gross")
        page.set_input_files("input[type=file][name=photos]", PHOTO)
        page.fill("#id_email", "ohne-js@example.org")
        page.get_by_role("button", name="Meldung absenden").click()
        page.wait_for_url(NEW_REPORT)
        expect(page.locator("p.description")).to_have_text("Schlagloch ohne JavaScript gemeldet.")
        wait_for_thumbnails(page)
    finally:
        context.close()


def test_change_place_link_leads_back_to_step_one_without_javascript(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        lon, lat = PHOTO_PLACE[1], PHOTO_PLACE[0]
        page.goto(f"{live_server.url}/meldungen/neu/?lon={lon}&lat={lat}")
        expect(page.locator(".steps [aria-current=step]")).to_have_text("Kategorie")
        page.get_by_role("link", name="ändern").click()
        expect(page.locator(".steps [aria-current=step]")).to_have_text("Ort")
        expect(page.locator("#id_lon")).to_have_value(str(lon))
        expect(page.locator("#id_lat")).to_have_value(str(lat))
    finally:
        context.close()
