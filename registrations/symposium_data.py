"""The first event's facts, as announced, for the ``load_symposium`` command.

The announcement gives no programme; the sessions below follow its stated aims
and are meant to be edited in the admin. Times are Japan Standard Time.
"""

from registrations.models import Organisation, SessionSpeaker

Kind = Organisation.Kind
Role = SessionSpeaker.Role

EVENT = {
    "title": (
        "International Symposium on Combating Human Smuggling "
        "in the Asia-Pacific Region"
    ),
    "title_ja": "アジア太平洋地域における人の密輸対策に関する国際シンポジウム",
    "venue": "A hotel in Tokyo (to be announced to registered delegates)",
    "venue_ja": "東京都内のホテル（会場の詳細は登録者にお知らせします）",
    "host": "Ministry of Foreign Affairs of Japan",
    "host_ja": "外務省",
    "description": (
        "The first international symposium devoted solely to ways of combating "
        "human smuggling in the Asia-Pacific region. It is hosted and sponsored "
        "by the Ministry of Foreign Affairs of Japan, through its Human Rights "
        "and Refugee Division.\n\n"
        "Academics, officials of the region's governments, international "
        "organisations and non-governmental organisations are invited."
    ),
    "description_ja": (
        "アジア太平洋地域における人の密輸への対策のみを取り上げる、初めての国際"
        "シンポジウムです。外務省（人権難民課）が主催します。\n\n"
        "域内各国政府の担当者、国際機関、非政府組織（NGO）及び研究者を招へいします。"
    ),
    "aims": (
        "Deepen participants' understanding of the human-smuggling situation "
        "in the Asia-Pacific region.\n"
        "Share what Japan and the international community are doing about it.\n"
        "Treat the problem comprehensively (prevention, crackdown and the "
        "protection of victims) through the cooperation of governments, "
        "international organisations and NGOs.\n"
        "Feed the outcome into Japan's preparations for the G8 Summit in "
        "Okinawa in July, under the banner of human security."
    ),
    "aims_ja": (
        "アジア太平洋地域における人の密輸の現状について、参加者の理解を深める。\n"
        "日本及び国際社会の取組を共有する。\n"
        "政府、国際機関及びNGOの協力の下、防止、取締り、被害者の保護の各面から"
        "問題に包括的に取り組む。\n"
        "成果を「人間の安全保障」の観点から、7月の九州・沖縄サミットに向けた"
        "我が国の準備に生かす。"
    ),
    "background": (
        "At their Halifax summit the G8 leaders set up an expert group on "
        "transnational organised crime, and the Cologne summit's declaration "
        "returned to the subject. The United Nations is negotiating a "
        "convention against transnational organised crime, with protocols "
        "against the smuggling of migrants and against trafficking in persons."
    ),
    "background_ja": (
        "G8はハリファックス・サミットにおいて国際組織犯罪に関する専門家会合を"
        "設置し、ケルン・サミットの宣言でもこの問題を取り上げました。国際連合では、"
        "国際組織犯罪防止条約並びに移民密入国議定書及び人身取引議定書の交渉が"
        "進められています。"
    ),
    "capacity": 300,
}

# (name, name_ja, acronym, kind, country, invited)
ORGANISATIONS = [
    (
        "Ministry of Foreign Affairs of Japan",
        "外務省",
        "MOFA",
        Kind.GOVERNMENT,
        "JP",
        True,
    ),
    (
        "United Nations Children's Fund",
        "国連児童基金（ユニセフ）",
        "UNICEF",
        Kind.INTERNATIONAL,
        "",
        True,
    ),
    (
        "International Criminal Police Organization",
        "国際刑事警察機構",
        "INTERPOL",
        Kind.INTERNATIONAL,
        "FR",
        True,
    ),
    (
        "End Child Prostitution in Asian Tourism",
        "エクパット",
        "ECPAT",
        Kind.NGO,
        "TH",
        True,
    ),
    (
        "International Organization for Migration",
        "国際移住機関",
        "IOM",
        Kind.INTERNATIONAL,
        "",
        False,
    ),
    (
        "Office of the United Nations High Commissioner for Refugees",
        "国連難民高等弁務官事務所",
        "UNHCR",
        Kind.INTERNATIONAL,
        "",
        False,
    ),
    ("National Police Agency of Japan", "警察庁", "NPA", Kind.GOVERNMENT, "JP", False),
    ("Ministry of Justice of Japan", "法務省", "MOJ", Kind.GOVERNMENT, "JP", False),
]

# (name, name_ja, title, title_ja, organisation acronym)
SPEAKERS = [
    ("Carol Bellamy", "キャロル・ベラミー", "Executive Director", "事務局長", "UNICEF"),
    ("Toshinori Kanemoto", "兼元俊徳", "President", "総裁", "INTERPOL"),
    ("Helena Karlén", "ヘレナ・カーレン", "Vice Chair", "副議長", "ECPAT"),
]

# (start, end, title, title_ja, room, room_ja, capacity, description,
#  description_ja, [(speaker name, role)])
SESSIONS = [
    (
        "09:30",
        "10:15",
        "Opening and keynote: human security",
        "開会・基調講演：人間の安全保障",
        "Main hall",
        "メインホール",
        None,
        "Welcome by the host and a keynote on human security and the fight "
        "against human smuggling.",
        "主催者挨拶及び人間の安全保障と人の密輸対策に関する基調講演。",
        [],
    ),
    (
        "10:30",
        "12:00",
        "Human smuggling in the Asia-Pacific today",
        "アジア太平洋地域における人の密輸の現状",
        "Main hall",
        "メインホール",
        None,
        "Routes, the groups behind them and the people they exploit: what "
        "governments and researchers in the region are seeing.",
        "人の密輸の経路、背後の組織、搾取される人々：域内の政府と研究者が見ている現状。",
        [],
    ),
    (
        "13:30",
        "15:00",
        "Law enforcement and police cooperation",
        "法執行と警察協力",
        "Main hall",
        "メインホール",
        None,
        "Cracking down across borders: the role of INTERPOL and of police "
        "cooperation between the region's countries.",
        "国境を越えた取締り：インターポールの役割と域内各国の警察協力。",
        [("Toshinori Kanemoto", Role.KEYNOTE)],
    ),
    (
        "13:30",
        "15:00",
        "The United Nations legal framework",
        "国際連合の法的枠組み",
        "Room B",
        "B会議室",
        80,
        "The convention against transnational organised crime and its protocols "
        "on the smuggling of migrants and on trafficking in persons, now under "
        "negotiation.",
        "交渉中の国際組織犯罪防止条約並びに移民密入国議定書及び人身取引議定書。",
        [],
    ),
    (
        "15:15",
        "16:45",
        "Protecting women and children",
        "女性と子どもの保護",
        "Main hall",
        "メインホール",
        None,
        "Prevention and the protection of victims, with UNICEF and ECPAT.",
        "ユニセフ及びエクパットとともに考える、被害の防止と被害者の保護。",
        [("Carol Bellamy", Role.SPEAKER), ("Helena Karlén", Role.SPEAKER)],
    ),
    (
        "17:00",
        "17:45",
        "Panel: cooperation towards the Okinawa Summit",
        "パネル討論：九州・沖縄サミットに向けた協力",
        "Main hall",
        "メインホール",
        None,
        "Governments, international organisations and NGOs on working together, "
        "and what the region asks of the G8.",
        "政府、国際機関、NGOによる協力の在り方と、地域からG8への提言。",
        [
            ("Carol Bellamy", Role.PANELLIST),
            ("Toshinori Kanemoto", Role.PANELLIST),
            ("Helena Karlén", Role.PANELLIST),
        ],
    ),
    (
        "17:45",
        "18:00",
        "Closing",
        "閉会",
        "Main hall",
        "メインホール",
        None,
        "Summary and closing remarks by the host.",
        "総括及び主催者による閉会挨拶。",
        [],
    ),
]

# The invited organisations of the announcement, each a delegation with a seat
# quota: (acronym, quota). Their focal points are placeholders, marked as such
# and at an address that cannot receive mail, until staff give the real ones.
DELEGATIONS = [("UNICEF", 4), ("INTERPOL", 4), ("ECPAT", 3)]
PLACEHOLDER_FOCAL_POINT = "Placeholder focal point (replace before inviting)"


def placeholder_email(acronym: str) -> str:
    """Return an address that is clearly not real (.invalid cannot receive mail)."""
    return f"focal-point.{acronym.lower()}@placeholder.invalid"
