"""Country names as this site writes them: the Ministry's in Japanese.

``COUNTRIES_OVERRIDE`` (django-countries) takes these names. Each English
name is django-countries' own, except Nauru's, which it gives as "Naoero";
the Japanese, in the catalogue, is the short name the Ministry of Foreign
Affairs of Japan uses in its list of countries and regions (英国, 米国,
パレスチナ, ジョージア, ...), where django-countries' translation differs.
Only ``gettext_lazy`` is imported, so that the settings can load this.
"""

from django.utils.translation import pgettext_lazy

COUNTRY_NAMES = {
    "BL": pgettext_lazy("country", "Saint Barthélemy"),
    "BQ": pgettext_lazy("country", "Bonaire, Sint Eustatius and Saba"),
    "BS": pgettext_lazy("country", "Bahamas"),
    "CC": pgettext_lazy("country", "Cocos (Keeling) Islands"),
    "CD": pgettext_lazy("country", "Democratic Republic of the Congo"),
    "FK": pgettext_lazy("country", "Falkland Islands (Malvinas)"),
    "GB": pgettext_lazy("country", "United Kingdom"),
    "GE": pgettext_lazy("country", "Georgia"),
    "GF": pgettext_lazy("country", "French Guiana"),
    "HM": pgettext_lazy("country", "Heard Island and McDonald Islands"),
    "JE": pgettext_lazy("country", "Jersey"),
    "KG": pgettext_lazy("country", "Kyrgyzstan"),
    "KN": pgettext_lazy("country", "Saint Kitts and Nevis"),
    "LU": pgettext_lazy("country", "Luxembourg"),
    "FM": pgettext_lazy("country", "Micronesia"),
    "MF": pgettext_lazy("country", "Saint Martin (French part)"),
    "MS": pgettext_lazy("country", "Montserrat"),
    "MV": pgettext_lazy("country", "Maldives"),
    "NR": pgettext_lazy("country", "Nauru"),
    "PS": pgettext_lazy("country", "Palestine"),
    "SH": pgettext_lazy("country", "Saint Helena, Ascension and Tristan da Cunha"),
    "SJ": pgettext_lazy("country", "Svalbard and Jan Mayen"),
    "SX": pgettext_lazy("country", "Sint Maarten (Dutch part)"),
    "TF": pgettext_lazy("country", "French Southern Territories"),
    "US": pgettext_lazy("country", "United States of America"),
    "VA": pgettext_lazy("country", "Vatican City"),
    "VC": pgettext_lazy("country", "Saint Vincent and the Grenadines"),
    "VG": pgettext_lazy("country", "Virgin Islands (British)"),
    "VI": pgettext_lazy("country", "Virgin Islands (U.S.)"),
}
